"""GeoReport v2 paths, each in ``.xml`` and ``.json``; mounted at /open311/v2/."""

from django.urls import path, re_path, register_converter

from . import views


class FormatConverter:
    """Any word after the dot: the view answers 400 for a format other than xml or json."""

    regex = "[A-Za-z0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CodeConverter:
    """A service code, request id or token: no slash, no dot (the dot starts the format)."""

    regex = "[^/.]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "o311fmt")
register_converter(CodeConverter, "o311id")

app_name = "open311"
urlpatterns = [
    path("discovery.<o311fmt:fmt>", views.discovery, name="discovery"),
    path("services.<o311fmt:fmt>", views.service_list, name="services"),
    path(
        "services/<o311id:service_code>.<o311fmt:fmt>",
        views.service_definition,
        name="service_definition",
    ),
    path("requests.<o311fmt:fmt>", views.requests, name="requests"),
    path(
        "requests/<o311id:service_request_id>.<o311fmt:fmt>",
        views.request_detail,
        name="request",
    ),
    path("tokens/<o311id:token>.<o311fmt:fmt>", views.token, name="token"),
    path("servicerequestupdates.<o311fmt:fmt>", views.request_updates, name="updates"),
    re_path(r"^(?P<path>.*)$", views.unknown_path, name="unknown"),
]
