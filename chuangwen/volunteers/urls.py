from django.urls import URLPattern, URLResolver, include, path

from . import views
from .moral.urls import urlpatterns as moral_urlpatterns
from .pairs import urls as pair_urls

app_name = "volunteers"
urlpatterns: list[URLPattern | URLResolver] = [
    # ==== volunteers ====
    path("", views.volunteer_list, name="list"),
    path("export.xlsx", views.volunteer_export, name="export"),
    path("import/", views.volunteer_import, name="import"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/seal/", views.seal_image, name="seal"),
    path("v/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("v/<int:pk>/reveal/", views.volunteer_reveal, name="reveal"),
    path("v/<int:pk>/add/<str:part>/", views.volunteer_add, name="add"),
    path("v/<int:pk>/disclose/<int:consent_pk>/", views.volunteer_disclose, name="disclose"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/pick/", views.pick_teams, name="pick_teams"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/qr/", views.activity_qr, name="qr"),
    path("activities/<int:pk>/qr/<str:action>.svg", views.activity_qr_svg, name="qr_svg"),
    path("activities/<int:pk>/<str:action>/", views.activity_action, name="activity_action"),
    path("records/<int:pk>/correct/", views.record_correct, name="correct"),
    path("scan/<int:pk>/<str:token>/", views.scan, name="scan"),
    path("me/", views.me, name="me"),
    path("me/team/", views.join_team, name="join_team"),
    path("me/certificate/", views.certificate_new, name="certificate_new"),
    path("me/consent/", views.consent_grant, name="consent"),
    path("me/consent/<int:pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    # public: self-registration on a phone, no account yet
    path("join/<str:city_code>/", views.register, name="register"),
]
# part B: the moral bank (bank/), moral models (models/), civility selections (selections/)
urlpatterns += moral_urlpatterns
# 六联 activities of pairs
urlpatterns += [path("pairs/", include(pair_urls.urlpatterns))]
