"""Pages of the office and the units (thin: parse, call a service, render). The public portal
is in ``public.py``.

Part B: rounds of the 10 things, campaigns, compound rankings, 问政.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chuangwen.cases import selectors as case_selectors
from chuangwen.cases.models import Case
from chuangwen.core.errors import NotFound, ServiceError
from chuangwen.core.models import BY_RANK
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import download, form_page, list_template
from chuangwen.indicators.models import SiteType
from chuangwen.org.models import City
from chuangwen.sites import selectors as site_selectors
from chuangwen.tasks import selectors as task_selectors

from . import exports, selectors, services
from .choices import (
    BudgetChangeStatus,
    CampaignKind,
    CampaignStatus,
    MilestoneStatus,
    RoundKind,
    RoundStatus,
    VoteStatus,
)
from .filters import CampaignFilter, CommitmentFilter, RoundFilter
from .forms import (
    AcceptanceForm,
    BudgetForm,
    CampaignForm,
    CandidateForm,
    ChangeForm,
    CommitmentForm,
    DecideForm,
    EntryForm,
    EpisodeForm,
    ExposureForm,
    FollowUpForm,
    LinkForm,
    MilestoneForm,
    MilestoneStatusForm,
    PublishForm,
    RankingForm,
    RankingPublishForm,
    ReasonForm,
    ReportForm,
    ReviewForm,
    ReviewVotesForm,
    RoundForm,
    UnlinkForm,
)
from .models import (
    BudgetChange,
    Campaign,
    CampaignPhoto,
    Candidate,
    Commitment,
    CompoundScore,
    Milestone,
    Topic,
    Vote,
)
from .progress import progress_of, rollup
from .tables import CampaignTable, CitizenRoundTable, CommitmentTable, EpisodeTable, RankingTable

PICK_LIMIT = 30
# the link pickers of a campaign page: kind, label, search hint
LINK_KINDS = [
    ("case", gettext_lazy("案件"), gettext_lazy("案件编号或描述")),
    ("task", gettext_lazy("任务"), gettext_lazy("指标编号或名称")),
    ("site", gettext_lazy("点位"), gettext_lazy("点位名称或编码")),
]


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


def _city(request: HttpRequest) -> City:
    return City.objects.get(pk=_scope(request).city_id)


def _form_error(form: Any) -> str:
    return "；".join(f"{e}" for errors in form.errors.values() for e in errors)


def _act(request: HttpRequest, done: str, call: Callable[[], Any]) -> Any:
    """Run a service; its refusal (or success) goes to the page as a message."""
    try:
        result = call()
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return None
    messages.success(request, done)
    return result if result is not None else True


def _submit(request: HttpRequest, form: Any, done: str, call: Callable[[Any], Any]) -> Any:
    """A posted form: a valid one's data goes to ``call`` (a service) as ``_act`` runs it; an
    invalid one's errors go to the page as a message. ``_act``'s answer, None when invalid."""
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return None
    return _act(request, done, lambda: call(form.cleaned_data))


# --- rounds of the 10 things ----------------------------------------------------------------


@member_required
def rounds(request: HttpRequest) -> HttpResponse:
    """投票轮次: the 10 things (the satisfaction re-votes are reached from their campaigns)."""
    scope = _scope(request)
    qs = selectors.rounds_for_user(scope).exclude(kind=RoundKind.COMPOUND)
    f = RoundFilter(request.GET, queryset=qs)
    page = CitizenRoundTable(request, f.qs.order_by("-id")).page
    form = RoundForm(request.POST or None) if scope.is_office else None
    if request.method == "POST":
        if form is None:
            raise NotFound()
        created = _submit(
            request,
            form,
            _("已创建投票，请添加候选事项"),
            lambda d: services.create_round(_city(request), **d, acting_user=request.user),
        )
        if created:
            return redirect("citizens:round", created.pk)
    template = list_template(request, "citizens/round_list.html", "citizens/_round_rows.html")
    return render(request, template, {"filter": f, "page": page, "form": form})


@member_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.get_round_for_user(_scope(request), pk)
    rows = services.tally(round_)
    flagged = list(
        Vote.objects.filter(round=round_, status=VoteStatus.FLAGGED).order_by("cast_at")[:200]
    )
    candidates = round_.candidates.filter(withdrawn=False)
    campaigns = {
        c.candidate_id: c
        for c in Campaign.objects.filter(candidate__round=round_).only("pk", "candidate_id")
    }
    for r in rows:
        r.campaign = campaigns.get(r.candidate.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "citizens/round_detail.html",
        {
            "round": round_,
            "rows": rows,
            "figures": services.integrity(round_),
            "flagged": flagged,
            "candidate_form": CandidateForm(),
            "hot_topics": selectors.shortlist_topics(round_),
            "publish_form": PublishForm(candidates=candidates),
            "accepting": round_.accepting_votes(),
        },
    )


@office_required
@require_POST
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    round_ = selectors.get_round_for_user(_scope(request), pk)
    user = request.user
    back = redirect("citizens:round", round_.pk)
    if action == "candidate":
        form = CandidateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_error(form))
            return back
        _act(
            request,
            _("已添加候选事项"),
            lambda: services.add_candidate(round_, **form.cleaned_data, acting_user=user),
        )
    elif action == "topic":
        raw = request.POST.get("topic") or ""
        topic = get_object_or_404(
            Topic, city_id=round_.city_id, pk=int(raw) if raw.isdigit() and len(raw) < 10 else 0
        )
        _act(
            request,
            _("已将热点话题「%(n)s」列为候选事项") % {"n": topic.name},
            lambda: services.add_candidate_from_topic(round_, topic, acting_user=user),
        )
        if request.POST.get("back") == "topic":
            return redirect("citizens:topic", topic.pk)
    elif action == "remove":
        candidate = get_object_or_404(
            Candidate, round=round_, pk=request.POST.get("candidate") or 0
        )
        _act(request, _("已撤下"), lambda: services.remove_candidate(candidate, acting_user=user))
    elif action == "open":
        _act(request, _("投票已开始"), lambda: services.open_round(round_, acting_user=user))
    elif action == "close":
        _act(request, _("投票已截止"), lambda: services.close_round(round_, acting_user=user))
    elif action == "review":
        review = ReviewVotesForm(request.POST)
        if not review.is_valid():
            messages.error(request, _form_error(review))
            return back
        _act(
            request,
            _("已复核"),
            lambda: services.review_votes(
                round_,
                review.cleaned_data["votes"],
                accept=review.cleaned_data["accept"],
                acting_user=user,
            ),
        )
    elif action == "publish":
        publish = PublishForm(request.POST, candidates=round_.candidates.filter(withdrawn=False))
        if not publish.is_valid():
            messages.error(request, _form_error(publish))
            return back
        d = publish.cleaned_data
        _act(
            request,
            _("结果已公布"),
            lambda: services.publish_round(
                round_,
                selected=list(d["selected"]) or None,
                note=d["note"],
                confirm_unverified=d["confirm_unverified"],
                acting_user=user,
            ),
        )
    else:
        raise Http404()
    if round_.kind == RoundKind.COMPOUND and hasattr(round_, "ranking"):
        return redirect("citizens:ranking", round_.ranking.pk)
    return back


# --- campaigns ------------------------------------------------------------------------------


@member_required
@require_GET
def campaign_export(request: HttpRequest) -> HttpResponse:
    """The campaigns the list's filter selects, with their budgets by source, as Excel."""
    qs = selectors.campaigns_for_user(_scope(request)).select_related("lead_unit")
    f = CampaignFilter(request.GET, queryset=qs)
    rows = list(f.qs.prefetch_related("supports__unit").order_by("-id")[:5000])
    return download(exports.campaigns_workbook(rows), _("专项整治及预算.xlsx"))


