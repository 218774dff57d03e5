from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "chuangwen.tasks"
    verbose_name = "任务分解"

    def ready(self) -> None:
        from chuangwen.indicators.registry import register_indicator_reference

        from .models import Evidence, Task

        # adoption of a new evaluation-system version moves tasks and their evidence
        register_indicator_reference(Task, "indicator")
        register_indicator_reference(Evidence, "indicator")
