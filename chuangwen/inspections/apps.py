from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "chuangwen.inspections"
    verbose_name = "督查检查"

    def ready(self) -> None:
        from chuangwen.indicators.registry import register_indicator_reference

        from .models import CheckResult

        # a check result's standard follows the indicator tree when a new version is adopted
        register_indicator_reference(CheckResult, "standard")
