from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_tree, name="units"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("people/", views.person_list, name="people"),
    path("grids/", views.grid_list, name="grids"),
    path("grids/map/", views.grid_map, name="grid_map"),
    path("grids/geojson/", views.grid_geojson, name="grid_geojson"),
    path("locate/", views.locate, name="locate"),
    path("map/layers/<str:name>/", views.layer, name="layer"),
    path("pick/units/", views.pick_units, name="pick_units"),
    path("pick/people/", views.pick_people, name="pick_people"),
    path("pick/grids/", views.pick_grids, name="pick_grids"),
    path("pick/public-areas/", views.public_areas, name="public_areas"),
    path("import/", views.import_page, name="import"),
    path("export/<str:kind>.xlsx", views.export, name="export"),
]
