from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "chuangwen.volunteers"
    verbose_name = "志愿服务"

    def ready(self) -> None:
        # volunteers: the registered share and hours per volunteer for quantified targets
        from chuangwen.tasks.metrics import register_quantities

        from .metrics import QUANTITIES

        register_quantities("volunteers", QUANTITIES)

        # the moral bank earns points from confirmed service hours
        from .hooks import on_hours_confirmed
        from .moral.services.bank import credit_confirmed_hours

        on_hours_confirmed(credit_confirmed_hours)

        # a negative-list finding against a title holder proposes revoking its titles
        from chuangwen.org.registry import on_unit_finding

        from .moral.services.selections import revoke_on_finding

        on_unit_finding(revoke_on_finding)
