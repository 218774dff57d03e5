"""Civility selections (文明单位, 文明校园, 文明村镇, 文明社区, 文明家庭): application, assessment
against the kind's checklist (the site-type checklists of the indicators app, scored like an
inspection), public notice, award, re-examination (复查) and dynamic management — a finding or
a serious case proposes revocation, a person of the office decides."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.cases.choices import Source
from chuangwen.cases.models import Case
from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput
from chuangwen.core.services import notify
from chuangwen.indicators.choices import SystemKind, SystemStatus
from chuangwen.indicators.models import CheckItem, EvaluationSystem, SiteType
from chuangwen.inspections.scoring import score_observation
from chuangwen.org.actors import SystemActor, actor_user, require_office, require_unit
from chuangwen.org.choices import Role
from chuangwen.org.models import City, Membership, Unit

from ...models import Household, RevocationProposal, Selection, SelectionKind, SelectionReview
from ..choices import (
    SELECTION_TRANSITIONS,
    ObjectionStatus,
    ProposalStatus,
    RevocationSource,
    SelectionCategory,
    SelectionStatus,
)
from .bank import require_staff
from .common import check_transition, clean_text
from .honours import clean_year

# cases that count as serious against a title holder: exposed by the media (曝光) or found by
# the national evaluation (测评反馈)
SERIOUS_SOURCES = (Source.MEDIA, Source.EVALUATION)
HUNDRED = Decimal(100)


def _score(value: Any, what: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(_("%(w)s必须是数字") % {"w": what}, code="bad_score") from None
    if not d.is_finite() or not 0 <= d <= HUNDRED:
        raise InvalidInput(_("%(w)s必须在 0 到 100 之间") % {"w": what}, code="bad_score")
    return d.quantize(Decimal("0.01"))


@transaction.atomic
def create_selection_kind(
    city: City,
    *,
    category: str,
    name: str,
    site_type: SiteType | None = None,
    pass_score: Any = 80,
    term_years: Any = 3,
    notice_days: Any = 7,
    acting_user: Any,
) -> SelectionKind:
    require_office(acting_user, city)
    if category not in SelectionCategory.values:
        raise InvalidInput(_("类别无效"), code="bad_category")
    if site_type is not None and site_type.city_id != city.pk:
        raise InvalidInput(_("点位类型不属于本市"), code="other_city")
    try:
        term, days = int(term_years), int(notice_days)
    except (TypeError, ValueError):
        raise InvalidInput(_("复查周期和公示天数必须是整数"), code="bad_number") from None
    if not 1 <= term <= 10 or not 1 <= days <= 30:
        raise InvalidInput(_("复查周期为 1–10 年，公示天数为 1–30 天"), code="bad_number")
    kind = SelectionKind.objects.create(
        city=city, category=category, name=clean_text(name, _("名称"), 100),
        site_type=site_type, pass_score=_score(pass_score, _("合格分")), term_years=term,
        notice_days=days,
    )  # fmt: skip
    audit.record("volunteers.selection_kind.created", kind, actor=acting_user, summary=kind.name)
    return kind


def checklist_for(kind: SelectionKind) -> list[CheckItem]:
    """The kind's checklist: its site type's items in the city's active main system."""
    if kind.site_type_id is None:
        return []
    system = EvaluationSystem.objects.filter(
        city_id=kind.city_id, kind=SystemKind.MAIN, status=SystemStatus.ACTIVE
    ).first()
    if system is None:
        return []
    return list(
        CheckItem.objects.filter(system=system, site_type_id=kind.site_type_id, retired=False)
        .select_related("site_type")
        .order_by("sort", "code")
    )


