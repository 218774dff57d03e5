from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "chuangwen.cases"
    verbose_name = "问题案件"

    def ready(self) -> None:
        from chuangwen.core.audit_words import register_event_labels
        from chuangwen.core.jobs import register_job
        from chuangwen.indicators.registry import register_indicator_reference
        from chuangwen.org.registry import register_unit_path_copy

        from .choices import Action
        from .jobs import EXPORT_JOB, export_cases_job
        from .models import Case, Category

        register_job(EXPORT_JOB, export_cases_job)
        register_indicator_reference(Case, "indicator")
        register_indicator_reference(Category, "indicators")  # failed checks keep their category
        # the scope filters read these copies; moving a unit rewrites them
        register_unit_path_copy(Case, "unit_path")
        register_unit_path_copy(Case, "area_path")
        register_unit_path_copy(Case, "handler_path")
        register_event_labels(
            {
                **{f"cases.case.{a.value}": f"案件{a.label}" for a in Action},
                "cases.report.reveal_phone": _("查看上报人完整电话"),
            }
        )
