from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "chuangwen.indicators"
    verbose_name = "测评体系"

    def ready(self) -> None:
        from .models import Metric
        from .registry import register_indicator_reference

        register_indicator_reference(Metric, "indicator")