@transaction.atomic
def apply_for_selection(
    kind: SelectionKind,
    *,
    year: Any,
    unit: Unit | None = None,
    household: Household | None = None,
    family_name: str = "",
    statement: str = "",
    acting_user: Any,
) -> Selection:
    """An application: a unit applies for itself (its liaison, or the office); a family is
    entered by its community (with its moral-bank household when there is one) or the office."""
    year = clean_year(year)
    if not kind.active:
        raise InvalidInput(_("该评选类别已停用"), code="inactive")
    if kind.category == SelectionCategory.FAMILY:
        if household is not None:
            require_staff(acting_user, household.bank)
            family_name = family_name or household.name
        else:
            require_office(acting_user, kind.city_id)
        family_name = clean_text(family_name, _("家庭名称"), 100)
        unit = None
        same = Selection.objects.filter(kind=kind, year=year, family_name=family_name)
    else:
        if unit is None:
            raise InvalidInput(_("请选择申报单位"), code="required")
        if unit.city_id != kind.city_id:
            raise InvalidInput(_("单位不属于本市"), code="other_city")
        require_unit(acting_user, unit, _("只能为您所在的单位申报"))
        household, family_name = None, ""
        same = Selection.objects.filter(kind=kind, year=year, unit=unit)
    if same.exclude(status__in=[SelectionStatus.NOT_AWARDED, SelectionStatus.REVOKED]).exists():
        raise InvalidInput(_("本年度已申报该类别"), code="duplicate")
    selection = Selection.objects.create(
        city_id=kind.city_id, kind=kind, unit=unit, household=household, family_name=family_name,
        year=year, statement=clean_text(statement, _("申报材料说明"), 5000, required=False),
        created_by=actor_user(acting_user),
    )  # fmt: skip
    audit.record(
        "volunteers.selection.applied", selection, actor=acting_user, summary=str(selection)
    )
    return selection


def _locked(selection: Selection, target: str, acting_user: Any) -> Selection:
    require_office(acting_user, selection.city_id)
    selection = Selection.objects.select_for_update().select_related("kind").get(pk=selection.pk)
    check_transition(SELECTION_TRANSITIONS, selection.status, target, SelectionStatus)
    return selection


@transaction.atomic
def assess_selection(
    selection: Selection,
    *,
    answers: dict[int, dict[str, Any]] | None = None,
    overall: Any = None,
    note: str = "",
    acting_user: Any,
) -> Selection:
    """Score the applicant against the kind's checklist: each item 0–1 by its rule (as an
    inspection scores it), the total = 100 × Σ points·score / Σ points (items without points
    count 1). A kind without a checklist takes an overall score (0–100)."""
    selection = _locked(selection, SelectionStatus.ASSESSED, acting_user)
    items = checklist_for(selection.kind)
    answers = answers or {}
    if items:
        missing = [i.code for i in items if i.pk not in answers]
        if missing:
            raise InvalidInput(
                _("以下检查项尚未评分：%(codes)s") % {"codes": "、".join(missing[:10])},
                code="incomplete",
            )
        rows, earned, full = [], Decimal(0), Decimal(0)
        for item in items:
            a = answers[item.pk]
            scored = score_observation(
                item, passed=a.get("passed"), value=a.get("value"), missing=a.get("missing")
            )
            weight = item.points if item.points is not None else Decimal(1)
            earned += weight * Decimal(str(scored.score))
            full += weight
            rows.append(
                {"item": item.pk, "code": item.code, "score": round(scored.score, 4),
                 "points": str(weight)}
            )  # fmt: skip
        total = (HUNDRED * earned / full).quantize(Decimal("0.01")) if full else HUNDRED
        detail: dict[str, Any] = {"items": rows, "site_type": selection.kind.site_type_id}
    else:
        if overall in (None, ""):
            raise InvalidInput(_("该类别没有测评清单，请填写总分"), code="overall_required")
        total = _score(overall, _("总分"))
        detail = {"items": [], "overall": str(total)}
    detail["note"] = clean_text(note, _("测评意见"), 300, required=False)
    selection.status, selection.score, selection.assessment = (
        SelectionStatus.ASSESSED,
        total,
        detail,
    )
    selection.save(update_fields=["status", "score", "assessment", "updated_at"])
    audit.record(
        "volunteers.selection.assessed", selection, actor=acting_user,
        after={"score": total}, summary=str(selection),
    )  # fmt: skip
    return selection


@transaction.atomic
def start_selection_notice(selection: Selection, *, acting_user: Any) -> Selection:
    selection = _locked(selection, SelectionStatus.NOTICE, acting_user)
    if selection.score is None or selection.score < selection.kind.pass_score:
        raise InvalidInput(
            _("测评得分 %(s)s 低于合格分 %(p)s，不能公示")
            % {"s": selection.score, "p": selection.kind.pass_score},
            code="below_pass",
        )
    today = timezone.localdate()
    selection.status = SelectionStatus.NOTICE
    selection.notice_starts = today
    selection.notice_ends = today + dt.timedelta(days=selection.kind.notice_days - 1)
    selection.save(update_fields=["status", "notice_starts", "notice_ends", "updated_at"])
    audit.record("volunteers.selection.notice", selection, actor=acting_user)
    return selection


