from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "学校基础信息"

    def ready(self) -> None:
        from schools import importers  # noqa: F401  (registers the import jobs)
