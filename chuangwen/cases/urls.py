from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.xlsx", views.case_export, name="export"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.case_action, name="action"),
    path("inbox/", views.inbox, name="inbox"),
    path("map/", views.case_map, name="map"),
    path("map/points/", views.case_points, name="points"),
    path("summary/", views.summary, name="summary"),
    path("categories/", views.categories, name="categories"),
    path("pick/categories/", views.pick_categories, name="pick_categories"),
    path("pick/cases/", views.pick_cases, name="pick_cases"),
    path("import/", views.import_hotline, name="import"),
    path("settings/", views.case_settings, name="settings"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("reports/<int:pk>/phone/", views.reveal_phone, name="reveal_phone"),
    # public pages, no account
    path("report/<str:city_code>/", views.public_report, name="public_report"),
    path("report/<str:city_code>/suggest/", views.public_suggest, name="public_suggest"),
    path("report/<str:city_code>/place/", views.public_place, name="public_place"),
    path("report/<str:city_code>/layers/<str:name>/", views.public_layer, name="public_layer"),
    path("track/", views.track, name="track_form"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/photos/<int:pk>/", views.public_photo, name="public_photo"),
]
