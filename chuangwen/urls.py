from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from chuangwen.api.main import api
from chuangwen.core import views as core_views
from chuangwen.dashboard import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", core_views.PasswordChange.as_view(), name="password_change"),
    path("audit/", core_views.audit_log, name="audit"),
    path("notifications/", core_views.notifications, name="notifications"),
    path("notifications/badge/", core_views.notifications_badge, name="notifications_badge"),
    path("jobs/", core_views.job_list, name="jobs"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job"),
    path("jobs/<int:pk>/file/", core_views.job_file, name="job_file"),
    path("tokens/", include("chuangwen.api.urls")),
    path("org/", include("chuangwen.org.urls")),
    path("indicators/", include("chuangwen.indicators.urls")),
    path("cases/", include("chuangwen.cases.urls")),
    path("sites/", include("chuangwen.sites.urls")),
    path("tasks/", include("chuangwen.tasks.urls")),
    path("inspections/", include("chuangwen.inspections.urls")),
    path("assessment/", include("chuangwen.assessment.urls")),
    path("citizens/", include("chuangwen.citizens.urls")),
    path("volunteers/", include("chuangwen.volunteers.urls")),
    path("dashboard/", include("chuangwen.dashboard.urls")),
    path("api/", api.urls),
    path("open311/v2/", include("chuangwen.api.open311.urls")),
    path("admin/", admin.site.urls),
    # browsers ask for /favicon.ico on their own: send them to the SVG icon
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
        name="favicon",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
]
