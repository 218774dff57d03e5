"""Pages of civility selections: the list, kinds (each pointing at a checklist), applications,
assessment against the checklist, 公示, award, 复查, and revocation proposals."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chuangwen.core.errors import InvalidInput, NotFound
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import list_template
from chuangwen.indicators.choices import ScoringRule
from chuangwen.org.models import City, Unit
from chuangwen.volunteers.tables import ProposalTable, SelectionTable

from . import selectors, services
from .choices import ProposalStatus, RevocationSource, SelectionStatus
from .filters import SelectionFilter
from .forms import ApplyForm, DecisionForm, ReviewForm, ScoreForm, SelectionKindForm


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


@member_required
@require_GET
def selection_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    f = SelectionFilter(request.GET, queryset=selectors.selections_for_user(scope))
    page = SelectionTable(request, f.qs.order_by("-year", "-id")).page
    template = list_template(
        request, "volunteers/moral/selection_list.html", "volunteers/moral/_selection_rows.html"
    )
    return render(
        request,
        template,
        {
            "filter": f,
            "page": page,
            "due": selectors.due_reexaminations(scope)[:20],
            "open_proposals": selectors.proposals_for_user(scope)
            .filter(status=ProposalStatus.OPEN)
            .count(),
        },
    )


@member_required
def selection_kinds(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = SelectionKindForm(request.POST or None, city_id=scope.city_id)
    if request.method == "POST":
        if not scope.is_office:
            raise NotFound()
        if form.is_valid():
            try:
                services.create_selection_kind(
                    City.objects.get(pk=scope.city_id), **form.cleaned_data,
                    acting_user=request.user,
                )  # fmt: skip
            except InvalidInput as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("评选类别已添加"))
                return redirect("volunteers:selection_kinds")
    kinds = selectors.selection_kinds(scope.city_id)
    return render(
        request,
        "volunteers/moral/selection_kinds.html",
        {"kinds": kinds, "form": form if scope.is_office else None},
        status=400 if form.errors else 200,
    )


@member_required
def selection_apply(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    kinds = selectors.selection_kinds(scope.city_id).filter(active=True)
    units = scope.filter(Unit.objects.filter(active=True), unit_field="").order_by("path")
    form = ApplyForm(request.POST or None, kinds=kinds, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            selection = services.apply_for_selection(
                d["kind"], year=d["year"], unit=d["unit"], family_name=d["family_name"],
                statement=d["statement"], acting_user=request.user,
            )  # fmt: skip
        except InvalidInput as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("申报已提交"))
            return redirect("volunteers:selection", selection.pk)
    return render(
        request,
        "volunteers/moral/selection_apply.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@member_required
@require_GET
def selection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    selection = selectors.get_selection_for_user(scope, pk)
    items = services.checklist_for(selection.kind)
    scored = {row["item"]: row["score"] for row in selection.assessment.get("items", [])}
    for item in items:
        item.previous = scored.get(item.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "volunteers/moral/selection_detail.html",
        {
            "selection": selection,
            "items": items,
            "rules": ScoringRule,
            "proposals": selection.proposals.select_related("decided_by__person"),
            "reviews": selection.reviews.all(),
            "objections": selectors.objections_of(selection),
            "score_form": ScoreForm(),
            "review_form": ReviewForm(),
            "decision_form": DecisionForm(),
            "is_office": scope.is_office,
            "Status": SelectionStatus,
        },
    )


def _answers(request: HttpRequest, items: list[Any]) -> dict[int, dict[str, Any]]:
    """The assessment form's answers per check item (its rule says which field)."""
    out: dict[int, dict[str, Any]] = {}
    for item in items:
        raw = request.POST.get(f"item_{item.pk}", "").strip()
        if raw == "":
            continue
        if item.rule == ScoringRule.PASS_FAIL:
            out[item.pk] = {"passed": raw == "1"}
        elif item.rule == ScoringRule.RATIO:
            out[item.pk] = {"value": raw}
        else:
            out[item.pk] = {"missing": raw}
    return out


@office_required
@require_POST
def selection_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    selection = selectors.get_selection_for_user(_scope(request), pk)
    user = request.user
    note_form = ReviewForm(request.POST)
    note = note_form.cleaned_data["note"] if note_form.is_valid() else ""
    if action == "assess":
        items = services.checklist_for(selection.kind)
        overall = request.POST.get("overall") or None
        services.assess_selection(
            selection, answers=_answers(request, items), overall=overall, note=note,
            acting_user=user,
        )  # fmt: skip
    elif action == "notice":
        services.start_selection_notice(selection, acting_user=user)
    elif action == "award":
        services.award_selection(selection, level=request.POST.get("level", ""), acting_user=user)
    elif action == "decline":
        services.decline_selection(selection, note=note, acting_user=user)
    elif action == "reexamine":
        form = ScoreForm(request.POST)
        if not form.is_valid():
            raise InvalidInput(_("复查得分必须在 0 到 100 之间"), code="bad_score")
        review = services.reexamine_selection(
            selection, score=form.cleaned_data["score"], note=form.cleaned_data["note"],
            acting_user=user,
        )  # fmt: skip
        if not review.passed:
            messages.warning(request, _("复查不合格，已生成撤销建议，请决定"))
    elif action == "propose":
        services.propose_revocation(
            selection, source=RevocationSource.MANUAL, ref=f"manual:{request.user.pk}:{note[:40]}",
            reason=note, acting_user=user,
        )  # fmt: skip
    else:
        raise NotFound()
    messages.success(request, _("已保存"))
    return redirect("volunteers:selection", selection.pk)


@member_required
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.proposals_for_user(_scope(request))
    status = request.GET.get("status", ProposalStatus.OPEN)
    if status in ProposalStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "volunteers/moral/proposal_list.html",
        {"page": ProposalTable(request, qs).page, "status": status,
         "statuses": ProposalStatus.choices, "decision_form": DecisionForm()},
    )  # fmt: skip


@office_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposals_for_user(_scope(request)).filter(pk=pk).first()
    if proposal is None:
        raise NotFound()
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("请选择决定并填写意见"), code="bad_form")
    services.decide_revocation(
        proposal, revoke=form.cleaned_data["decision"] == "yes", note=form.cleaned_data["note"],
        acting_user=request.user,
    )  # fmt: skip
    messages.success(request, _("已决定"))
    return redirect("volunteers:selection", proposal.selection_id)
