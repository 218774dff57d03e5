from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("cockpit/", views.cockpit, name="cockpit"),
    path("cockpit/data/", views.cockpit_data, name="cockpit_data"),
]
