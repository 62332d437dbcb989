from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "research"
    verbose_name = "教研与教师成长"
