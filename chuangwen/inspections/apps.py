from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "chuangwen.inspections"
    verbose_name = "督查检查"
