from django.apps import AppConfig


class EduqualityConfig(AppConfig):
    name = "eduquality"
    verbose_name = "系统"
