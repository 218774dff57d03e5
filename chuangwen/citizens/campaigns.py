"""Campaigns (专项整治, part B): each of the ten things, each sector campaign and each worst
compound's rectification. Every write of a campaign, its milestones, links, progress reports,
photos, budget and acceptance.

Who may act: the office on everything; the lead unit (its liaisons, for its subtree) on
milestones, links, reports, spending and budget-change requests; supporting units report.
Budget changes are decided by the office, never by the person who asked.

Money: a commitment or a payment beyond the budget in force (allocated plus approved changes)
of its source is refused — the budget line is locked while it is checked, so two payments at
once cannot both slip under the limit.

Re-exported from ``chuangwen.citizens.services``.
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.cases.models import Case
from chuangwen.cases.photos import check_photo
from chuangwen.core import audit
from chuangwen.core import services as core_services
from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.org.actors import actor_scope, actor_user, require_office, require_unit
from chuangwen.org.choices import Role
from chuangwen.org.models import City, Membership, Unit
from chuangwen.sites.models import Site
from chuangwen.tasks.models import Task

from .choices import (
    CAMPAIGN_TRANSITIONS,
    WORKING_STATUSES,
    BudgetChangeStatus,
    BudgetEntryKind,
    BudgetSource,
    CampaignKind,
    CampaignStatus,
    MilestoneStatus,
    PhotoKind,
    ProgressMode,
    RoundKind,
    RoundStatus,
    Sector,
)
from .models import (
    BudgetChange,
    BudgetEntry,
    BudgetLine,
    Campaign,
    CampaignCase,
    CampaignPhoto,
    CampaignReport,
    CampaignSite,
    CampaignSupport,
    CampaignTask,
    Candidate,
    Milestone,
    Round,
)
from .votes import (
    MAX_TEXT,
    MAX_TITLE,
    add_candidate,
    city_ref,
    clean_text,
    close_round,
    create_round,
    open_round,
    publish_round,
)

CAMPAIGN_FIELDS = [
    "title",
    "status",
    "lead_unit",
    "target_text",
    "target_value",
    "target_unit",
    "baseline_value",
    "current_value",
    "starts_on",
    "ends_on",
    "progress_mode",
]
MAX_MONEY = Decimal("999999999999.99")
MAX_PHOTOS = 6
MAX_LINKS = 500
OFFICE_CAMPAIGNS = _("只有创建办可以设立和调整专项整治")


# --- who may act ----------------------------------------------------------------------------


def _lead(campaign: Campaign, acting_user: Any) -> None:
    """The office or the lead unit."""
    require_unit(acting_user, campaign.lead_unit, _("只有牵头单位或创建办可以执行此操作"))


def _member(campaign: Campaign, acting_user: Any) -> Unit | None:
    """The office, the lead unit or a supporting unit; returns the unit the actor acts for
    (``None`` for the office and the system)."""
    scope = actor_scope(acting_user)
    if scope is None or (scope.write_all and scope.city_id == campaign.city_id):
        return None
    units = [campaign.lead_unit, *(s.unit for s in campaign.supports.select_related("unit"))]
    for unit in units:
        if scope.can_write_unit(unit):
            return unit
    raise PermissionDenied(_("只有牵头单位、配合单位或创建办可以上报进展"))


def _working(campaign: Campaign) -> None:
    if campaign.status not in WORKING_STATUSES:
        raise InvalidTransition(_("专项整治已完成，不能再修改"), code="campaign_closed")


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("lead_unit").get(pk=campaign.pk)


def _transition(campaign: Campaign, to: str) -> None:
    if to not in CAMPAIGN_TRANSITIONS[campaign.status]:
        raise InvalidTransition(
            _("专项整治当前状态为「%(s)s」，不能改为「%(t)s」")
            % {"s": CampaignStatus(campaign.status).label, "t": CampaignStatus(to).label}
        )


def _liaisons(unit_ids: Iterable[int]) -> list[int]:
    return list(
        Membership.objects.filter(
            unit_id__in=list(unit_ids), role=Role.UNIT_LIAISON, person__active=True
        ).values_list("person__user_id", flat=True)
    )


def _notify_units(campaign: Campaign, text: str) -> None:
    unit_ids = [campaign.lead_unit_id, *campaign.supports.values_list("unit_id", flat=True)]
    core_services.notify(
        _liaisons(unit_ids),
        text,
        url=reverse("citizens:campaign", args=[campaign.pk]),
        topic="citizens",
    )


# --- values from outside --------------------------------------------------------------------

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def sane_date(value: date | None, label: str) -> None:
    """A date a person could mean (2000–2100), or a Chinese refusal naming the field."""
    if value is not None and not EARLIEST <= value <= LATEST:
        raise InvalidInput(
            _("「%(f)s」日期不合理（应在 2000–2100 年之间）") % {"f": label}, code="bad_date"
        )


def money(
    value: Any, label: str, *, allow_negative: bool = False, allow_zero: bool = False
) -> Decimal:
    """An amount in yuan (two decimals), or a Chinese refusal naming the field."""
    try:
        amount = Decimal(str(value).strip().replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("「%(f)s」应为金额（元）") % {"f": label}, code="bad_amount") from None
    if not amount.is_finite() or abs(amount) > MAX_MONEY:
        raise InvalidInput(_("「%(f)s」超出范围") % {"f": label}, code="bad_amount")
    if amount < 0 and not allow_negative:
        raise InvalidInput(_("「%(f)s」不能为负数") % {"f": label}, code="bad_amount")
    if amount == 0 and not allow_zero:
        raise InvalidInput(_("「%(f)s」不能为零") % {"f": label}, code="bad_amount")
    return amount


def _number(value: Any, label: str, *, required: bool = False) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(
                _("请填写「%(f)s」（整治目标必须可衡量）") % {"f": label}, code="required"
            )
        return None
    return money(value, label, allow_negative=True, allow_zero=True)


def _units(city_id: int, lead: Unit, supporting: Iterable[Unit]) -> list[Unit]:
    if lead is None or lead.city_id != city_id or not lead.active:
        raise InvalidInput(_("请选择本市有效的牵头单位"), code="bad_unit")
    out = []
    for u in supporting:
        if u.city_id != city_id or not u.active:
            raise InvalidInput(_("配合单位「%(u)s」无效") % {"u": u.name}, code="bad_unit")
        if u.pk != lead.pk and u not in out:
            out.append(u)
    return out


def _set_supports(campaign: Campaign, units: list[Unit]) -> None:
    CampaignSupport.objects.filter(campaign=campaign).exclude(
        unit_id__in=[u.pk for u in units]
    ).delete()
    have = set(CampaignSupport.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    CampaignSupport.objects.bulk_create(
        [
            CampaignSupport(campaign=campaign, unit=u, unit_path=u.path)
            for u in units
            if u.pk not in have
        ]
    )


# --- campaigns ------------------------------------------------------------------------------


@transaction.atomic
def create_campaign(
    city: City,
    *,
    kind: str,
    title: str,
    lead_unit: Unit,
    target_text: str,
    target_value: Any,
    target_unit: str,
    starts_on: date,
    ends_on: date,
    supporting_units: Sequence[Unit] = (),
    description: str = "",
    baseline_value: Any = None,
    progress_mode: str = ProgressMode.AVERAGE,
    sector: str = "",
    candidate: Candidate | None = None,
    site: Site | None = None,
    acting_user: Any,
) -> Campaign:
    """设立专项整治. One of the ten (``candidate``: selected in a published round of the 10
    things), a sector campaign (``sector``) or a compound's rectification (``site``)."""
    require_office(acting_user, city, OFFICE_CAMPAIGNS)
    if kind not in CampaignKind.values:
        raise InvalidInput(_("整治类型无效"), code="bad_kind")
    if kind == CampaignKind.SECTOR and sector not in Sector.values:
        raise InvalidInput(_("行业专项整治请选择行业"), code="sector_required")
    if kind != CampaignKind.SECTOR:
        sector = ""
    if kind == CampaignKind.TOP10:
        _check_candidate(city, candidate)
    else:
        candidate = None
    if kind == CampaignKind.COMPOUND and (site is None or site.city_id != city.pk):
        raise InvalidInput(_("小区整改请选择本市的小区"), code="site_required")
    if progress_mode not in ProgressMode.values:
        raise InvalidInput(_("进度计算方式无效"), code="bad_mode")
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise InvalidInput(
            _("请填写开始和计划完成日期，完成日期不能早于开始日期"), code="bad_dates"
        )
    sane_date(starts_on, _("开始日期"))
    sane_date(ends_on, _("计划完成日期"))
    supporting = _units(city.pk, lead_unit, supporting_units)
    campaign = Campaign.objects.create(
        city=city,
        kind=kind,
        sector=sector,
        title=clean_text(title, MAX_TITLE, _("名称"), required=True),
        description=clean_text(description, MAX_TEXT, _("整治内容")),
        candidate=candidate,
        site=site if kind == CampaignKind.COMPOUND else None,
        lead_unit=lead_unit,
        lead_path=lead_unit.path,
        target_text=clean_text(target_text, 300, _("整治目标"), required=True),
        target_value=_number(target_value, _("目标值"), required=True) or Decimal(0),
        target_unit=clean_text(target_unit, 20, _("计量单位"), required=True),
        baseline_value=_number(baseline_value, _("基线值")),
        starts_on=starts_on,
        ends_on=ends_on,
        progress_mode=progress_mode,
        created_by=actor_user(acting_user),
    )
    _set_supports(campaign, supporting)
    audit.record(
        "citizens.campaign.created",
        campaign,
        actor=acting_user,
        after={
            **audit.snapshot(campaign, CAMPAIGN_FIELDS),
            "kind": kind,
            "supporting": [u.pk for u in supporting],
            "candidate": candidate.pk if candidate else None,
        },
        summary=campaign.title,
    )
    return campaign


