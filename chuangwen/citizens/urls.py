from django.urls import URLPattern, URLResolver, path

from . import public, views
from .voice.urls import urlpatterns as voice_urls

app_name = "citizens"
urlpatterns: list[URLPattern | URLResolver] = [
    # --- part B: the office and the units ---
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/export/", views.round_export, name="round_export"),
    path("rounds/<int:pk>/<str:action>/", views.round_action, name="round_action"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/export/", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/photos/<int:photo_pk>/", views.campaign_photo, name="campaign_photo"),
    path("campaigns/<int:pk>/<str:action>/", views.campaign_action, name="campaign_action"),
    path("pick/<str:kind>/", views.pick, name="pick"),
    path("compounds/", views.rankings, name="rankings"),
    path("compounds/new/", views.ranking_create, name="ranking_create"),
    path("compounds/<int:pk>/", views.ranking_detail, name="ranking"),
    path("compounds/<int:pk>/<str:action>/", views.ranking_action, name="ranking_action"),
    path("wenzheng/", views.episodes, name="episodes"),
    path("wenzheng/<int:pk>/", views.episode_detail, name="episode"),
    path("wenzheng/<int:pk>/<str:action>/", views.episode_action, name="episode_action"),
    path("commitments/", views.commitments, name="commitments"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("portal/", views.portal_link, name="portal_link"),
    # --- part B: the public portal (no account) ---
    path("p/<str:city_code>/", public.portal, name="p_portal"),
    path("p/<str:city_code>/my/", public.my_reports, name="p_my"),
    path("p/<str:city_code>/my/status/", public.my_status, name="p_my_status"),
    path("p/<str:city_code>/votes/", public.vote_list, name="p_votes"),
    path("p/<str:city_code>/votes/<int:pk>/", public.vote, name="p_vote"),
    path("p/<str:city_code>/campaigns/", public.campaign_list, name="p_campaigns"),
    path("p/<str:city_code>/campaigns/<int:pk>/", public.campaign, name="p_campaign"),
    path(
        "p/<str:city_code>/campaigns/<int:pk>/photos/<int:photo_pk>/",
        public.campaign_photo,
        name="p_campaign_photo",
    ),
    path("p/<str:city_code>/compounds/", public.ranking_list, name="p_rankings"),
    path("p/<str:city_code>/compounds/<int:pk>/", public.ranking, name="p_ranking"),
    path("p/<str:city_code>/board/", public.board, name="p_board"),
]
# suggestions, hot topics and the category model (voice/)
urlpatterns += voice_urls
