"""Security headers every response gets: a Content-Security-Policy, and ``Cache-Control:
no-store`` on what a logged-in user sees and on every download.

A small middleware instead of django-csp: one fixed policy, no nonces (there are no inline
scripts: page data travels in ``json_script`` blocks, behaviour in static files), so the
package's per-view decorators and report machinery would be unused weight.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse


def tile_origin(url: str) -> str:
    """The origin of an XYZ tile URL template for ``img-src`` (``{s}`` sub-domains: ``*``)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.rsplit("@", 1)[-1]
    if "{s}" in host:
        host = host.replace("{s}", "*")
        if not host.startswith("*."):  # CSP allows a wildcard only as the leftmost label
            host = "*." + host.split(".", 1)[-1]
    return f"{parts.scheme}://{host}"


def content_security_policy() -> str:
    images = ["'self'", "data:", "blob:"]
    origin = tile_origin(getattr(settings, "MAP_TILE_URL", "") or "")
    if origin:
        images.append(origin)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # templates and Leaflet/ECharts set style attributes; no script can run from a style
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def is_download(response: HttpResponse) -> bool:
    return response.has_header("Content-Disposition") or isinstance(
        response, FileResponse | StreamingHttpResponse
    )


class SecurityHeadersMiddleware:
    """The CSP on every response; ``no-store`` for logged-in users' responses (pages, API,
    downloads alike: nothing a browser or proxy could hand to the next user of the PC) and for
    every file download, logged in or not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Content-Security-Policy"):
            response["Content-Security-Policy"] = content_security_policy()
        user = getattr(request, "user", None)
        if is_download(response) or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "no-store"
            if response.has_header("Expires"):
                del response["Expires"]
        return response