def _check_candidate(city: City, candidate: Candidate | None) -> None:
    if candidate is None:
        raise InvalidInput(_("请选择入选的“10件事”事项"), code="candidate_required")
    round_ = candidate.round
    if (
        round_.city_id != city.pk
        or round_.kind != RoundKind.TOP10
        or round_.status != RoundStatus.PUBLISHED
        or not candidate.selected
    ):
        raise InvalidInput(_("只有已公布入选的“10件事”事项可以设立整治"), code="bad_candidate")
    if Campaign.objects.filter(candidate=candidate).exists():
        raise InvalidInput(
            _("事项「%(t)s」已设立整治项目") % {"t": candidate.title}, code="duplicate"
        )


@transaction.atomic
def update_campaign(
    campaign: Campaign,
    *,
    title: str,
    description: str,
    lead_unit: Unit,
    supporting_units: Sequence[Unit],
    target_text: str,
    target_value: Any,
    target_unit: str,
    baseline_value: Any,
    starts_on: date,
    ends_on: date,
    progress_mode: str,
    acting_user: Any,
) -> Campaign:
    require_office(acting_user, campaign.city_id, OFFICE_CAMPAIGNS)
    campaign = _locked(campaign)
    _working(campaign)
    if progress_mode not in ProgressMode.values:
        raise InvalidInput(_("进度计算方式无效"), code="bad_mode")
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise InvalidInput(
            _("请填写开始和计划完成日期，完成日期不能早于开始日期"), code="bad_dates"
        )
    sane_date(starts_on, _("开始日期"))
    sane_date(ends_on, _("计划完成日期"))
    supporting = _units(campaign.city_id, lead_unit, supporting_units)
    before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    campaign.title = clean_text(title, MAX_TITLE, _("名称"), required=True)
    campaign.description = clean_text(description, MAX_TEXT, _("整治内容"))
    campaign.lead_unit, campaign.lead_path = lead_unit, lead_unit.path
    campaign.target_text = clean_text(target_text, 300, _("整治目标"), required=True)
    campaign.target_value = _number(target_value, _("目标值"), required=True) or Decimal(0)
    campaign.target_unit = clean_text(target_unit, 20, _("计量单位"), required=True)
    campaign.baseline_value = _number(baseline_value, _("基线值"))
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    campaign.progress_mode = progress_mode
    campaign.save()
    _set_supports(campaign, supporting)
    b, a = audit.changes(before, audit.snapshot(campaign, CAMPAIGN_FIELDS))
    audit.record(
        "citizens.campaign.updated",
        campaign,
        actor=acting_user,
        before=b,
        after={**a, "supporting": [u.pk for u in supporting]},
        summary=campaign.title,
    )
    return campaign