@member_required
@require_GET
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.get_round_for_user(_scope(request), pk)
    return download(exports.round_workbook(round_), _("投票结果.xlsx"))


@member_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.campaigns_for_user(_scope(request)).select_related("lead_unit")
    f = CampaignFilter(request.GET, queryset=qs)
    page = CampaignTable(request, f.qs.order_by("-id")).page
    progress = rollup(list(page))
    for c in page:
        c.progress = progress[c.pk].percent
    template = list_template(request, "citizens/campaign_list.html", "citizens/_campaign_rows.html")
    return render(request, template, {"filter": f, "page": page})


def _campaign_form_kwargs(request: HttpRequest, campaign: Campaign | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"city_id": _scope(request).city_id}
    if campaign is not None:
        d["edit"] = True
        d["initial"] = {
            "title": campaign.title,
            "description": campaign.description,
            "lead_unit": campaign.lead_unit_id,
            "supporting_units": list(campaign.supports.values_list("unit_id", flat=True)),
            "target_text": campaign.target_text,
            "baseline_value": campaign.baseline_value,
            "target_value": campaign.target_value,
            "target_unit": campaign.target_unit,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "progress_mode": campaign.progress_mode,
        }
    return d


def _campaign_data(d: dict[str, Any]) -> dict[str, Any]:
    """The campaign form's data as ``create_campaign`` and ``update_campaign`` take it."""
    return {**d, "supporting_units": list(d["supporting_units"])}


