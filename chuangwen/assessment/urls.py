from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("compare/", views.compare, name="compare"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/<str:action>/", views.round_action, name="round_action"),
]