@transaction.atomic
def start_campaign(campaign: Campaign, *, acting_user: Any) -> Campaign:
    """筹备 → 整治中: shown on the public portal from now on; the units are told."""
    require_office(acting_user, campaign.city_id, OFFICE_CAMPAIGNS)
    campaign = _locked(campaign)
    _transition(campaign, CampaignStatus.ACTIVE)
    campaign.status = CampaignStatus.ACTIVE
    campaign.save(update_fields=["status", "updated_at"])
    audit.record(
        "citizens.campaign.started",
        campaign,
        actor=acting_user,
        after={"status": campaign.status},
        summary=campaign.title,
    )
    _notify_units(
        campaign, _("专项整治「%(t)s」已启动，请按里程碑推进并上报进展") % {"t": campaign.title}
    )
    return campaign


# --- milestones -------------------------------------------------------------------------------


@transaction.atomic
def add_milestone(
    campaign: Campaign,
    *,
    title: str,
    deadline: date | None,
    weight: Any = 1,
    acting_user: Any,
) -> Milestone:
    campaign = _locked(campaign)
    _lead(campaign, acting_user)
    _working(campaign)
    if deadline is None:
        raise InvalidInput(_("里程碑必须有完成时限"), code="deadline_required")
    if not campaign.starts_on <= deadline <= campaign.ends_on + timedelta(days=366):
        raise InvalidInput(
            _("里程碑完成时限应在整治开始（%(s)s）之后、计划完成日期后一年以内")
            % {"s": f"{campaign.starts_on:%Y-%m-%d}"},
            code="bad_deadline",
        )
    w = money(weight, _("权重"))
    if w > 1000:
        raise InvalidInput(_("权重应在 0.01–1000 之间"), code="bad_weight")
    last = campaign.milestones.order_by("-sort").values_list("sort", flat=True).first() or 0
    m = Milestone.objects.create(
        campaign=campaign,
        title=clean_text(title, MAX_TITLE, _("名称"), required=True),
        deadline=deadline,
        weight=w,
        sort=last + 1,
    )
    audit.record(
        "citizens.milestone.added",
        m,
        actor=acting_user,
        city=city_ref(campaign.city_id),
        after={"campaign": campaign.pk, "title": m.title, "deadline": deadline, "weight": w},
        summary=m.title,
    )
    return m