@transaction.atomic
def award_selection(selection: Selection, *, level: str = "", acting_user: Any) -> Selection:
    """Award the title after the notice, with its year and level; the first re-examination is
    due ``term_years`` later."""
    from ..choices import HonourLevel

    selection = _locked(selection, SelectionStatus.AWARDED, acting_user)
    if selection.notice_ends is None or timezone.localdate() <= selection.notice_ends:
        raise InvalidInput(_("公示期尚未结束，不能授予"), code="in_notice")
    if selection.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise InvalidInput(_("尚有未处理的公示异议，请先处理"), code="open_objection")
    if level:
        if level not in HonourLevel.values:
            raise InvalidInput(_("级别无效"), code="bad_level")
        selection.level = level
    today = timezone.localdate()
    selection.status, selection.awarded_on = SelectionStatus.AWARDED, today
    selection.next_review_on = _years_later(today, selection.kind.term_years)
    selection.save(update_fields=["status", "level", "awarded_on", "next_review_on", "updated_at"])
    audit.record(
        "volunteers.selection.awarded", selection, actor=acting_user,
        after={"level": selection.level, "next_review_on": selection.next_review_on},
    )  # fmt: skip
    return selection


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def decline_selection(selection: Selection, *, note: str, acting_user: Any) -> Selection:
    """Not awarded (a failed assessment, an upheld objection), with the reason."""
    selection = _locked(selection, SelectionStatus.NOT_AWARDED, acting_user)
    selection.status = SelectionStatus.NOT_AWARDED
    selection.note = clean_text(note, _("理由"), 300)
    selection.save(update_fields=["status", "note", "updated_at"])
    audit.record("volunteers.selection.declined", selection, actor=acting_user, summary=note)
    return selection


@transaction.atomic
def reexamine_selection(
    selection: Selection, *, score: Any, note: str = "", acting_user: Any
) -> SelectionReview:
    """复查: a passing score keeps the title until the next re-examination; a failing one
    proposes its revocation (a person decides)."""
    require_office(acting_user, selection.city_id)
    selection = Selection.objects.select_for_update().select_related("kind").get(pk=selection.pk)
    if selection.status != SelectionStatus.AWARDED:
        raise InvalidInput(_("只有已授予的称号需要复查"), code="not_awarded")
    value = _score(score, _("复查得分"))
    passed = value >= selection.kind.pass_score
    today = timezone.localdate()
    review = SelectionReview.objects.create(
        selection=selection, reviewed_on=today, score=value, passed=passed,
        note=clean_text(note, _("说明"), 300, required=False), reviewed_by=actor_user(acting_user),
    )  # fmt: skip
    if passed:
        selection.next_review_on = _years_later(today, selection.kind.term_years)
        selection.save(update_fields=["next_review_on", "updated_at"])
    audit.record(
        "volunteers.selection.reexamined", selection, actor=acting_user,
        after={"score": value, "passed": passed},
    )  # fmt: skip
    if not passed:
        propose_revocation(
            selection, source=RevocationSource.REEXAM, ref=f"review:{review.pk}",
            reason=_("复查得分 %(s)s 低于合格分 %(p)s")
            % {"s": value, "p": selection.kind.pass_score},
            acting_user=acting_user,
        )  # fmt: skip
    return review


# --- dynamic management -------------------------------------------------------------------------


@transaction.atomic
def propose_revocation(
    selection: Selection, *, source: str, ref: str, reason: str, acting_user: Any
) -> tuple[RevocationProposal | None, bool]:
    """Propose revoking an awarded title; one proposal per (selection, source, ref), so a scan
    or a finding may be fed again. ``(None, False)`` when the title is not (or no longer)
    awarded. The office admins are told; nothing is revoked until one of them decides."""
    if source not in RevocationSource.values:
        raise InvalidInput(_("来源无效"), code="bad_source")
    ref = clean_text(ref, _("依据"), 100)
    reason = clean_text(reason, _("理由"), 300)
    if source == RevocationSource.MANUAL:
        require_office(acting_user, selection.city_id)
    if selection.status != SelectionStatus.AWARDED:
        return None, False
    existing = RevocationProposal.objects.filter(selection=selection, source=source, ref=ref)
    if existing.exists():
        return existing.first(), False
    try:
        with transaction.atomic():
            proposal = RevocationProposal.objects.create(
                city_id=selection.city_id, selection=selection, source=source, ref=ref,
                reason=reason,
            )  # fmt: skip
    except IntegrityError:  # proposed at the same moment by another scan
        return existing.first(), False
    audit.record(
        "volunteers.selection.revocation_proposed", proposal, actor=acting_user,
        after={"source": source, "ref": ref}, summary=reason,
    )  # fmt: skip
    offices = Membership.objects.filter(
        unit__city_id=selection.city_id, role=Role.OFFICE_ADMIN
    ).values_list("person__user_id", flat=True)
    notify(
        offices,
        _("撤销建议：%(s)s（%(r)s）") % {"s": selection, "r": reason},
        url=f"/volunteers/selections/{selection.pk}/",
        topic="moral",
    )
    return proposal, True