@office_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    """设立专项整治: a sector campaign, or one of the ten (``?candidate=``, from the round)."""
    city = _city(request)
    candidate = None
    raw = request.GET.get("candidate") or request.POST.get("candidate")
    if raw:
        candidate = (
            Candidate.objects.filter(round__city=city, pk=int(raw) if str(raw).isdigit() else 0)
            .select_related("round")
            .first()
        )
        if candidate is None:
            raise NotFound()
    initial: dict[str, Any] = {"kind": CampaignKind.SECTOR}
    if candidate is not None:
        initial = {
            "kind": CampaignKind.TOP10,
            "title": candidate.title,
            "description": candidate.description,
        }
    return form_page(
        request,
        CampaignForm(request.POST or None, initial=initial, city_id=city.pk),
        "citizens/campaign_form.html",
        {"candidate": candidate},
        save=lambda d: services.create_campaign(
            city, **_campaign_data(d), candidate=candidate, acting_user=request.user
        ),
        done=_("已设立专项整治，请添加里程碑和预算"),
        then=lambda saved: redirect("citizens:campaign", saved.pk),
        refusal_on_form=True,
    )


@office_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.get_campaign_for_user(_scope(request), pk)
    return form_page(
        request,
        CampaignForm(request.POST or None, **_campaign_form_kwargs(request, campaign)),
        "citizens/campaign_form.html",
        {"campaign": campaign},
        save=lambda d: services.update_campaign(
            campaign, **_campaign_data(d), acting_user=request.user
        ),
        done=_("已保存"),
        then=lambda saved: redirect("citizens:campaign", saved.pk),
        refusal_on_form=True,
    )


@member_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    campaign = selectors.get_campaign_for_user(scope, pk)
    milestones = list(campaign.milestones.all())
    case_links = list(
        campaign.case_links.select_related("case", "case__unit", "milestone").order_by("id")[:200]
    )
    task_links = list(
        campaign.task_links.select_related(
            "task__indicator", "task__lead_unit", "milestone"
        ).order_by("id")[:200]
    )
    site_links = list(campaign.site_links.select_related("site__site_type").order_by("id")[:200])
    writable = campaign.status != CampaignStatus.CLOSED and not scope.read_only
    return render(
        request,
        "citizens/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": progress_of(campaign),
            "milestones": milestones,
            "supports": list(campaign.supports.select_related("unit")),
            "case_links": case_links,
            "task_links": task_links,
            "site_links": site_links,
            "reports": list(
                campaign.reports.select_related(
                    "unit", "milestone", "submitted_by__person"
                ).prefetch_related("photos")[:50]
            ),
            "photos": list(campaign.photos.exclude(kind="progress")),
            "lines": list(campaign.budget_lines.all()),
            "entries": list(campaign.budget_entries.select_related("line")[:100]),
            "changes": list(campaign.budget_changes.select_related("line", "requested_by__person")),
            "rounds": list(campaign.satisfaction_rounds.order_by("-id")),
            "history": selectors.campaign_history(campaign),
            "is_lead": scope.can_write_unit(campaign.lead_unit),
            "writable": writable,
            "pending": BudgetChangeStatus.PENDING,
            "milestone_statuses": MilestoneStatus.choices,
            "link_kinds": LINK_KINDS,
            "milestone_form": MilestoneForm(),
            "report_form": ReportForm(milestones=campaign.milestones.all()),
            "budget_form": BudgetForm(),
            "entry_form": EntryForm(),
            "change_form": ChangeForm(),
            "acceptance_form": AcceptanceForm(),
            "reason_form": ReasonForm(),
        },
    )