@transaction.atomic
def set_milestone_status(milestone: Milestone, *, status: str, acting_user: Any) -> Milestone:
    campaign = _locked(milestone.campaign)
    _lead(campaign, acting_user)
    _working(campaign)
    if status not in MilestoneStatus.values:
        raise InvalidInput(_("里程碑状态无效"), code="bad_status")
    m = Milestone.objects.select_for_update().get(pk=milestone.pk)
    before = m.status
    m.status = status
    m.done_at = timezone.now() if status == MilestoneStatus.DONE else None
    if status == MilestoneStatus.DONE:
        m.progress = 100
    m.save(update_fields=["status", "done_at", "progress", "updated_at"])
    audit.record(
        "citizens.milestone.status",
        m,
        actor=acting_user,
        city=city_ref(campaign.city_id),
        before={"status": before},
        after={"status": status},
        summary=m.title,
    )
    return m


# --- links: cases, tasks, sites ---------------------------------------------------------------


def _milestone_of(campaign: Campaign, milestone: Milestone | None) -> Milestone | None:
    if milestone is not None and milestone.campaign_id != campaign.pk:
        raise InvalidInput(_("里程碑不属于该专项整治"), code="bad_milestone")
    return milestone


def _too_many(items: Sequence[Any]) -> None:
    if not items:
        raise InvalidInput(_("请先选择要关联的对象"), code="nothing_selected")
    if len(items) > MAX_LINKS:
        raise InvalidInput(_("一次最多关联 %(n)d 项") % {"n": MAX_LINKS}, code="too_many")


def _link(
    campaign: Campaign,
    model: type[CampaignCase] | type[CampaignTask] | type[CampaignSite],
    kind: str,
    objects: Sequence[Case] | Sequence[Task] | Sequence[Site],
    foreign: str,
    *,
    milestone: Milestone | None,
    by_milestone: bool,
    acting_user: Any,
) -> int:
    """Link ``objects`` (each linked once; ``kind`` names the link's field ``<kind>_id``);
    ``foreign`` is the message when one is of another city. With ``by_milestone``, an object
    already linked moves to the milestone."""
    campaign = _locked(campaign)
    _lead(campaign, acting_user)
    _working(campaign)
    _too_many(objects)
    if by_milestone:
        milestone = _milestone_of(campaign, milestone)
    if any(o.city_id != campaign.city_id for o in objects):
        raise InvalidInput(foreign, code=f"bad_{kind}")
    ids = [o.pk for o in objects]
    field = f"{kind}_id"
    linked = model.objects.filter(campaign=campaign, **{f"{field}__in": ids})
    have = set(linked.values_list(field, flat=True))
    extra: dict[str, Any] = {"milestone": milestone} if by_milestone else {}
    if by_milestone:
        linked.update(**extra)
    links: list[Any] = [
        model(campaign=campaign, **{field: pk}, **extra) for pk in ids if pk not in have
    ]
    model.objects.bulk_create(links)
    after: dict[str, Any] = {f"{kind}s": ids}
    if by_milestone:
        after["milestone"] = milestone.pk if milestone else None
    audit.record(
        f"citizens.campaign.{kind}s_linked",
        campaign,
        actor=acting_user,
        after=after,
        summary=campaign.title,
    )
    return len(ids)


