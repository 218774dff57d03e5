from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "chuangwen.citizens"
    verbose_name = "群众参与"

    def ready(self) -> None:
        from chuangwen.org.registry import register_unit_path_copy

        from .models import Campaign, CampaignSupport, Commitment

        # part B: campaigns (lead and supporting units) and 问政 commitments follow unit moves
        register_unit_path_copy(Campaign, "lead_path")
        register_unit_path_copy(CampaignSupport, "unit_path")
        register_unit_path_copy(Commitment, "unit_path")
