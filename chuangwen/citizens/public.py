"""The public portal (no account, phone first): /citizens/p/<city code>/…

Part B: the portal's front page linking report (随手拍), my reports, suggestions, votes,
campaign progress, compound rankings and the exposure board; casting a ballot. Small pages
with a light base (no Bootstrap JS, no htmx); every write and every look-up of codes is rate
limited (``core.ratelimit``); free text is masked (``core.text.public_text``) and nobody's
name or phone number is shown.
"""

import hashlib
import ipaddress
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chuangwen.cases import selectors as case_selectors
from chuangwen.cases.choices import PUBLIC_STATE, State
from chuangwen.core import ratelimit, submissions
from chuangwen.core.errors import Busy, InvalidInput, ServiceError
from chuangwen.org.actors import PUBLIC
from chuangwen.org.models import Person

from . import selectors, services
from .choices import SCORE_LABELS, CampaignKind, RoundKind, RoundStatus, Verdict, VoteStatus
from .forms import BallotForm
from .models import CampaignPhoto, CompoundScore, Vote
from .progress import progress_of, rollup

DEVICE_COOKIE = "cw_device"
DEVICE_AGE = 400 * 24 * 3600
BALLOT = "citizens.ballot"  # purpose of the ballot form's one-time tokens
VOTE_LIMIT = (30, 3600)  # ballots per network and per phone number per hour
LOOKUP_LIMIT = (60, 3600)  # status look-ups of "my reports" per network per hour
MAX_CODES = 20
PAGE_LIMIT = (120, 60)  # public page views per client address per minute
SEARCH_LIMIT = 30  # compounds listed on the ballot for one search


def network_of(request: HttpRequest) -> str:
    """The client's network: its /24 (IPv4) or /64 (IPv6) — households and offices behind one
    address, and the neighbours of a rented block, count together."""
    addr = request.META.get("REMOTE_ADDR", "")
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr[:64]
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def _limited(keys: list[str], limit: tuple[int, int]) -> bool:
    return not ratelimit.hit(keys, *limit)


def page_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Every public page is rate limited per client address (``CITIZENS_PAGE_LIMIT`` views per
    window, default 120 a minute): a scraper or a stuck reload loop gets a 429 in Chinese."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        limit = getattr(settings, "CITIZENS_PAGE_LIMIT", PAGE_LIMIT)
        addr = request.META.get("REMOTE_ADDR", "")[:64]
        if _limited(["citizens:page:" + _digest(addr)], limit):
            response = HttpResponse(
                _("访问过于频繁，请稍后再试"), status=429, content_type="text/plain; charset=utf-8"
            )
            response["Retry-After"] = str(limit[1])
            return response
        return view(request, *args, **kwargs)

    return wrapped


def _device(request: HttpRequest) -> tuple[str, bool]:
    """The device's random id from its cookie (new: set on the response)."""
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    if 16 <= len(raw) <= 64 and raw.isalnum():
        return raw, False
    return secrets.token_hex(16), True


def _with_device(
    response: HttpResponse, request: HttpRequest, device: str, new: bool
) -> HttpResponse:
    if new:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _person(request: HttpRequest) -> Person | None:
    if not request.user.is_authenticated:
        return None
    return Person.objects.filter(user_id=request.user.pk, active=True).first()


# --- the portal -----------------------------------------------------------------------------


@login_not_required
@page_limit
@require_GET
def portal(request: HttpRequest, city_code: str) -> HttpResponse:
    city = selectors.public_city(city_code)
    rounds = list(
        selectors.public_rounds(city).exclude(kind=RoundKind.SATISFACTION).order_by("-id")[:3]
    )
    campaigns = list(selectors.public_campaigns(city).order_by("-id")[:5])
    progress = rollup(campaigns)
    for c in campaigns:
        c.percent = progress[c.pk].percent  # type: ignore[attr-defined]
    return render(
        request,
        "citizens/p/portal.html",
        {
            "city": city,
            "rounds": rounds,
            "campaigns": campaigns,
            "board": selectors.board_counts(city),
            "ranking": selectors.public_rankings(city).order_by("-period_end", "-id").first(),
        },
    )


@login_not_required
@page_limit
@require_GET
def my_reports(request: HttpRequest, city_code: str) -> HttpResponse:
    """我的上报: the tracking codes this device remembers (localStorage, ``my.js``), a look-up
    by code, and for a logged-in person the reports filed from their account."""
    city = selectors.public_city(city_code)
    account = [
        {
            "code": r.tracking_code,
            "text": r.description or r.case.description,  # the person's own words
            "state": PUBLIC_STATE.get(State(r.case.state), ""),
            "reported": r.reported_at,
            "rate": r.awaits_rating,
        }
        for r in case_selectors.reports_of_account(request.user, city.pk)
    ]
    return render(request, "citizens/p/my_reports.html", {"city": city, "account": account})