@transaction.atomic
def link_cases(
    campaign: Campaign,
    cases: Sequence[Case],
    *,
    milestone: Milestone | None = None,
    acting_user: Any,
) -> int:
    """Link cases (under a milestone, or loose); a case already linked moves to the milestone."""
    return _link(
        campaign, CampaignCase, "case", cases, _("案件不属于本城市"),
        milestone=milestone, by_milestone=True, acting_user=acting_user,
    )  # fmt: skip


@transaction.atomic
def link_tasks(
    campaign: Campaign,
    tasks: Sequence[Task],
    *,
    milestone: Milestone | None = None,
    acting_user: Any,
) -> int:
    """Link tasks (under a milestone, or loose); a task already linked moves to the milestone."""
    return _link(
        campaign, CampaignTask, "task", tasks, _("任务不属于本城市"),
        milestone=milestone, by_milestone=True, acting_user=acting_user,
    )  # fmt: skip


@transaction.atomic
def link_sites(campaign: Campaign, sites: Sequence[Site], *, acting_user: Any) -> int:
    return _link(
        campaign, CampaignSite, "site", sites, _("点位不属于本城市"),
        milestone=None, by_milestone=False, acting_user=acting_user,
    )  # fmt: skip


LINK_MODELS: dict[str, type[CampaignCase] | type[CampaignTask] | type[CampaignSite]] = {
    "case": CampaignCase,
    "task": CampaignTask,
    "site": CampaignSite,
}


@transaction.atomic
def unlink(campaign: Campaign, kind: str, object_id: int, *, acting_user: Any) -> None:
    campaign = _locked(campaign)
    _lead(campaign, acting_user)
    _working(campaign)
    model = LINK_MODELS.get(kind)
    if model is None:
        raise InvalidInput(_("关联类型无效"), code="bad_kind")
    deleted, _rows = model.objects.filter(campaign=campaign, **{f"{kind}_id": object_id}).delete()
    if not deleted:
        raise InvalidInput(_("该对象未关联到此专项整治"), code="not_linked")
    audit.record(
        f"citizens.campaign.{kind}_unlinked",
        campaign,
        actor=acting_user,
        before={kind: object_id},
        summary=campaign.title,
    )


# --- progress reports and photos --------------------------------------------------------------


def _save_photos(
    campaign: Campaign, photos: Sequence[Any], kind: str, report: CampaignReport | None, user: Any
) -> list[CampaignPhoto]:
    rows = []
    for checked in photos:
        row = CampaignPhoto(
            campaign=campaign,
            report=report,
            kind=kind,
            width=checked.width,
            height=checked.height,
            uploaded_by=user,
        )
        row.store(checked)
        rows.append(row)
    return rows


def _check_photos(photos: Sequence[IO[bytes] | bytes]) -> list[Any]:
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(
            _("每次最多上传 %(n)d 张照片") % {"n": MAX_PHOTOS}, code="too_many_photos"
        )
    return [check_photo(p) for p in photos]


