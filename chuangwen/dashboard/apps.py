from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "chuangwen.dashboard"
    verbose_name = "工作台"

    def ready(self) -> None:
        from . import items, panels, personal

        items.register()
        personal.register()
        panels.register()
