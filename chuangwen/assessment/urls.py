from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("compare/", views.compare, name="compare"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/<str:action>/", views.round_action, name="round_action"),
    # --- unit assessment ---
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/<str:action>/", views.scheme_action, name="scheme_action"),
    path("periods/", views.period_list, name="periods"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/export/", views.period_export, name="period_export"),
    path("periods/<int:pk>/units/<int:unit_pk>/", views.unit_detail, name="unit_detail"),
    path("periods/<int:pk>/do/<str:action>/", views.period_action, name="period_action"),
    path(
        "adjustments/<int:pk>/withdraw/",
        views.adjustment_withdraw,
        name="adjustment_withdraw",
    ),
    path("adjustments/<int:pk>/file/", views.adjustment_file, name="adjustment_file"),
    path("annual/", views.annual, name="annual"),
    path("lists/", views.lists, name="lists"),
    path("lists/<int:pk>/file/", views.list_file, name="list_file"),
    path("lists/<int:pk>/do/<str:action>/", views.list_action, name="list_action"),
    path("findings/", views.finding_list, name="findings"),
    path("findings/new/", views.finding_new, name="finding_new"),
    path("findings/export/", views.finding_export, name="findings_export"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("findings/<int:pk>/file/", views.finding_file, name="finding_file"),
    path("findings/<int:pk>/do/<str:action>/", views.finding_action, name="finding_action"),
    path("finding-files/<int:pk>/", views.finding_event_file, name="finding_event_file"),
    path("my/", views.my_scores, name="my_scores"),
]