@transaction.atomic
def submit_report(
    campaign: Campaign,
    *,
    text: str,
    milestone: Milestone | None = None,
    progress: int | None = None,
    current_value: Any = None,
    photos: Sequence[IO[bytes] | bytes] = (),
    photo_kind: str = PhotoKind.PROGRESS,
    acting_user: Any,
) -> CampaignReport:
    """A progress report with photos; it may set the milestone's progress (100 = done) and the
    target's current value (the lead unit and the office only)."""
    campaign = _locked(campaign)
    unit = _member(campaign, acting_user)
    _working(campaign)
    text = clean_text(text, MAX_TEXT, _("进展情况"), required=True)
    milestone = _milestone_of(campaign, milestone)
    if progress is not None:
        if milestone is None:
            raise InvalidInput(_("填写进度时请选择对应的里程碑"), code="milestone_required")
        if not 0 <= int(progress) <= 100:
            raise InvalidInput(_("进度应在 0–100 之间"), code="bad_progress")
    if photo_kind not in PhotoKind.values:
        raise InvalidInput(_("照片类型无效"), code="bad_kind")
    value = _number(current_value, _("当前值"))
    if (milestone is not None and progress is not None) or value is not None:
        _lead(campaign, acting_user)  # the figures are the lead unit's to give
    checked = _check_photos(photos)
    user = actor_user(acting_user)
    report = CampaignReport.objects.create(
        city_id=campaign.city_id,
        campaign=campaign,
        milestone=milestone,
        unit=unit or campaign.lead_unit,
        text=text,
        progress=progress,
        submitted_by=user,
    )
    _save_photos(campaign, checked, photo_kind, report, user)
    if milestone is not None and progress is not None:
        m = Milestone.objects.select_for_update().get(pk=milestone.pk)
        m.progress = int(progress)
        if m.status == MilestoneStatus.PLANNED and progress > 0:
            m.status = MilestoneStatus.IN_PROGRESS
        if progress == 100 and m.status != MilestoneStatus.DROPPED:
            m.status, m.done_at = MilestoneStatus.DONE, timezone.now()
        m.save(update_fields=["progress", "status", "done_at", "updated_at"])
    if value is not None:
        campaign.current_value = value
        campaign.save(update_fields=["current_value", "updated_at"])
    audit.record(
        "citizens.campaign.reported",
        report,
        actor=acting_user,
        after={
            "campaign": campaign.pk,
            "milestone": milestone.pk if milestone else None,
            "progress": progress,
            "current_value": value,
            "photos": len(checked),
        },
        summary=text[:100],
    )
    return report


# --- budget ---------------------------------------------------------------------------------


def _line(campaign: Campaign, source: str) -> BudgetLine:
    if source not in BudgetSource.values:
        raise InvalidInput(_("资金来源无效"), code="bad_source")
    line = BudgetLine.objects.select_for_update().filter(campaign=campaign, source=source).first()
    if line is None:
        raise InvalidInput(
            _("本项目没有「%(s)s」的预算，请先安排预算") % {"s": BudgetSource(source).label},
            code="no_budget",
        )
    return line


@transaction.atomic
def set_budget(
    campaign: Campaign, *, source: str, allocated: Any, note: str = "", acting_user: Any
) -> BudgetLine:
    """安排预算 of one source (the office). Lowering it below what is committed or spent is
    refused; raising it later is a budget change, not this."""
    require_office(acting_user, campaign.city_id, _("只有创建办可以安排预算"))
    campaign = _locked(campaign)
    _working(campaign)
    if source not in BudgetSource.values:
        raise InvalidInput(_("资金来源无效"), code="bad_source")
    amount = money(allocated, _("安排金额"), allow_zero=True)
    line = BudgetLine.objects.select_for_update().filter(campaign=campaign, source=source).first()
    before = None
    if line is None:
        line = BudgetLine(campaign=campaign, source=source, allocated=amount)
    else:
        if line.allocated > 0 and line.entries.exists():
            raise InvalidInput(
                _("该来源已有支出记录，预算变更请走预算调整审批"), code="use_budget_change"
            )
        before = {"allocated": line.allocated}
        line.allocated = amount
    line.note = clean_text(note, 300, _("说明"))
    line.save()
    audit.record(
        "citizens.budget.set",
        line,
        actor=acting_user,
        city=city_ref(campaign.city_id),
        before=before,
        after={"campaign": campaign.pk, "source": source, "allocated": amount},
        summary=campaign.title,
    )
    return line


