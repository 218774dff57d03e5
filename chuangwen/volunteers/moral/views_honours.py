"""Pages of moral models and good people: the office's nomination, review, 公示 and publication
pages, and the public ones — the 好人榜 (searchable), a nominee's story, the 公示 page with its
objection form, the citizens' nomination form."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chuangwen.core import submissions
from chuangwen.core.errors import Busy, InvalidInput, NotFound, ServiceError
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.ratelimit import hit
from chuangwen.core.views import list_template
from chuangwen.org.actors import PUBLIC
from chuangwen.org.models import City, Unit
from chuangwen.volunteers.tables import CardTable, HonourTable

from ..models import GoodDeed, MoralModel, PublicObjection, Selection
from . import selectors, services
from .choices import HonourStatus, NominatedBy
from .filters import HonourFilter, PublicHonourFilter
from .forms import (
    DecisionForm,
    NoticeDaysForm,
    ObjectionForm,
    PublicHonourForm,
    ReviewForm,
    UnitHonourForm,
)

PUBLIC_NOMINATION = "volunteers.public_nomination"
PUBLIC_OBJECTION = "volunteers.public_objection"


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


def _units_for_nomination(scope: Any) -> Any:
    return scope.filter(Unit.objects.filter(active=True), unit_field="").order_by("path")


@member_required
@require_GET
def honour_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    f = HonourFilter(request.GET, queryset=selectors.honours_for_user(scope))
    page = HonourTable(request, f.qs.order_by("-year", "-id")).page
    template = list_template(
        request, "volunteers/moral/honour_list.html", "volunteers/moral/_honour_rows.html"
    )
    city = City.objects.only("code").get(pk=scope.city_id)
    return render(request, template, {"filter": f, "page": page, "city": city})


@member_required
def honour_create(request: HttpRequest) -> HttpResponse:
    """A unit's nomination (its liaison, or the office for any unit)."""
    scope = _scope(request)
    units = _units_for_nomination(scope)
    form = UnitHonourForm(
        request.POST or None, request.FILES or None, city_id=scope.city_id, units=units
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            honour = services.nominate_honour(
                City.objects.get(pk=scope.city_id), kind=d["kind"], category=d["category"],
                year=d["year"], level=d["level"], name=d["name"], unit=d["unit"],
                title=d["title"], story=d["story"], nominated_by=NominatedBy.UNIT,
                nominator_unit=d["nominator_unit"], photo=d.get("photo"),
                acting_user=request.user,
            )  # fmt: skip
        except InvalidInput as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("推荐已提交"))
            return redirect("volunteers:honour", honour.pk)
    status = 400 if form.errors else 200
    return render(request, "volunteers/moral/honour_form.html", {"form": form}, status=status)


@member_required
@require_GET
def honour_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    honour = selectors.get_honour_for_user(scope, pk)
    return render(
        request,
        "volunteers/moral/honour_detail.html",
        {
            "honour": honour,
            "objections": selectors.objections_of(honour),
            "review_form": ReviewForm(),
            "days_form": NoticeDaysForm(),
            "decision_form": DecisionForm(),
            "is_office": scope.is_office,
            "city": City.objects.only("code").get(pk=honour.city_id),
        },
    )


@office_required
@require_POST
def honour_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    honour = selectors.get_honour_for_user(_scope(request), pk)
    review = ReviewForm(request.POST)
    note = review.cleaned_data["note"] if review.is_valid() else ""
    targets = {
        "screen": HonourStatus.SCREENED,
        "approve": HonourStatus.APPROVED,
        "reject": HonourStatus.REJECTED,
    }
    if action in targets:
        services.review_honour(honour, target=targets[action], note=note, acting_user=request.user)
    elif action == "notice":
        days = NoticeDaysForm(request.POST)
        if not days.is_valid():
            raise InvalidInput(_("公示天数为 5 到 30 天"), code="bad_days")
        services.start_honour_notice(
            honour, days=days.cleaned_data["days"], acting_user=request.user
        )
    elif action == "publish":
        services.publish_honour(honour, acting_user=request.user)
    else:
        raise NotFound()
    messages.success(request, _("已保存"))
    return redirect("volunteers:honour", honour.pk)


