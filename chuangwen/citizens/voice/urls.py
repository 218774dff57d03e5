from django.urls import path

from . import views

urlpatterns = [
    path("suggestions/", views.suggestion_list, name="suggestions"),
    path("suggestions/export.xlsx", views.suggestion_export, name="suggestions_export"),
    path("suggestions/import/", views.survey_import, name="survey_import"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/recompute/", views.topic_recompute, name="topics_recompute"),
    path("topics/pick/", views.pick_topics, name="pick_topics"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("topics/<int:pk>/<str:action>/", views.topic_action, name="topic_action"),
    path("models/", views.model_list, name="models"),
    path("models/train/", views.model_train, name="models_train"),
    path("models/<int:pk>/activate/", views.model_activate, name="model_activate"),
    # public pages, no account
    path("s/<str:city_code>/", views.public_suggestions, name="public_suggestions"),
    path("s/<str:city_code>/<int:pk>/like/", views.public_like, name="public_like"),
]
