import os
from collections.abc import Callable
from typing import Any

import django_filters
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from . import audit_words, selectors, services
from .errors import NotFound, ServiceError
from .lockout import account_locked, record_failed_password
from .models import AuditEvent
from .permissions import member_required, office_required
from .tables import Column, Table
from .xlsx import XLSX

PAGE_SIZE = 50


def form_page(
    request: HttpRequest,
    form: Any,
    template: str,
    context: dict[str, Any],
    *,
    save: Callable[[dict[str, Any]], Any],
    done: str | Callable[[Any], str],
    then: Callable[[Any], HttpResponse],
    refusal_on_form: bool = False,
) -> HttpResponse:
    """A form page: a valid post is saved by ``save`` (a service, given the form's data), said
    by ``done`` (text, or made from what was saved) and followed by ``then(saved)``; otherwise
    the page again, 400 after a post. A refusal of the service is shown as a message, or on the
    form with ``refusal_on_form``."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ServiceError as exc:
            if refusal_on_form:
                form.add_error(None, str(exc.message))
            else:
                messages.error(request, str(exc.message))
        else:
            messages.success(request, done if isinstance(done, str) else done(saved))
            return then(saved)
    return render(
        request,
        template,
        {"form": form, **context},
        status=400 if request.method == "POST" else 200,
    )


def paginate(request: HttpRequest, qs: QuerySet, size: int = PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def list_template(request: HttpRequest, full: str, partial: str) -> str:
    """htmx requests get only the list partial of the same view."""
    return partial if getattr(request, "htmx", False) else full


class AuditFilter(django_filters.FilterSet):
    code = django_filters.ChoiceFilter(
        lookup_expr="startswith",
        label=_("模块"),
        choices=audit_words.app_choices,
        empty_label=_("全部"),
    )
    object_type = django_filters.CharFilter(label=_("对象类型"))
    actor = django_filters.CharFilter(field_name="actor__username", label=_("操作人登录名"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = AuditEvent
        fields = ["code", "object_type", "actor", "since", "until"]


class AuditTable(Table):
    name = "audit"
    columns = (
        Column("at", _("时间"), "at", hideable=False),
        Column("actor", _("操作人"), "actor__username"),
        Column("code", _("事件"), "code"),
        Column("object", _("对象"), ("object_type", "object_id")),
        Column("summary", _("摘要")),
        Column("changes", _("变更")),
    )


class NotificationTable(Table):
    name = "notifications"
    columns = (
        Column("at", _("时间"), "created_at"),
        Column("text", _("内容"), hideable=False),
        Column("read", _("已读时间"), "read_at", hidden=True),
    )


class JobTable(Table):
    name = "jobs"
    columns = (
        Column("id", _("编号"), "id"),
        Column("title", _("任务名称"), "title", hideable=False),
        Column("by", _("提交人"), "created_by__username"),
        Column("at", _("提交时间"), "created_at"),
        Column("status", _("状态"), "status"),
        Column("progress", _("进度")),
        Column("result", _("结果")),
    )


@office_required
def audit_log(request: HttpRequest) -> HttpResponse:
    qs = AuditEvent.objects.filter(city_id=request.scope.city_id).select_related("actor__person")  # type: ignore[attr-defined]
    f = AuditFilter(request.GET, queryset=qs)
    table = AuditTable(request, f.qs)
    page = table.page
    template = list_template(request, "core/audit_log.html", "core/_audit_rows.html")
    rows = audit_words.describe(page.object_list)
    return render(request, template, {"filter": f, "table": table, "page": page, "rows": rows})


@member_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """我的消息: every notification of the user, from any app; POST marks them all read and
    goes back to ``next`` (a page of this site) or to this list."""
    if request.method == "POST":
        services.mark_notifications_read(request.user)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = ""
        return redirect(back or "notifications")
    table = NotificationTable(request, selectors.notifications_for_user(request.user))
    return render(request, "core/notifications.html", {"table": table, "page": table.page})


@member_required
@require_GET
def notifications_badge(request: HttpRequest) -> HttpResponse:
    """The navbar badge (htmx fragment): the unread count, or nothing."""
    n = selectors.unread_count(request.user)
    return HttpResponse(f'<span class="badge bg-warning text-dark">{n}</span>' if n else "")


@member_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """后台任务: the city's jobs for the office, one's own for everyone else; the list refreshes
    itself (htmx) while a job on the page is queued or running."""
    qs = selectors.jobs_for_user(request.scope).select_related("created_by__person")  # type: ignore[attr-defined]
    table = JobTable(request, qs)
    active = any(job.is_active for job in table.page)
    template = list_template(request, "core/job_list.html", "core/_job_rows.html")
    return render(request, template, {"table": table, "page": table.page, "active": active})


@member_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One job; its status partial (htmx) polls itself every 2 s until the job has finished."""
    job = selectors.get_job_for_user(request.scope, pk)  # type: ignore[attr-defined]
    template = list_template(request, "core/job_detail.html", "core/_job_status.html")
    return render(request, template, {"job": job})


@member_required  # type: ignore[arg-type]
@require_GET
def job_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file a finished job made (an export), for whoever may see the job."""
    job = selectors.get_job_for_user(request.scope, pk)  # type: ignore[attr-defined]
    return stored_file(job.file, os.path.basename(str(job.file.name)))


PDF = "application/pdf"


def download(data: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    """Made bytes (an export, a document) as an attachment named in Chinese (RFC 6266
    ``filename*``, which every current browser and WPS read), never sniffed."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def stored_file(field: Any, filename: str) -> FileResponse:
    """Download a stored file (a FileField's value) as ``filename`` — always as an attachment,
    never sniffed; 404 when there is none."""
    if not field:
        raise NotFound()
    response = FileResponse(field.open("rb"), as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"  # served as its type, never sniffed as HTML
    return response


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """A wrong old password counts as a failed login of the account (django-axes), so the
    change-password page cannot be used to guess the password of a session left open."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        try:
            return super().clean_old_password()
        except ValidationError:
            record_failed_password(self.request, self.user)
            raise


class PasswordChange(PasswordChangeView):
    """修改密码: after ``AXES_FAILURE_LIMIT`` wrong old passwords the account is locked out as
    after failed logins, and this session is logged out."""

    form_class = ThrottledPasswordChangeForm
    success_url = "/"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and account_locked(request, request.user.get_username()):
            return self.locked_out(request)
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        if account_locked(self.request, self.request.user.get_username()):
            return self.locked_out(self.request)
        return super().form_invalid(form)

    @staticmethod
    def locked_out(request: HttpRequest) -> HttpResponse:
        logout(request)
        return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