@member_required
@require_POST
def objection_handle(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide an objection (deeds: the bank's council; nominees, selections: the office)."""
    scope = _scope(request)
    objection = get_object_or_404(
        PublicObjection.objects.select_related("deed__bank"), pk=pk, city_id=scope.city_id
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("请选择处理结果并填写意见"), code="bad_form")
    services.handle_objection(
        objection, uphold=form.cleaned_data["decision"] == "yes", note=form.cleaned_data["note"],
        acting_user=request.user,
    )  # fmt: skip
    messages.success(request, _("异议已处理"))
    if objection.honour_id:
        return redirect("volunteers:honour", objection.honour_id)
    if objection.selection_id:
        return redirect("volunteers:selection", objection.selection_id)
    return redirect("volunteers:deeds")


# --- public pages -------------------------------------------------------------------------------


def _public_city(code: str) -> City:
    return get_object_or_404(City, code=code)


@login_not_required
@require_GET
def public_board(request: HttpRequest, city_code: str) -> HttpResponse:
    """好人榜: published moral models and good people, searchable."""
    city = _public_city(city_code)
    f = PublicHonourFilter(request.GET, queryset=selectors.published_honours(city))
    page = CardTable(request, f.qs).page
    template = list_template(
        request, "volunteers/moral/public_board.html", "volunteers/moral/_board_cards.html"
    )
    return render(request, template, {"city": city, "filter": f, "page": page})


@login_not_required
@require_GET
def public_honour(request: HttpRequest, city_code: str, pk: int) -> HttpResponse:
    city = _public_city(city_code)
    honour = selectors.get_public_honour(city, pk)
    return render(request, "volunteers/moral/public_honour.html", {"city": city, "honour": honour})


@login_not_required
@require_GET
def public_photo(request: HttpRequest, city_code: str, pk: int) -> FileResponse:
    """A published (or posted) nominee's photo: the re-encoded copy, without EXIF."""
    honour = selectors.get_public_honour(_public_city(city_code), pk)
    if not honour.photo:
        raise NotFound()
    response = FileResponse(honour.photo.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _target(city: City, kind: str, pk: int) -> GoodDeed | MoralModel | Selection:
    target: GoodDeed | MoralModel | Selection | None
    if kind == "honour":
        target = MoralModel.objects.filter(city=city, pk=pk).first()
    elif kind == "deed":
        target = GoodDeed.objects.filter(city=city, pk=pk).first()
    elif kind == "selection":
        target = Selection.objects.filter(city=city, pk=pk).first()
    else:
        raise NotFound()
    if target is None:
        raise NotFound()
    return target


def _limited(request: HttpRequest, phone: str, what: str) -> bool:
    ip = request.META.get("REMOTE_ADDR", "")
    return not hit([f"{what}:ip:{ip}", f"{what}:phone:{phone}"], 10, 3600)


@login_not_required
def public_notice(request: HttpRequest, city_code: str) -> HttpResponse:
    """公示: nominees, good deeds and civility selections in their notice period, each with an
    objection form; an objection after the period has ended is refused."""
    city = _public_city(city_code)
    form = ObjectionForm(
        request.POST or None, initial={"token": submissions.issue(PUBLIC_OBJECTION)}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                target = _target(
                    city, request.POST.get("target", ""), _int(request.POST.get("target_id"))
                )
                if submissions.result_of(d["token"], PUBLIC_OBJECTION) is None:
                    if _limited(request, d["contact_phone"], "objection"):
                        raise InvalidInput(_("提交过于频繁，请稍后再试"), code="rate_limited")

                    def file() -> str:
                        o = services.file_objection(
                            target, text=d["text"], contact_name=d["contact_name"],
                            contact_phone=d["contact_phone"], acting_user=PUBLIC,
                        )  # fmt: skip
                        return str(o.pk)

                    submissions.once(d["token"], PUBLIC_OBJECTION, file)
            except ServiceError as exc:
                if isinstance(exc, Busy):
                    raise
                messages.error(request, str(exc.message))
                status = 400
            else:
                messages.success(request, _("异议已提交，我们将在公示期满后一并核实处理"))
                return redirect("volunteers:public_notice", city.code)
        else:
            status = 400
            messages.error(request, _("请填写异议内容和正确的手机号"))
    items = selectors.in_notice(city)
    return render(
        request,
        "volunteers/moral/public_notice.html",
        {"city": city, "form": form, **items},
        status=status,
    )


def _int(value: Any) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < n < 2**63:
        raise NotFound()
    return n


@login_not_required
def public_nominate(request: HttpRequest, city_code: str) -> HttpResponse:
    """Citizens recommend a good person (身边好人) or a moral model."""
    city = _public_city(city_code)
    form = PublicHonourForm(
        request.POST or None,
        request.FILES or None,
        city_id=city.pk,
        initial={"token": submissions.issue(PUBLIC_NOMINATION)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def file() -> str:
            honour = services.nominate_honour(
                city, kind=d["kind"], category=d["category"], year=d["year"], name=d["name"],
                unit=d["unit"], title=d["title"], story=d["story"],
                nominated_by=NominatedBy.CITIZEN, nominator_name=d["nominator_name"],
                nominator_phone=d["nominator_phone"], photo=d.get("photo"), acting_user=PUBLIC,
            )  # fmt: skip
            return str(honour.pk)

        try:
            if submissions.result_of(d["token"], PUBLIC_NOMINATION) is None:
                if _limited(request, d["nominator_phone"], "nominate"):
                    raise InvalidInput(_("提交过于频繁，请稍后再试"), code="rate_limited")
                submissions.once(d["token"], PUBLIC_NOMINATION, file)
        except ServiceError as exc:
            if isinstance(exc, Busy):
                raise
            form.add_error(None, str(exc.message))
        else:
            return render(request, "volunteers/moral/public_thanks.html", {"city": city})
    status = 400 if form.errors else 200
    return render(
        request,
        "volunteers/moral/public_nominate.html",
        {"city": city, "form": form},
        status=status,
    )