def propose_revocation_for_unit(
    unit: Unit, *, source: str, ref: str, reason: str, acting_user: Any
) -> list[RevocationProposal]:
    """For the integrator: a finding against ``unit`` (e.g. an assessment negative-list
    finding, ``source=RevocationSource.NEGATIVE_FINDING``, ``ref="negativefinding:<id>"``)
    proposes revoking every title the unit holds. Idempotent per (title, source, ref)."""
    made = []
    for selection in Selection.objects.filter(unit=unit, status=SelectionStatus.AWARDED):
        proposal, created = propose_revocation(
            selection, source=source, ref=ref, reason=reason, acting_user=acting_user
        )
        if created and proposal is not None:
            made.append(proposal)
    return made


def revoke_on_finding(unit: Unit, *, ref: str, reason: str) -> None:
    """The ``org.registry`` listener: a negative-list finding against ``unit`` (recorded by the
    assessment app) proposes revoking the titles it holds; the office decides."""
    propose_revocation_for_unit(
        unit,
        source=RevocationSource.NEGATIVE_FINDING,
        ref=ref,
        reason=reason,
        acting_user=SystemActor("moral.findings"),
    )


def scan_serious_cases(city: City, *, acting_user: Any) -> int:
    """The daily scan: a case exposed by the media or found by the evaluation (see
    ``SERIOUS_SOURCES``) against a title holder — its responsible or territorial unit is the
    holder or below it — reported since the award proposes revocation. Idempotent."""
    require_office(acting_user, city)
    made = 0
    holders = Selection.objects.filter(
        city=city, status=SelectionStatus.AWARDED, unit__isnull=False
    ).select_related("unit", "kind")
    for selection in holders:
        assert selection.unit is not None and selection.awarded_on is not None
        path = selection.unit.path
        since = timezone.make_aware(dt.datetime.combine(selection.awarded_on, dt.time.min))
        cases = Case.objects.filter(
            Q(unit_path__startswith=path) | Q(area_path__startswith=path),
            city=city,
            source__in=SERIOUS_SOURCES,
            reported_at__gte=since,
        )
        for case in cases.only("id", "source", "reported_at").order_by("id"):
            _p, created = propose_revocation(
                selection, source=RevocationSource.SERIOUS_CASE, ref=f"case:{case.pk}",
                reason=_("案件 %(n)s（%(src)s）") % {"n": case.number, "src": case.source_label},
                acting_user=acting_user,
            )  # fmt: skip
            made += created
    return made


@transaction.atomic
def decide_revocation(
    proposal: RevocationProposal, *, revoke: bool, note: str, acting_user: Any
) -> RevocationProposal:
    """A person of the office decides: revoke the title, or keep it (with the reason)."""
    require_office(acting_user, proposal.city_id)
    proposal = RevocationProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.OPEN:
        raise InvalidInput(_("该建议已有决定"), code="decided")
    note = clean_text(note, _("决定意见"), 300)
    selection = Selection.objects.select_for_update().get(pk=proposal.selection_id)
    if revoke:
        check_transition(
            SELECTION_TRANSITIONS, selection.status, SelectionStatus.REVOKED, SelectionStatus
        )
        selection.status, selection.revoked_on = SelectionStatus.REVOKED, timezone.localdate()
        selection.note = note
        selection.save(update_fields=["status", "revoked_on", "note", "updated_at"])
        # the other open proposals of the title have been answered by this decision
        RevocationProposal.objects.filter(
            selection=selection, status=ProposalStatus.OPEN
        ).exclude(pk=proposal.pk).update(
            status=ProposalStatus.ACCEPTED, decided_at=timezone.now(),
            decided_by=actor_user(acting_user), decision_note=note,
        )  # fmt: skip
    proposal.status = ProposalStatus.ACCEPTED if revoke else ProposalStatus.DISMISSED
    proposal.decided_by, proposal.decided_at = actor_user(acting_user), timezone.now()
    proposal.decision_note = note
    proposal.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    audit.record(
        "volunteers.selection.revocation_decided", proposal, actor=acting_user,
        after={"revoke": revoke}, summary=note,
    )  # fmt: skip
    return proposal
