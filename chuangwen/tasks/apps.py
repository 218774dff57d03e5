from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "chuangwen.tasks"
    verbose_name = "任务分解"