@login_not_required
@page_limit
@require_GET
def my_status(request: HttpRequest, city_code: str) -> JsonResponse:
    """The public state of up to 20 tracking codes (the codes are the secret): no names, no
    phone numbers, no text."""
    city = selectors.public_city(city_code)
    if _limited(["citizens:lookup:" + _digest(network_of(request))], LOOKUP_LIMIT):
        return JsonResponse({"message": _("查询过于频繁，请稍后再试")}, status=429)
    codes = [c.strip().upper() for c in request.GET.get("codes", "").split(",") if c.strip()]
    out = []
    for code in codes[:MAX_CODES]:
        report = case_selectors.report_by_code(code)
        if report is None or report.city_id != city.pk:
            out.append({"code": code[:12], "found": False})
            continue
        out.append(
            {
                "code": report.tracking_code,
                "found": True,
                "state": str(PUBLIC_STATE.get(State(report.case.state), "")),
                "reported": f"{report.reported_at:%Y-%m-%d}",
                "url": reverse("cases:track", args=[report.tracking_code]),
            }
        )
    return JsonResponse({"reports": out})


# --- votes ----------------------------------------------------------------------------------


@login_not_required
@page_limit
@require_GET
def vote_list(request: HttpRequest, city_code: str) -> HttpResponse:
    city = selectors.public_city(city_code)
    rounds = list(
        selectors.public_rounds(city).exclude(kind=RoundKind.SATISFACTION).order_by("-id")[:30]
    )
    return render(request, "citizens/p/vote_list.html", {"city": city, "rounds": rounds})


def _ballot_candidates(round_: Any, q: str) -> list[Any]:
    qs = round_.candidates.filter(withdrawn=False).order_by("sort", "id")
    if round_.kind != RoundKind.COMPOUND:
        return list(qs)
    if not q:
        return []
    return list(qs.filter(title__icontains=q)[:SEARCH_LIMIT])


@login_not_required
@page_limit
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, city_code: str, pk: int) -> HttpResponse:
    """One round's page: the ballot while it is open, the result once published. A ballot sent
    twice (a double tap, a resend) is counted once and both answers say it was received."""
    city = selectors.public_city(city_code)
    round_ = selectors.get_public_round(city, pk)
    device, new_device = _device(request)
    q = (request.GET.get("q") or request.POST.get("q") or "").strip()[:30]
    accepting = round_.accepting_votes()
    candidates = _ballot_candidates(round_, q) if accepting else []
    if request.method == "POST":
        # the ballot is checked against every candidate of the round, not just those listed
        all_candidates = round_.candidates.filter(withdrawn=False)
        form = BallotForm(request.POST, candidates=all_candidates, scored=round_.scored)
    else:
        form = BallotForm(
            initial={"token": submissions.issue(BALLOT)},
            candidates=candidates,
            scored=round_.scored,
        )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _cast(request, round_, form, device)
            except ServiceError as exc:
                if isinstance(exc, Busy):  # 503 + Retry-After (core.busy)
                    raise
                form.add_error(None, str(exc.message))
                status = exc.status
                if exc.code == "stale_form":  # the re-shown form gets a token that works
                    data = request.POST.copy()
                    data["token"] = submissions.issue(BALLOT)
                    form.data = data
            else:
                if (
                    Vote.objects.filter(
                        round=round_, device_key=services.device_key(round_, device)
                    )
                    .exclude(status=VoteStatus.COUNTED)
                    .exists()
                ):
                    messages.warning(
                        request,
                        _(
                            "您的选票已收到。因同一网络短时间内投票较多，"
                            "这张选票将在工作人员复核后计入结果。"
                        ),
                    )
                else:
                    messages.success(request, _("投票成功，感谢您的参与！"))
                response: HttpResponse = redirect("citizens:p_vote", city.code, round_.pk)
                return _with_device(response, request, device, new_device)
        else:
            status = 400
    rows = services.tally(round_) if round_.status == RoundStatus.PUBLISHED else []
    context = {
        "city": city,
        "round": round_,
        "form": form,
        "candidates": candidates,
        "accepting": accepting,
        # this device's own ballot in the round (the cookie is the device's secret)
        "voted": (
            request.method == "GET"
            and accepting
            and not new_device
            and Vote.objects.filter(
                round=round_, device_key=services.device_key(round_, device)
            ).exists()
        ),
        "rows": rows,
        "q": q,
        "selected": set(request.POST.getlist("choice")) if form.is_bound else set(),
        "not_started": bool(
            round_.status == RoundStatus.OPEN
            and round_.opens_at
            and timezone.now() < round_.opens_at
        ),
        "scores": list(SCORE_LABELS.items()),
        "ranking": getattr(round_, "ranking", None) if round_.kind == RoundKind.COMPOUND else None,
        "campaigns": {
            c.candidate_id: c
            for c in selectors.public_campaigns(city).filter(candidate__round=round_)
        },
    }
    response = render(request, "citizens/p/vote.html", context, status=status)
    return _with_device(response, request, device, new_device)