def _picked(request: HttpRequest, campaign: Campaign, kind: str, ids: list[int]) -> list[Any]:
    """The rows ticked in a picker, as the user may see them (the rest silently dropped)."""
    scope = _scope(request)
    qs: Any
    if kind == "case":
        qs = case_selectors.cases_for_user(scope)
    elif kind == "task":
        qs = task_selectors.tasks_for_user(scope)
    else:
        qs = site_selectors.sites_for_user(scope)
    return list(qs.filter(pk__in=ids))


def _link(request: HttpRequest, campaign: Campaign, d: dict[str, Any]) -> Any:
    """Link the cases, tasks or sites ticked in a picker to the campaign (and a milestone)."""
    rows = _picked(request, campaign, d["kind"], d["ids"])
    milestone = None
    if d.get("milestone"):
        milestone = get_object_or_404(Milestone, campaign=campaign, pk=d["milestone"])
    user = request.user
    if d["kind"] == "site":
        return services.link_sites(campaign, rows, acting_user=user)
    link = services.link_cases if d["kind"] == "case" else services.link_tasks
    return link(campaign, rows, milestone=milestone, acting_user=user)


@member_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = selectors.get_campaign_for_user(_scope(request), pk)
    user = request.user
    back = redirect("citizens:campaign", campaign.pk)
    simple: dict[str, tuple[Any, str, Callable[[Any], Any]]] = {
        "milestone": (
            MilestoneForm,
            _("已添加里程碑"),
            lambda d: services.add_milestone(campaign, **d, acting_user=user),
        ),
        "budget": (
            BudgetForm,
            _("预算已保存"),
            lambda d: services.set_budget(campaign, **d, acting_user=user),
        ),
        "entry": (
            EntryForm,
            _("已登记"),
            lambda d: services.record_budget_entry(campaign, **d, acting_user=user),
        ),
        "change": (
            ChangeForm,
            _("已提交预算调整申请，等待创建办审批"),
            lambda d: services.request_budget_change(campaign, **d, acting_user=user),
        ),
        "reopen": (
            ReasonForm,
            _("已退回整治"),
            lambda d: services.reopen_campaign(campaign, **d, acting_user=user),
        ),
    }
    if action in simple:
        form_class, done, call = simple[action]
        _submit(request, form_class(request.POST), done, call)
    elif action == "start":
        _act(
            request,
            _("专项整治已启动"),
            lambda: services.start_campaign(campaign, acting_user=user),
        )
    elif action == "close":
        _act(
            request,
            _("专项整治已完成"),
            lambda: services.close_campaign(campaign, acting_user=user),
        )
    elif action == "milestone_status":
        _submit(
            request,
            MilestoneStatusForm(request.POST),
            _("已更新"),
            lambda d: services.set_milestone_status(
                get_object_or_404(Milestone, campaign=campaign, pk=d["milestone"]),
                status=d["status"],
                acting_user=user,
            ),
        )
    elif action == "link":
        _submit(request, LinkForm(request.POST), _("已关联"), lambda d: _link(request, campaign, d))
    elif action == "unlink":
        _submit(
            request,
            UnlinkForm(request.POST),
            _("已取消关联"),
            lambda d: services.unlink(campaign, d["kind"], d["object_id"], acting_user=user),
        )
    elif action == "report":
        _submit(
            request,
            ReportForm(request.POST, request.FILES, milestones=campaign.milestones.all()),
            _("进展已上报"),
            lambda d: services.submit_report(campaign, **d, acting_user=user),
        )
    elif action == "decide":
        _submit(
            request,
            DecideForm(request.POST),
            _("已审批"),
            lambda d: services.decide_budget_change(
                get_object_or_404(BudgetChange, campaign=campaign, pk=d["change"]),
                approve=d["approve"],
                note=d["note"],
                acting_user=user,
            ),
        )
    elif action == "accept":
        _submit(
            request,
            AcceptanceForm(request.POST, request.FILES),
            _("已提交验收，满意度回访已在公众页面开始"),
            lambda d: services.submit_for_acceptance(campaign, **d, acting_user=user),
        )
    else:
        raise Http404()
    return back


