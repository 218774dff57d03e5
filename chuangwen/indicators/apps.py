from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "chuangwen.indicators"
    verbose_name = "测评体系"
