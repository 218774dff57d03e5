from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("nodes/<int:pk>/", views.node_detail, name="node"),
    path("nodes/<int:pk>/edit/", views.node_edit, name="node_edit"),
    path("nodes/<int:pk>/move/", views.node_move, name="node_move"),
    path("nodes/<int:pk>/retire/", views.node_retire, name="node_retire"),
    path("site-types/", views.site_types, name="site_types"),
    path("pick/indicators/", views.pick_indicators, name="pick_indicators"),
    path("pick/site-types/", views.pick_site_types, name="pick_site_types"),
    path("pick/negative-items/", views.pick_negative_items, name="pick_negative_items"),
    path("negative-list/", views.negative_list, name="negative_list"),
    path("systems/", views.system_list, name="systems"),
    path("systems/import/", views.import_page, name="import"),
    path("systems/<int:pk>/", views.system_detail, name="system"),
    path("systems/<int:pk>/add/", views.node_add, name="node_add"),
    path("systems/<int:pk>/export.xlsx", views.system_export, name="export"),
    path("systems/<int:pk>/diff/", views.diff, name="diff"),
    path("systems/<int:pk>/diff.xlsx", views.diff_export, name="diff_export"),
    path("systems/<int:pk>/mapping/", views.mapping, name="mapping"),
    path("systems/<int:pk>/adopt/", views.adopt, name="adopt"),
    path("systems/<int:pk>/move-attached/", views.move_attached, name="move_attached"),
    path("systems/<int:pk>/title/", views.system_title, name="system_title"),
    path("links/", views.links, name="links"),
    path("links/new/", views.link_create, name="link_create"),
    path("links/<int:pk>/delete/", views.link_delete, name="link_delete"),
    path("standards/pick/", views.standard_pick, name="standard_pick"),
]
