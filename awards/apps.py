from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = "评选表彰"

    def ready(self) -> None:
        from awards import services  # noqa: F401  (registers the certificate job handler)
