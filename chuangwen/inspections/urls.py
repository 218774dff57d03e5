from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/check/<int:sample_pk>/", views.check_page, name="check"),
    path("plans/<int:pk>/results/", views.check_submit, name="check_submit"),
    path("plans/<int:pk>/<str:action>/", views.plan_action, name="plan_action"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/docx/", views.notice_docx, name="notice_docx"),
    path("notices/<int:pk>/acknowledge/", views.notice_ack, name="notice_ack"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:pk>/", views.action_update, name="action_update"),
]
