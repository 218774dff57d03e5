from django.urls import include, path

from .pairs import urls as pair_urls

app_name = "volunteers"
urlpatterns = [
    path("pairs/", include(pair_urls.urlpatterns)),
]
