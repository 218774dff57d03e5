from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict:
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "scope": getattr(request, "scope", None),
    }
