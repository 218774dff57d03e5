from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "chuangwen.inspections"
    verbose_name = "督查检查"

    def ready(self) -> None:
        from chuangwen.indicators.registry import register_indicator_reference
        from chuangwen.org.registry import register_unit_path_copy

        from .models import ActionItem, CheckResult, Notice

        # a check result's standard follows the indicator tree when a new version is adopted
        register_indicator_reference(CheckResult, "standard")
        register_unit_path_copy(Notice, "unit_path")
        register_unit_path_copy(ActionItem, "unit_path")
