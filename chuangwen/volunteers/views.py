"""Thin views over the services and selectors (two sections: volunteers, moral bank)."""

import hashlib
import mimetypes
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chuangwen.core import ratelimit, submissions
from chuangwen.core.errors import (
    Busy,
    ImportFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import list_template
from chuangwen.core.widgets import pick_response
from chuangwen.org.actors import PUBLIC
from chuangwen.org.models import City, Unit

from . import certificates, exports, selectors, services
from .choices import CheckAction, RecordKind, SignupStatus
from .filters import ActivityFilter, TeamFilter, VolunteerFilter
from .forms import (
    ActivityForm,
    AwardForm,
    CheckForm,
    ConsentForm,
    CorrectionForm,
    EvaluationForm,
    ImportForm,
    IssuerForm,
    PeriodForm,
    RegisterForm,
    RevealForm,
    SettingsForm,
    TeamForm,
    TrainingForm,
)
from .models import Certificate, Issuer, RecordConsent, ServiceRecord, Team
from .tables import ActivityTable, MemberTable, TeamTable, VolunteerTable

# ==== volunteers ==============================================================================

REGISTER = "volunteers.register"  # the purpose of the registration form's one-time tokens
REGISTER_LIMIT = (5, 3600)  # registrations per client address per hour
PAGE = 50


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


def _city(request: HttpRequest) -> City:
    return City.objects.get(pk=_scope(request).city_id)


def _page(request: HttpRequest, qs: Any, size: int = PAGE) -> Any:
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _require_staff(request: HttpRequest) -> None:
    """Pages of the office and the units (organisers); volunteers and citizens have none."""
    scope = _scope(request)
    if not (scope.see_all or scope.unit_paths):
        raise PermissionDenied(_("此页面供创建办和各单位使用"))


def _client_key(request: HttpRequest) -> str:
    addr = request.META.get("REMOTE_ADDR", "")
    return "volunteers:register:" + hashlib.sha256(addr.encode()).hexdigest()[:24]


# --- public: self-registration ----------------------------------------------------------------


@login_not_required
def register(request: HttpRequest, city_code: str) -> HttpResponse:
    """志愿者注册 (a phone page). On success the new volunteer is logged in and sees their own
    page. A double submit registers once (one-time form token)."""
    city = get_object_or_404(City, code=city_code)
    form = RegisterForm(
        request.POST or None, city=city, initial={"token": submissions.issue(REGISTER)}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def make() -> str:
            volunteer = services.register_volunteer(
                city,
                services.Registration(
                    name=d["name"],
                    phone=d["phone"],
                    id_number=d["id_number"],
                    area=d["area"],
                    password=d["password"],
                    skills=d["skills"],
                ),
                acting_user=PUBLIC,
            )
            return str(volunteer.pk)

        try:
            done = submissions.result_of(d["token"], REGISTER)
            if done is None:
                if not ratelimit.hit([_client_key(request)], *REGISTER_LIMIT):
                    raise InvalidInput(_("提交过于频繁，请稍后再试"), code="rate_limited")
                done, _new = submissions.once(d["token"], REGISTER, make)
        except ServiceError as exc:
            if isinstance(exc, Busy):
                raise
            if exc.code == "stale_form":
                data = request.POST.copy()
                data["token"] = submissions.issue(REGISTER)
                form.data = data
            form.add_error(None, str(exc.message))
        else:
            from .models import Volunteer

            volunteer = Volunteer.objects.select_related("person__user").get(pk=int(done or 0))
            login(
                request, volunteer.person.user, backend="django.contrib.auth.backends.ModelBackend"
            )
            messages.success(request, _("注册成功，欢迎加入志愿者队伍！"))
            return redirect("volunteers:me")
    return render(request, "volunteers/register.html", {"form": form, "city": city})


# --- the volunteer's own pages ----------------------------------------------------------------


def _my_volunteer(request: HttpRequest) -> Any:
    volunteer = selectors.volunteer_of(_scope(request))
    if volunteer is None:
        raise NotFound(_("您还不是注册志愿者"))
    return volunteer


@member_required
def me(request: HttpRequest) -> HttpResponse:
    """我的志愿服务 (phone first): hours and star, my activities with check-in state, open
    activities to sign up for, teams, certificates and consents."""
    scope = _scope(request)
    volunteer = selectors.volunteer_of(scope)
    if volunteer is None:
        city = _city(request)
        return render(request, "volunteers/not_volunteer.html", {"city": city})
    conf = services.settings_for(volunteer.city_id)
    level = services.star_level(volunteer.total_minutes, conf.star_hours)
    next_hours = next((h for h in conf.star_hours if volunteer.total_minutes < h * 60), None)
    mine = selectors.my_activities(volunteer)
    signed = {row["activity"].pk for row in mine}
    context = {
        "volunteer": volunteer,
        "star": level,
        "star_label": services.star_label(level),
        "stars": range(level),
        "next_hours": next_hours,
        "mine": mine,
        "open": [a for a in selectors.open_activities(scope)[:30] if a.pk not in signed],
        "teams": list(volunteer.teams.all()),
        "records": selectors.records_of(volunteer)[:20],
        "certificates": list(volunteer.certificates.all()[:10]),
        "consents": list(volunteer.consents.all()),
        "consent_form": ConsentForm(),
        "now": timezone.now(),
    }
    return render(request, "volunteers/me.html", context)


@member_required
@require_POST
def join_team(request: HttpRequest) -> HttpResponse:
    volunteer = _my_volunteer(request)
    team_id = request.POST.get("team", "")
    if not team_id.isdigit():
        raise InvalidInput(_("请选择服务队"))
    team = selectors.get_team_for_user(_scope(request), int(team_id))
    try:
        services.join_team(volunteer, team, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已加入「%s」") % team.name)
    return redirect("volunteers:me")


@member_required
@require_GET
def pick_teams(request: HttpRequest) -> JsonResponse:
    """Active teams of the city by name or unit (what a volunteer may join); ``?managed=1``:
    those the user organises activities for, ``?joinable=1``: those the user has not joined."""
    scope = _scope(request)
    if request.GET.get("managed") == "1":
        qs = selectors.teams_managed(scope).filter(active=True).select_related("unit")
    else:
        qs = selectors.teams_for_city(scope)
    volunteer = selectors.volunteer_of(scope) if request.GET.get("joinable") == "1" else None
    if volunteer is not None:
        qs = qs.exclude(members=volunteer)
    return pick_response(
        request,
        qs.order_by("name", "id"),
        search=lambda qs, q: qs.filter(Q(name__icontains=q) | Q(unit__name__icontains=q)),
        rows=lambda teams: [
            {"value": str(t.pk), "text": t.name, "hint": t.unit.name} for t in teams
        ],
    )


@member_required
@require_POST
def consent_grant(request: HttpRequest) -> HttpResponse:
    volunteer = _my_volunteer(request)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写接收方和用途"))
        return redirect("volunteers:me")
    try:
        services.grant_consent(volunteer, **form.cleaned_data, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已记录您的同意"))
    return redirect("volunteers:me")


@member_required
@require_POST
def consent_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _my_volunteer(request)
    consent = get_object_or_404(RecordConsent, pk=pk, volunteer=volunteer)
    try:
        services.revoke_consent(consent, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已撤回"))
    return redirect("volunteers:me")


@member_required
@require_POST
def certificate_new(request: HttpRequest) -> HttpResponse:
    volunteer = _my_volunteer(request)
    try:
        cert = services.issue_certificate(volunteer, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("volunteers:me")
    messages.success(request, _("已出具志愿服务证明 %s") % cert.serial)
    return redirect("volunteers:certificate", pk=cert.pk)


@member_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate PDF, for its volunteer and the office."""
    scope = _scope(request)
    cert = get_object_or_404(
        Certificate.objects.select_related("volunteer__person", "issuer"),
        pk=pk,
        city_id=scope.city_id,
    )
    if cert.volunteer.person_id != scope.person_id and not scope.is_office:
        raise Http404()
    return _download(
        certificates.certificate_pdf(cert),
        certificates.certificate_filename(cert),
        "application/pdf",
    )


# --- activities ---------------------------------------------------------------------------------


@member_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """The organisers' activities (their units and below; the office: all). A volunteer sees
    every activity of the city."""
    scope = _scope(request)
    staff = scope.see_all or bool(scope.unit_paths)
    qs = selectors.managed_activities(scope) if staff else selectors.activity_list_qs(scope)
    f = ActivityFilter(request.GET, queryset=qs)
    page = ActivityTable(request, f.qs).page
    template = list_template(
        request, "volunteers/activity_list.html", "volunteers/_activity_rows.html"
    )
    return render(
        request,
        template,
        {"filter": f, "page": page, "can_create": bool(scope.write_all or scope.unit_paths)},
    )


def _organiser_choices(request: HttpRequest) -> tuple[list[Team], list[Unit]]:
    scope = _scope(request)
    teams = list(selectors.teams_managed(scope).filter(active=True).order_by("name"))
    units = list(scope.filter(Unit.objects.filter(active=True), unit_field=""))
    return teams, units


@member_required
def activity_new(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    teams, units = _organiser_choices(request)
    form = ActivityForm(request.POST or None, teams=teams, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        team = next((t for t in teams if str(t.pk) == d["team"]), None)
        unit = next((u for u in units if str(u.pk) == d["unit"]), None)
        try:
            activity = services.create_activity(
                _city(request),
                services.ActivityData(
                    title=d["title"],
                    organiser_kind=d["organiser_kind"],
                    team=team,
                    unit=unit,
                    description=d["description"],
                    place=d["place"],
                    lon=d["lon"],
                    lat=d["lat"],
                    starts_at=d["starts_at"],
                    ends_at=d["ends_at"],
                    capacity=d["capacity"],
                    radius_m=d["radius_m"],
                    contact=d["contact"],
                ),
                acting_user=request.user,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("活动已发布"))
            return redirect("volunteers:activity", pk=activity.pk)
    city = _city(request)
    return render(request, "volunteers/activity_form.html", {"form": form, "city": city})


@member_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    activity = selectors.get_activity_for_user(scope, pk)
    manage = selectors.can_manage(scope, activity)
    volunteer = selectors.volunteer_of(scope)
    context: dict[str, Any] = {
        "activity": activity,
        "manage": manage,
        "volunteer": volunteer,
        "now": timezone.now(),
    }
    if volunteer is not None:
        context["signed_up"] = activity.signups.filter(
            volunteer=volunteer, status=SignupStatus.SIGNED_UP
        ).exists()
        context["attendance"] = activity.attendances.filter(volunteer=volunteer).first()
    if manage:
        context["attendances"] = list(selectors.attendances_of(activity))
        context["records"] = list(selectors.records_of_activity(activity))
        context["correction_form"] = CorrectionForm()
        context["service_kind"] = RecordKind.SERVICE
    return render(request, "volunteers/activity_detail.html", context)


@member_required
@require_POST
def activity_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Sign-up and its cancellation (the volunteer), confirmation, close and cancel (the
    organiser); each through its service."""
    scope = _scope(request)
    activity = selectors.get_activity_for_user(scope, pk)
    user = request.user
    try:
        if action in ("signup", "unsign"):
            volunteer = _my_volunteer(request)
            if action == "signup":
                services.sign_up(activity, volunteer, acting_user=user)
            else:
                services.cancel_signup(activity, volunteer, acting_user=user)
        elif action == "confirm":
            ids = [int(i) for i in request.POST.getlist("attendance") if i.isdigit()]
            records = services.confirm_hours(activity, attendance_ids=ids or None, acting_user=user)
            messages.success(request, _("已确认 %d 人的服务时长") % len(records))
            return redirect("volunteers:activity", pk=pk)
        elif action == "close":
            services.close_activity(activity, acting_user=user)
        elif action == "cancel":
            services.cancel_activity(
                activity, reason=request.POST.get("reason", ""), acting_user=user
            )
        else:
            raise Http404()
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("操作成功"))
    return redirect("volunteers:activity", pk=pk)


@member_required
@require_POST
def record_correct(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    record = get_object_or_404(ServiceRecord, pk=pk, city_id=scope.city_id)
    if record.activity_id is None:
        raise Http404()
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("更正的内容有误：%s") % form.errors.as_text())
    else:
        try:
            services.correct_record(
                record,
                minutes=form.cleaned_data["minutes"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已记录更正"))
    return redirect("volunteers:activity", pk=record.activity_id)


def _managed(request: HttpRequest, pk: int) -> Any:
    scope = _scope(request)
    activity = selectors.get_activity_for_user(scope, pk)
    if not selectors.can_manage(scope, activity):
        raise NotFound()
    return activity


@member_required
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR display page for a projector or the organiser's phone: check-in and check-out
    codes, refreshed before they expire."""
    activity = _managed(request, pk)
    conf = services.settings_for(activity.city_id)
    action = request.GET.get("action", CheckAction.IN)
    if action not in CheckAction.values:
        action = CheckAction.IN
    link = request.build_absolute_uri(_scan_path(activity, action))
    return render(
        request,
        "volunteers/activity_qr.html",
        {
            "activity": activity,
            "action": action,
            "action_label": CheckAction(action).label,
            "link": link,
            "refresh_s": max(20, conf.qr_minutes * 60 // 2),
            "qr_minutes": conf.qr_minutes,
        },
    )


def _scan_path(activity: Any, action: str) -> str:
    return reverse("volunteers:scan", args=[activity.pk, services.checkin_token(activity, action)])


@member_required
@require_GET
def activity_qr_svg(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A fresh QR code (SVG) of a signed check-in or check-out link."""
    activity = _managed(request, pk)
    if action not in CheckAction.values:
        raise Http404()
    link = request.build_absolute_uri(_scan_path(activity, action))
    svg = segno.make(link, error="m").svg_inline(scale=8, border=2)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["X-Scan-Link"] = link  # lets a test or a kiosk read the link without decoding
    return response


@member_required
def scan(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Where a scanned QR code leads: the volunteer's check-in or check-out page. The phone's
    position is taken on the page (GPS) and sent with the button."""
    scope = _scope(request)
    activity = selectors.get_activity_for_user(scope, pk)
    volunteer = selectors.volunteer_of(scope)
    error, done, action = None, None, None
    try:
        action = services.read_token(
            activity, token, services.settings_for(activity.city_id).qr_minutes
        )
    except ServiceError as exc:
        error = exc.message
    if request.method == "POST" and error is None:
        form = CheckForm(request.POST)
        if volunteer is None:
            error = _("您还不是注册志愿者，不能签到")
        elif not form.is_valid():
            error = _("位置数据有误，请重新定位")
        else:
            try:
                done = services.check_in_or_out(
                    activity,
                    volunteer,
                    token=token,
                    lon=form.cleaned_data.get("lon"),
                    lat=form.cleaned_data.get("lat"),
                    acting_user=request.user,
                )
            except ServiceError as exc:
                if isinstance(exc, Busy):
                    raise
                error = exc.message
    elif volunteer is None and error is None:
        error = _("您还不是注册志愿者，不能签到")
    attendance = activity.attendances.filter(volunteer=volunteer).first() if volunteer else None
    status = 200 if error is None else 400
    return render(
        request,
        "volunteers/scan.html",
        {
            "activity": activity,
            "action": action,
            "action_label": CheckAction(action).label if action else "",
            "error": error,
            "done": done,
            "attendance": attendance,
            "volunteer": volunteer,
        },
        status=status if request.method == "POST" else 200,
    )


# --- office and units: volunteers, teams, import, export, settings ----------------------------


@member_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    scope = _scope(request)
    f = VolunteerFilter(request.GET, queryset=selectors.volunteer_list_qs(scope))
    page = VolunteerTable(request, f.qs).page
    conf = services.settings_for(scope.city_id)
    for v in page:
        v.star = services.star_level(v.total_minutes, conf.star_hours)
    template = list_template(
        request, "volunteers/volunteer_list.html", "volunteers/_volunteer_rows.html"
    )
    return render(request, template, {"filter": f, "page": page, "period": PeriodForm()})


@member_required
@require_GET
def volunteer_export(request: HttpRequest) -> HttpResponse:
    """服务时长导出: the list's filter, over a period (by the date hours were recorded)."""
    _require_staff(request)
    scope = _scope(request)
    f = VolunteerFilter(request.GET, queryset=selectors.volunteer_list_qs(scope))
    period = PeriodForm(request.GET)
    if not period.is_valid():
        raise InvalidInput(_("期间日期有误：%s") % period.errors.as_text())
    since, until = period.cleaned_data.get("since"), period.cleaned_data.get("until")
    data = exports.hours_workbook(
        f.qs, services.settings_for(scope.city_id).star_hours, since, until
    )
    today = timezone.localdate().isoformat()
    return _download(data, f"志愿服务时长-{today}.xlsx", exports.XLSX)


def _detail_context(request: HttpRequest, volunteer: Any, **extra: Any) -> dict[str, Any]:
    conf = services.settings_for(volunteer.city_id)
    level = services.star_level(volunteer.total_minutes, conf.star_hours)
    return {
        "volunteer": volunteer,
        "star_label": services.star_label(level),
        "records": selectors.records_of(volunteer)[:200],
        "trainings": list(volunteer.trainings.all()),
        "awards": list(volunteer.awards.all()),
        "evaluations": list(volunteer.evaluations.select_related("activity")),
        "consents": list(volunteer.consents.all()),
        "certificates": list(volunteer.certificates.all()),
        "teams": list(volunteer.teams.all()),
        "training_form": TrainingForm(),
        "award_form": AwardForm(),
        "evaluation_form": EvaluationForm(),
        "reveal_form": RevealForm(),
        **extra,
    }


@member_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """志愿者档案: the five parts of the record; the office may reveal the ID number (audited)
    and give the record to a third party the volunteer consented to."""
    _require_staff(request)
    volunteer = selectors.get_volunteer_for_user(_scope(request), pk)
    return render(request, "volunteers/volunteer_detail.html", _detail_context(request, volunteer))


@office_required
@require_POST
def volunteer_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.get_volunteer_for_user(_scope(request), pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = services.reveal_id_number(
                volunteer, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ServiceError as exc:
            messages.error(request, str(exc.message))
    else:
        messages.error(request, _("请填写查看事由"))
    context = _detail_context(request, volunteer, revealed=revealed)
    return render(request, "volunteers/volunteer_detail.html", context)


@member_required
@require_POST
def volunteer_add(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """Add to a part of the record: training, award or evaluation."""
    _require_staff(request)
    volunteer = selectors.get_volunteer_for_user(_scope(request), pk)
    forms_by_part = {"training": TrainingForm, "award": AwardForm, "evaluation": EvaluationForm}
    if part not in forms_by_part:
        raise Http404()
    form = forms_by_part[part](request.POST)
    if not form.is_valid():
        messages.error(request, _("填写有误：%s") % form.errors.as_text())
        return redirect("volunteers:volunteer", pk=pk)
    d, user = form.cleaned_data, request.user
    try:
        if part == "training":
            services.add_training(volunteer, **d, acting_user=user)
        elif part == "award":
            services.add_award(volunteer, **d, acting_user=user)
        else:
            services.evaluate_volunteer(volunteer, **d, acting_user=user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已添加"))
    return redirect("volunteers:volunteer", pk=pk)


@office_required
@require_POST
def volunteer_disclose(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    volunteer = selectors.get_volunteer_for_user(_scope(request), pk)
    consent = get_object_or_404(RecordConsent, pk=consent_pk, volunteer=volunteer)
    data = services.disclose_record(consent, acting_user=request.user)
    return _download(
        data, f"志愿服务档案-{volunteer.person.name}-{consent.recipient}.xlsx", exports.XLSX
    )


@office_required
def volunteer_import(request: HttpRequest) -> HttpResponse:
    if request.GET.get("template"):
        return _download(services.import_template(), "志愿者导入模板.xlsx", exports.XLSX)
    form = ImportForm(request.POST or None, request.FILES or None)
    failure = None
    if request.method == "POST" and form.is_valid():
        try:
            n = services.import_volunteers(
                _city(request), form.cleaned_data["file"].read(), acting_user=request.user
            )
        except ImportFailed as exc:
            failure = exc
        else:
            messages.success(request, _("导入成功：%d 名志愿者") % n)
            return redirect("volunteers:list")
    return render(request, "volunteers/import.html", {"form": form, "failure": failure})


@member_required
def team_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    scope = _scope(request)
    f = TeamFilter(request.GET, queryset=selectors.teams_for_city(scope))
    units = list(scope.filter(Unit.objects.filter(active=True), unit_field=""))
    form = TeamForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = next((u for u in units if str(u.pk) == d["unit"]), None)
        try:
            team = services.create_team(
                _city(request),
                name=d["name"],
                unit=unit,  # type: ignore[arg-type]
                leader=d["leader"],
                contact=d["contact"],
                description=d["description"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已建立服务队「%s」") % team.name)
            return redirect("volunteers:teams")
    page = TeamTable(request, f.qs).page
    return render(request, "volunteers/team_list.html", {"filter": f, "page": page, "form": form})


@member_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    scope = _scope(request)
    team = selectors.get_team_for_user(scope, pk)
    members = team.members.select_related("person", "area").order_by("person__name")
    activities = selectors.activity_list_qs(scope).filter(team=team)[:50]
    return render(
        request,
        "volunteers/team_detail.html",
        {"team": team, "members": MemberTable(request, members).page, "activities": activities},
    )


@office_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """The city's volunteer rules and the organisation issuing certificates (with its seal)."""
    city = _city(request)
    conf = services.settings_for(city.pk)
    issuer = Issuer.objects.filter(city=city).first()
    which = request.POST.get("form") if request.method == "POST" else None
    sform = SettingsForm(
        request.POST if which == "settings" else None,
        initial={
            "resident_population": conf.resident_population,
            "star_hours": ",".join(str(h) for h in conf.star_hours),
            "checkin_radius_m": conf.checkin_radius_m,
            "qr_minutes": conf.qr_minutes,
        },
    )
    iform = IssuerForm(
        request.POST if which == "issuer" else None,
        request.FILES if which == "issuer" else None,
        initial={
            "name": issuer.name if issuer else f"{city.name}志愿服务联合会",
            "person_in_charge": issuer.person_in_charge if issuer else "",
            "handler": issuer.handler if issuer else "",
            "contact": issuer.contact if issuer else "",
        },
    )
    try:
        if which == "settings" and sform.is_valid():
            d = sform.cleaned_data
            services.update_volunteer_settings(
                city,
                resident_population=d["resident_population"],
                star_hours=[s for s in d["star_hours"].replace("，", ",").split(",") if s.strip()],
                checkin_radius_m=d["checkin_radius_m"],
                qr_minutes=d["qr_minutes"],
                acting_user=request.user,
            )
            messages.success(request, _("已保存"))
            return redirect("volunteers:settings")
        if which == "issuer" and iform.is_valid():
            services.save_issuer(city, **iform.cleaned_data, acting_user=request.user)
            messages.success(request, _("已保存"))
            return redirect("volunteers:settings")
    except ServiceError as exc:
        (sform if which == "settings" else iform).add_error(None, str(exc.message))
    return render(
        request,
        "volunteers/settings.html",
        {"sform": sform, "iform": iform, "issuer": issuer, "conf": conf},
    )


@office_required
@require_GET
def seal_image(request: HttpRequest) -> HttpResponse:
    issuer = Issuer.objects.filter(city_id=_scope(request).city_id).first()
    if issuer is None or not issuer.seal:
        raise Http404()
    with issuer.seal.open("rb") as f:
        data = f.read()
    mime = mimetypes.guess_type(issuer.seal.name or "")[0] or "image/png"
    response = HttpResponse(data, content_type=mime)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ==== end of volunteers ========================================================================
