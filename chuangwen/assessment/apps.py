from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "chuangwen.assessment"
    verbose_name = "考核评价"

    def ready(self) -> None:
        from chuangwen.org.registry import register_unit_path_copy

        from . import quantities  # noqa: F401  (the built-in quantities register on import)
        from .models import ListEntry, NegativeFinding

        # unit assessment: scope filters read these copies; moving a unit rewrites them
        register_unit_path_copy(NegativeFinding, "unit_path")
        register_unit_path_copy(ListEntry, "unit_path")
