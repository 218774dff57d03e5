from django.urls import path

from . import views

app_name = "sites"
urlpatterns = [
    path("", views.site_list, name="list"),
    path("<int:pk>/", views.site_detail, name="detail"),
    path("geojson/", views.site_geojson, name="geojson"),
    path("map/", views.site_map, name="map"),
    path("place/", views.place, name="place"),
    path("import/", views.import_page, name="import"),
    path("export.xlsx", views.export, name="export"),
]
