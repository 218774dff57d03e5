from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "chuangwen.cases"
    verbose_name = "问题案件"

    def ready(self) -> None:
        from chuangwen.indicators.registry import register_indicator_reference
        from chuangwen.org.registry import register_unit_path_copy

        from .models import Case

        register_indicator_reference(Case, "indicator")
        # the scope filters read these copies; moving a unit rewrites them
        register_unit_path_copy(Case, "unit_path")
        register_unit_path_copy(Case, "area_path")
