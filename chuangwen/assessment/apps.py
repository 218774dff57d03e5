from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "chuangwen.assessment"
    verbose_name = "考核评价"

    def ready(self) -> None:
        from chuangwen.core.jobs import register_job
        from chuangwen.org.registry import register_unit_path_copy

        from . import (
            accountability,
            bulletins,
            quantities,  # noqa: F401  (the built-in quantities register on import)
        )
        from .jobs import DRAFT_JOB, draft_bulletin_job
        from .models import (
            AccountabilityRecord,
            BulletinReceipt,
            ListEntry,
            NegativeFinding,
            Submission,
        )

        # unit assessment: scope filters read these copies; moving a unit rewrites them
        register_unit_path_copy(NegativeFinding, "unit_path")
        register_unit_path_copy(ListEntry, "unit_path")

        # accountability, submissions, bulletins
        register_unit_path_copy(AccountabilityRecord, "unit_path")
        register_unit_path_copy(Submission, "unit_path")
        register_unit_path_copy(BulletinReceipt, "unit_path")
        register_job(DRAFT_JOB, draft_bulletin_job)
        accountability.register_builtin_fact_types()
        accountability.register_builtin_rules()
        bulletins.register_builtin_sections()
