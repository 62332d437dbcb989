from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "质量监测"

    def ready(self) -> None:
        from monitoring import services  # noqa: F401  (registers the import and statistics jobs)