@member_required
@require_GET
def campaign_photo(request: HttpRequest, pk: int, photo_pk: int) -> Any:
    """The copy without EXIF for whoever sees the campaign; the original for the office."""
    scope = _scope(request)
    campaign = selectors.get_campaign_for_user(scope, pk)
    row = get_object_or_404(CampaignPhoto, campaign=campaign, pk=photo_pk)
    original = bool(request.GET.get("original")) and scope.write_all
    f = row.original if original else row.public
    response = FileResponse(f.open("rb"), content_type=None if original else "image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
@require_GET
def pick(request: HttpRequest, kind: str) -> HttpResponse:
    """Search for the link pickers (htmx): cases by number or text, tasks by indicator, sites
    by name or code — only what the user may see, at most PICK_LIMIT rows."""
    scope = _scope(request)
    q = (request.GET.get("q") or "").strip()[:50]
    rows: list[tuple[int, str]] = []
    if q:
        if kind == "case":
            qs = case_selectors.cases_for_user(scope).select_related("unit")
            cond = Q(description__icontains=q) | Q(address__icontains=q)
            if q.isdigit() and len(q) > 8:
                cond |= Q(pk=int(q[8:]))
            for c in qs.filter(cond).order_by("-id")[:PICK_LIMIT]:
                rows.append((c.pk, f"{c.number} {c.description[:40]}（{c.state_label}）"))
        elif kind == "task":
            tq = task_selectors.tasks_for_user(scope).select_related("indicator", "lead_unit")
            cond = Q(indicator__code__startswith=q) | Q(indicator__title__icontains=q)
            for t in tq.filter(cond).order_by("indicator__code")[:PICK_LIMIT]:
                rows.append(
                    (t.pk, f"{t.indicator.code} {t.indicator.title[:30]} · {t.lead_unit.name}")
                )
        elif kind == "site":
            sq = site_selectors.sites_for_user(scope).select_related("site_type")
            cond = Q(name__icontains=q) | Q(code__istartswith=q)
            for s in sq.filter(cond, active=True).order_by("code")[:PICK_LIMIT]:
                rows.append((s.pk, f"{s.code} {s.name}（{s.site_type.name}）"))
        else:
            raise Http404()
    return render(request, "citizens/_pick_rows.html", {"rows": rows, "kind": kind, "q": q})


# --- compound rankings --------------------------------------------------------------------------


@member_required
def rankings(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    page = RankingTable(
        request, selectors.rankings_for_user(scope).order_by("-period_end", "-id")
    ).page
    return render(request, "citizens/ranking_list.html", {"page": page})


@office_required
def ranking_create(request: HttpRequest) -> HttpResponse:
    city = _city(request)
    types = services.compound_types(city)
    form = RankingForm(
        request.POST or None,
        site_types=SiteType.objects.filter(pk__in=[t.pk for t in types]),
        initial={"site_type": types[0].pk if types else None},
    )

    def save(d: dict[str, Any]) -> Any:
        return services.create_ranking(
            city,
            title=d["title"],
            site_type=d["site_type"],
            period_start=d["period_start"],
            period_end=d["period_end"],
            opens_at=d["opens_at"],
            closes_at=d["closes_at"],
            min_votes=d["min_votes"],
            min_checks=d["min_checks"],
            weights=(d["weight_checks"], d["weight_votes"], d["weight_cases"]),
            best_n=d["best_n"],
            worst_n=d["worst_n"],
            acting_user=request.user,
        )

    return form_page(
        request,
        form,
        "citizens/ranking_form.html",
        {"types": types},
        save=save,
        done=_("已创建评选，开始居民投票后在公众页面可见"),
        then=lambda saved: redirect("citizens:ranking", saved.pk),
        refusal_on_form=True,
    )


@member_required
def ranking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ranking = selectors.get_ranking_for_user(_scope(request), pk)
    round_ = ranking.round
    published = round_.status == RoundStatus.PUBLISHED
    rows: Any
    if published:
        rows = list(
            CompoundScore.objects.filter(ranking=ranking)
            .select_related("site", "campaign")
            .order_by(BY_RANK, "site__code")
        )
    else:
        rows = services.compute_scores(ranking)
    rechecks = [r for r in rows if r.was_worst]
    return render(
        request,
        "citizens/ranking_detail.html",
        {
            "ranking": ranking,
            "round": round_,
            "rows": rows,
            "rechecks": rechecks,
            "published": published,
            "figures": services.integrity(round_),
            "flagged": list(
                Vote.objects.filter(round=round_, status=VoteStatus.FLAGGED).order_by("cast_at")[
                    :200
                ]
            ),
            "publish_form": RankingPublishForm(),
            "accepting": round_.accepting_votes(),
        },
    )


@office_required
@require_POST
def ranking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    ranking = selectors.get_ranking_for_user(_scope(request), pk)
    if action != "publish":
        raise Http404()
    _submit(
        request,
        RankingPublishForm(request.POST),
        _("评选结果已公布，最差小区已设立整改项目"),
        lambda d: services.publish_ranking(ranking, **d, acting_user=request.user),
    )
    return redirect("citizens:ranking", ranking.pk)


# --- 问政 -----------------------------------------------------------------------------------


@member_required
def episodes(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    page = EpisodeTable(
        request, selectors.episodes_for_user(scope).order_by("-aired_on", "-id")
    ).page
    form = EpisodeForm(request.POST or None) if scope.is_office else None
    if request.method == "POST":
        if form is None:
            raise NotFound()
        created = _submit(
            request,
            form,
            _("已登记问政节目"),
            lambda d: services.create_episode(_city(request), **d, acting_user=request.user),
        )
        if created:
            return redirect("citizens:episode", created.pk)
    return render(request, "citizens/episode_list.html", {"page": page, "form": form})


@member_required
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    episode = selectors.get_episode_for_user(scope, pk)
    exposures = list(episode.exposures.select_related("unit", "case"))
    earlier = list(
        Commitment.objects.filter(city_id=episode.city_id, episode__aired_on__lte=episode.aired_on)
        .exclude(episode=episode)
        .select_related("unit", "episode")
        .order_by("due_on")[:200]
    )
    return render(
        request,
        "citizens/episode_detail.html",
        {
            "episode": episode,
            "exposures": exposures,
            "commitments": list(episode.commitments.select_related("unit", "exposure")),
            "reviews": list(episode.reviews.select_related("commitment__unit")),
            "earlier": earlier,
            "exposure_form": ExposureForm(city_id=episode.city_id),
            "commitment_form": CommitmentForm(
                city_id=episode.city_id, exposures=episode.exposures.all()
            ),
            "review_form": ReviewForm(),
        },
    )


@office_required
@require_POST
def episode_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    episode = selectors.get_episode_for_user(_scope(request), pk)
    user = request.user
    if action == "expose":
        _submit(
            request,
            ExposureForm(request.POST, request.FILES, city_id=episode.city_id),
            _("已立案并派遣至被问政单位"),
            lambda d: services.expose_problem(episode, **d, acting_user=user),
        )
    elif action == "commit":
        _submit(
            request,
            CommitmentForm(
                request.POST, city_id=episode.city_id, exposures=episode.exposures.all()
            ),
            _("已登记承诺"),
            lambda d: services.make_commitment(episode, **d, acting_user=user),
        )
    elif action == "review":
        _submit(
            request,
            ReviewForm(request.POST),
            _("已记录复查结论"),
            lambda d: services.review_commitment(
                get_object_or_404(Commitment, city_id=episode.city_id, pk=d["commitment"]),
                episode=episode,
                verdict=d["verdict"],
                text=d["text"],
                acting_user=user,
            ),
        )
    else:
        raise Http404()
    return redirect("citizens:episode", episode.pk)


@member_required
def commitments(request: HttpRequest) -> HttpResponse:
    qs = selectors.commitments_for_user(_scope(request)).select_related("unit", "episode")
    f = CommitmentFilter(request.GET, queryset=qs)
    page = CommitmentTable(request, f.qs.order_by("status", "due_on", "id")).page
    template = list_template(
        request, "citizens/commitment_list.html", "citizens/_commitment_rows.html"
    )
    return render(request, template, {"filter": f, "page": page})


@member_required
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    commitment = selectors.get_commitment_for_user(scope, pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST":
        done = _submit(
            request,
            form,
            _("已记录"),
            lambda d: services.follow_up(
                commitment, text=d["text"], done=d["done"], acting_user=request.user
            ),
        )
        if done:
            return redirect("citizens:commitment", commitment.pk)
    return render(
        request,
        "citizens/commitment_detail.html",
        {
            "commitment": commitment,
            "updates": list(commitment.updates.select_related("episode", "by__person")),
            "form": form,
            "case": Case.objects.filter(pk=commitment.exposure.case_id).first()
            if commitment.exposure
            else None,
        },
    )


@member_required
@require_GET
def portal_link(request: HttpRequest) -> HttpResponse:
    """The staff menu's way to the city's public portal."""
    return redirect("citizens:p_portal", _city(request).code)
