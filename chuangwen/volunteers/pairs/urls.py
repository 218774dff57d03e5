"""Included by chuangwen/volunteers/urls.py under pairs/ (names in the volunteers namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.pair_list, name="pairs"),
    path("export.xlsx", views.pair_export, name="pair_export"),
    path("new/", views.pair_create, name="pair_create"),
    path("settings/", views.pair_settings, name="pair_settings"),
    path("units/<str:side>/", views.unit_search, name="pair_unit_search"),
    path("photos/<int:pk>/", views.activity_photo, name="pair_photo"),
    path("<int:pk>/", views.pair_detail, name="pair"),
    path("<int:pk>/edit/", views.pair_edit, name="pair_edit"),
    path("<int:pk>/end/", views.pair_end, name="pair_end"),
    path("<int:pk>/activities/", views.activity_create, name="pair_activity_create"),
]
