from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "chuangwen.tasks"
    verbose_name = "任务分解"

    def ready(self) -> None:
        from chuangwen.core.jobs import register_job
        from chuangwen.indicators.registry import register_indicator_reference

        from .booklets import PLEDGE_JOB
        from .jobs import generate_pledges_job
        from .models import Evidence, Task

        # adoption of a new evaluation-system version moves tasks and their evidence
        register_indicator_reference(Task, "indicator")
        register_indicator_reference(Evidence, "indicator")
        # background jobs users submit (core.jobs)
        register_job(PLEDGE_JOB, generate_pledges_job)
