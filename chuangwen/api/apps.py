from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chuangwen.api"
    label = "cw_api"
    verbose_name = "接口"

    def ready(self) -> None:
        from chuangwen.core.busy import error_renderers

        from .open311.serializers import render_errors

        # a 503 "busy, retry" on /open311/ in GeoReport v2's own error array
        error_renderers["/open311/"] = lambda request, error: render_errors(
            "xml" if request.path.endswith(".xml") else "json", error.status, [str(error.message)]
        )
