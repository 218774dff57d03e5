from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "chuangwen.sites"
    verbose_name = "点位"

    def ready(self) -> None:
        from chuangwen.org.registry import register_unit_path_copy

        from .models import Site, SiteAssignment

        register_unit_path_copy(Site, "area_path")
        register_unit_path_copy(Site, "owner_path")
        register_unit_path_copy(SiteAssignment, "unit_path")