@transaction.atomic
def record_budget_entry(
    campaign: Campaign,
    *,
    source: str,
    kind: str,
    amount: Any,
    on: date,
    note: str,
    acting_user: Any,
) -> BudgetEntry:
    """登记承诺或支出. Refused when it would take the source past its budget in force."""
    campaign = _locked(campaign)
    _lead(campaign, acting_user)
    _working(campaign)
    if kind not in BudgetEntryKind.values:
        raise InvalidInput(_("类型无效（承诺或支出）"), code="bad_kind")
    value = money(amount, _("金额"))
    if on is None or on > timezone.localdate() + timedelta(days=1):
        raise InvalidInput(_("请填写发生日期（不能晚于今天）"), code="bad_date")
    sane_date(on, _("日期"))
    note = clean_text(note, 300, _("用途"), required=True)
    line = _line(campaign, source)
    field = "spent" if kind == BudgetEntryKind.SPEND else "committed"
    used = getattr(line, field)
    if used + value > line.available:
        raise InvalidInput(
            _(
                "超出预算：「%(s)s」预算 %(b)s 元（含已批准的调整），"
                "已%(k)s %(u)s 元，本次 %(v)s 元。确需超出的，请先提交预算调整并经创建办批准"
            )
            % {
                "s": BudgetSource(source).label,
                "b": f"{line.available:,.2f}",
                "k": _("支出") if field == "spent" else _("承诺"),
                "u": f"{used:,.2f}",
                "v": f"{value:,.2f}",
            },
            code="over_budget",
        )
    BudgetLine.objects.filter(pk=line.pk).update(**{field: F(field) + value})
    entry = BudgetEntry.objects.create(
        campaign=campaign,
        line=line,
        kind=kind,
        amount=value,
        on=on,
        note=note,
        created_by=actor_user(acting_user),
    )
    audit.record(
        "citizens.budget.entry",
        entry,
        actor=acting_user,
        city=city_ref(campaign.city_id),
        after={"campaign": campaign.pk, "source": source, "kind": kind, "amount": value},
        summary=note[:100],
    )
    return entry


@transaction.atomic
def request_budget_change(
    campaign: Campaign, *, source: str, amount: Any, reason: str, acting_user: Any
) -> BudgetChange:
    """申请预算调整 (追加 positive, 调减 negative) for the office to decide."""
    campaign = _locked(campaign)
    _lead(campaign, acting_user)
    _working(campaign)
    value = money(amount, _("调整金额"), allow_negative=True)
    line = _line(campaign, source)
    change = BudgetChange.objects.create(
        campaign=campaign,
        line=line,
        amount=value,
        reason=clean_text(reason, 500, _("理由"), required=True),
        requested_by=actor_user(acting_user),
    )
    audit.record(
        "citizens.budget.change_requested",
        change,
        actor=acting_user,
        city=city_ref(campaign.city_id),
        after={"campaign": campaign.pk, "source": source, "amount": value},
        summary=change.reason[:100],
    )
    office = Membership.objects.filter(
        unit__city_id=campaign.city_id, role=Role.OFFICE_ADMIN, person__active=True
    ).values_list("person__user_id", flat=True)
    core_services.notify(
        list(office),
        _("「%(t)s」申请预算调整 %(a)s 元，请审批") % {"t": campaign.title, "a": f"{value:+,.2f}"},
        url=reverse("citizens:campaign", args=[campaign.pk]),
        topic="citizens",
    )
    return change


@transaction.atomic
def decide_budget_change(
    change: BudgetChange, *, approve: bool, note: str = "", acting_user: Any
) -> BudgetChange:
    campaign = _locked(change.campaign)
    require_office(acting_user, campaign.city_id, _("只有创建办可以审批预算调整"))
    change = BudgetChange.objects.select_for_update().get(pk=change.pk)
    if change.status != BudgetChangeStatus.PENDING:
        raise InvalidTransition(_("该预算调整已审批"), code="decided")
    user = actor_user(acting_user)
    if user is not None and change.requested_by_id == user.pk:
        raise PermissionDenied(_("审批人不能是申请人本人"), code="same_person")
    note = clean_text(note, 300, _("审批意见"))
    if approve:
        line = BudgetLine.objects.select_for_update().get(pk=change.line_id)
        if line.available + change.amount < max(line.spent, line.committed):
            raise InvalidInput(
                _("调减后预算将低于已承诺或已支出的金额，不能批准"), code="below_used"
            )
        BudgetLine.objects.filter(pk=line.pk).update(adjusted=F("adjusted") + change.amount)
    change.status = BudgetChangeStatus.APPROVED if approve else BudgetChangeStatus.REFUSED
    change.decided_by, change.decided_at, change.decision_note = user, timezone.now(), note
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(
        "citizens.budget.change_decided",
        change,
        actor=acting_user,
        city=city_ref(campaign.city_id),
        after={"status": change.status, "amount": change.amount, "note": note},
        summary=campaign.title,
    )
    return change


# --- acceptance: before/after evidence and the citizens' re-vote ------------------------------