def _cast(request: HttpRequest, round_: Any, form: BallotForm, device: str) -> None:
    d = form.cleaned_data
    network = network_of(request)
    phone = services.normalise_phone(d["phone"])

    def make() -> str:
        voter = services.Voter(phone=phone, device=device, network=network, person=_person(request))
        actor = request.user if request.user.is_authenticated else PUBLIC
        vote = services.cast_vote(round_, voter, form.choices(), acting_user=actor)
        return str(vote.pk)

    if submissions.result_of(d["token"], BALLOT) is not None:
        return  # this very ballot was already received
    keys = ["citizens:vote:" + _digest(network), "citizens:vote:phone:" + _digest(phone)]
    if _limited(keys, VOTE_LIMIT):
        raise InvalidInput(_("提交过于频繁，请稍后再试"), code="rate_limited")
    submissions.once(d["token"], BALLOT, make)


# --- campaigns ------------------------------------------------------------------------------


@login_not_required
@page_limit
@require_GET
def campaign_list(request: HttpRequest, city_code: str) -> HttpResponse:
    city = selectors.public_city(city_code)
    campaigns = list(
        selectors.public_campaigns(city).select_related("lead_unit").order_by("status", "-id")[:100]
    )
    progress = rollup(campaigns)
    for c in campaigns:
        c.percent = progress[c.pk].percent  # type: ignore[attr-defined]
    groups = [
        (label, [c for c in campaigns if c.kind == kind]) for kind, label in CampaignKind.choices
    ]
    return render(
        request,
        "citizens/p/campaign_list.html",
        {"city": city, "groups": [(label, rows) for label, rows in groups if rows]},
    )


@login_not_required
@page_limit
@require_GET
def campaign(request: HttpRequest, city_code: str, pk: int) -> HttpResponse:
    """进展公开: the target, the progress and its parts, the milestones, the whole history from
    the citizens' votes to what was done, the before/after photos and the re-vote."""
    city = selectors.public_city(city_code)
    c = selectors.get_public_campaign(city, pk)
    satisfaction = c.satisfaction_rounds.exclude(status=RoundStatus.DRAFT).order_by("-id").first()
    return render(
        request,
        "citizens/p/campaign.html",
        {
            "city": city,
            "campaign": c,
            "progress": progress_of(c),
            "milestones": list(c.milestones.all()),
            "history": selectors.campaign_history(c),
            "evidence": list(c.photos.filter(kind__in=["before", "after"])),
            "satisfaction": satisfaction,
            "supports": [s.unit.name for s in c.supports.select_related("unit")],
        },
    )


@login_not_required
@page_limit
@require_GET
def campaign_photo(request: HttpRequest, city_code: str, pk: int, photo_pk: int) -> FileResponse:
    """A campaign photo as the public sees it: the re-encoded copy without EXIF."""
    city = selectors.public_city(city_code)
    c = selectors.get_public_campaign(city, pk)
    row = get_object_or_404(CampaignPhoto, campaign=c, pk=photo_pk)
    response = FileResponse(row.public.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- compound rankings ----------------------------------------------------------------------


@login_not_required
@page_limit
@require_GET
def ranking_list(request: HttpRequest, city_code: str) -> HttpResponse:
    city = selectors.public_city(city_code)
    rankings = list(selectors.public_rankings(city).order_by("-period_end", "-id")[:20])
    voting = list(
        selectors.public_rounds(city).filter(kind=RoundKind.COMPOUND, status=RoundStatus.OPEN)
    )
    return render(
        request,
        "citizens/p/ranking_list.html",
        {"city": city, "rankings": rankings, "voting": voting},
    )


@login_not_required
@page_limit
@require_GET
def ranking(request: HttpRequest, city_code: str, pk: int) -> HttpResponse:
    city = selectors.public_city(city_code)
    r = get_object_or_404(selectors.public_rankings(city), pk=pk)
    scores = CompoundScore.objects.filter(ranking=r).select_related("site", "campaign")
    return render(
        request,
        "citizens/p/ranking.html",
        {
            "city": city,
            "ranking": r,
            "best": list(scores.filter(verdict=Verdict.BEST).order_by("rank")),
            "worst": list(scores.filter(verdict=Verdict.WORST).order_by("-rank")),
            "rechecks": list(scores.filter(was_worst=True).order_by("site__code")),
            "ranked": scores.filter(eligible=True).count(),
            "total": scores.count(),
        },
    )


# --- the exposure board (曝光台) -------------------------------------------------------------


@login_not_required
@page_limit
@require_GET
def board(request: HttpRequest, city_code: str) -> HttpResponse:
    city = selectors.public_city(city_code)
    rows = list(selectors.public_commitments(city)[:200])
    for c in rows:
        updates = list(c.updates.all())  # prefetched, oldest first
        c.last_update = updates[-1] if updates else None  # type: ignore[attr-defined]
    return render(
        request,
        "citizens/p/board.html",
        {"city": city, "rows": rows, "counts": selectors.board_counts(city)},
    )
