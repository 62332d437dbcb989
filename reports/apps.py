from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "质量分析报告"

    def ready(self) -> None:
        from reports import services  # noqa: F401  (registers the PDF render jobs)