@transaction.atomic
def submit_for_acceptance(
    campaign: Campaign,
    *,
    summary: str,
    before_photos: Sequence[IO[bytes] | bytes] = (),
    after_photos: Sequence[IO[bytes] | bytes] = (),
    vote_days: int = 14,
    acting_user: Any,
) -> Round:
    """整治中 → 验收中: the summary and before/after photos (at least one of each, with those
    already uploaded), and a satisfaction re-vote opened on the public portal for
    ``vote_days`` days."""
    require_office(acting_user, campaign.city_id, OFFICE_CAMPAIGNS)
    campaign = _locked(campaign)
    _transition(campaign, CampaignStatus.CLOSING)
    summary = clean_text(summary, MAX_TEXT, _("验收总结"), required=True)
    if not 1 <= vote_days <= 90:
        raise InvalidInput(_("满意度回访天数应在 1–90 之间"), code="bad_days")
    user = actor_user(acting_user)
    _save_photos(campaign, _check_photos(before_photos), PhotoKind.BEFORE, None, user)
    _save_photos(campaign, _check_photos(after_photos), PhotoKind.AFTER, None, user)
    kinds = set(campaign.photos.values_list("kind", flat=True))
    if not {PhotoKind.BEFORE, PhotoKind.AFTER} <= kinds:
        raise InvalidInput(_("验收须有整治前和整治后的照片各至少一张"), code="evidence_required")
    campaign.status, campaign.closing_summary = CampaignStatus.CLOSING, summary
    campaign.save(update_fields=["status", "closing_summary", "updated_at"])
    city = City.objects.get(pk=campaign.city_id)
    round_ = create_round(
        city,
        kind=RoundKind.SATISFACTION,
        title=_("「%(t)s」整治效果满意度回访") % {"t": campaign.title},
        description=summary,
        closes_at=timezone.now() + timedelta(days=vote_days),
        max_choices=1,
        select_count=1,
        campaign=campaign,
        acting_user=acting_user,
    )
    add_candidate(round_, title=campaign.title, acting_user=acting_user)
    round_ = open_round(round_, acting_user=acting_user)
    audit.record(
        "citizens.campaign.acceptance",
        campaign,
        actor=acting_user,
        after={"status": campaign.status, "round": round_.pk},
        summary=campaign.title,
    )
    return round_


@transaction.atomic
def close_campaign(campaign: Campaign, *, acting_user: Any) -> Campaign:
    """验收中 → 已完成, once the satisfaction re-vote has ended: its result is published."""
    require_office(acting_user, campaign.city_id, OFFICE_CAMPAIGNS)
    campaign = _locked(campaign)
    _transition(campaign, CampaignStatus.CLOSED)
    round_ = campaign.satisfaction_rounds.order_by("-id").first()
    if round_ is not None and round_.status != RoundStatus.PUBLISHED:
        if round_.status == RoundStatus.OPEN and timezone.now() < round_.closes_at:
            raise InvalidTransition(
                _("满意度回访尚未结束（截止 %(t)s），请结束投票后再完成验收")
                % {"t": f"{timezone.localtime(round_.closes_at):%Y-%m-%d %H:%M}"},
                code="vote_running",
            )
        if round_.status == RoundStatus.OPEN:
            close_round(round_, acting_user=acting_user)
        publish_round(
            round_,
            note=_("整治项目验收，公布满意度回访结果"),
            confirm_unverified=True,
            acting_user=acting_user,
        )
    campaign.status, campaign.closed_at = CampaignStatus.CLOSED, timezone.now()
    campaign.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(
        "citizens.campaign.closed",
        campaign,
        actor=acting_user,
        after={"status": campaign.status},
        summary=campaign.title,
    )
    return campaign


@transaction.atomic
def reopen_campaign(campaign: Campaign, *, reason: str, acting_user: Any) -> Campaign:
    """验收中 → 整治中: the acceptance found the work unfinished (the re-vote stays on record)."""
    require_office(acting_user, campaign.city_id, OFFICE_CAMPAIGNS)
    campaign = _locked(campaign)
    _transition(campaign, CampaignStatus.ACTIVE)
    reason = clean_text(reason, 500, _("理由"), required=True)
    campaign.status = CampaignStatus.ACTIVE
    campaign.save(update_fields=["status", "updated_at"])
    running = campaign.satisfaction_rounds.filter(status=RoundStatus.OPEN)
    for round_ in running:
        close_round(round_, acting_user=acting_user)
    audit.record(
        "citizens.campaign.reopened",
        campaign,
        actor=acting_user,
        after={"status": campaign.status, "reason": reason},
        summary=campaign.title,
    )
    _notify_units(
        campaign, _("专项整治「%(t)s」验收未通过：%(r)s") % {"t": campaign.title, "r": reason}
    )
    return campaign
