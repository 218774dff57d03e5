from django.urls import URLPattern, URLResolver

from .voice.urls import urlpatterns as voice_urls

app_name = "citizens"
urlpatterns: list[URLPattern | URLResolver] = [*voice_urls]
