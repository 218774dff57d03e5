from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/standards/", views.task_standards, name="standards"),
    path("titles/", views.titles, name="titles"),
    path("titles/apply-links/", views.apply_links, name="apply_links"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/move/", views.move, name="move"),
    path("reports/<int:pk>/review/", views.review, name="review"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("stranded/", views.stranded, name="stranded"),
    path("rules/", views.rules, name="rules"),
    path("import/", views.import_page, name="import"),
    path("battle-map/", views.battle_map, name="battle_map"),
    path("battle-map/<int:unit_id>/", views.battle_map_unit, name="battle_map_unit"),
    path("pledges/", views.pledges, name="pledges"),
    path("pledges/<int:pk>/sign/", views.pledge_sign, name="pledge_sign"),
    path("pledges/<int:pk>/<str:which>/", views.pledge_document, name="pledge_document"),
    path("pocket-book/<int:unit_id>.<str:fmt>", views.pocket_book, name="pocket_book"),
    path("ledger.zip", views.ledger_zip, name="ledger"),
    path("metrics/", views.metric_list, name="metrics"),
    path("metrics/new/", views.metric_edit, name="metric_new"),
    path("metrics/<int:pk>/edit/", views.metric_edit, name="metric_edit"),
    path("metrics/check/", views.metric_check, name="metric_check"),
    path("metrics/indicators/", views.metric_indicator_pick, name="metric_indicator_pick"),
    path("indicator/<int:indicator_id>/", views.indicator_tasks, name="indicator"),
    path("webhooks/", views.webhooks, name="webhooks"),
]
