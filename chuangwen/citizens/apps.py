from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "chuangwen.citizens"
    verbose_name = "群众参与"
