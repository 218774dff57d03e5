from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "chuangwen.sites"
    verbose_name = "点位"
