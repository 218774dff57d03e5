"""通报: the section registry, the built-in sections drafted from the data, and the Word
(GB/T 9704) and PDF documents of a bulletin.

Nothing in a bulletin is invented. A section builder returns its text together with every
figure it states, each figure carrying a description of the query that produced it and a link
to the filtered list it can be checked against; the office may rewrite the text, the figures
stay as they were computed.

Other parts of the app add sections (the red/black list, negative-list findings) with::

    register_bulletin_section("red_black", "红黑榜", build_red_black, order=30)

``build(ctx)`` gets a ``BulletinContext`` (city, kind, period, today) and returns a
``SectionDraft`` — or ``None`` to leave the section out of this bulletin.
"""

import base64
import io
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Avg, Count, IntegerField, Q, Value, When
from django.db.models import Case as Choose
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from chuangwen.cases.choices import OPEN, PhotoKind
from chuangwen.cases.models import Case, CasePhoto
from chuangwen.cases.selectors import standard_counts, with_rates
from chuangwen.core import documents as d
from chuangwen.core.models import BY_RANK
from chuangwen.inspections.choices import ActionStatus
from chuangwen.inspections.documents import add_letterhead
from chuangwen.inspections.models import ActionItem, CheckPhoto, CheckResult, Notice
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import City, Unit
from chuangwen.tasks.models import Task
from chuangwen.tasks.selectors import overdue_q as task_overdue_q

from .choices import (
    FindingStatus,
    ListEntryStatus,
    ListKind,
    PeriodStatus,
    SubmissionKind,
    SubmissionStatus,
)
from .models import Submission, SubmissionPhoto

# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BulletinContext:
    city: City
    kind: str
    start: date
    end: date
    today: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first moment after the period (the range is [since, until))."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def period_text(self) -> str:
        return f"{d.chinese_date(self.start)}至{d.chinese_date(self.end)}"

    @property
    def dates(self) -> dict[str, str]:
        """The period as the list pages' date filters (``since`` / ``until``)."""
        return {"since": self.start.isoformat(), "until": self.end.isoformat()}


@dataclass
class Figure:
    """A number stated in a bulletin, the query it came from and where to check it."""

    label: str
    value: Any
    unit: str = ""
    query: str = ""
    url: str = ""


@dataclass
class Row:
    cells: list[Any]
    query: str = ""
    url: str = ""
    url_label: str = ""


@dataclass
class SectionDraft:
    text: str
    figures: list[Figure] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    photos: list[dict[str, Any]] = field(default_factory=list)

    def table(self) -> dict[str, Any]:
        if not self.rows:
            return {}
        return {"headers": self.headers, "rows": [asdict(r) for r in self.rows]}


SectionBuilder = Callable[[BulletinContext], SectionDraft | None]


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    build: SectionBuilder
    order: int


SECTIONS: dict[str, SectionSpec] = {}


def register_bulletin_section(
    code: str, title: str, build: SectionBuilder, *, order: int = 100
) -> None:
    """Register a section of every drafted bulletin (in ``AppConfig.ready``); sections appear
    by ``order`` (built-in: 10 督查, 20 案件办理, 40 逾期事项, 50 经验做法)."""
    if not code or len(code) > 40:  # BulletinSection.code is a CharField(40)
        raise ValueError(f"bad section code: {code!r}")
    current = SECTIONS.get(code)
    if current is not None and current.build is not build:
        raise ValueError(f"bulletin section {code!r} is already registered")
    SECTIONS[code] = SectionSpec(code, title, build, order)


def registered_sections() -> list[SectionSpec]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.code))


# --- helpers ---------------------------------------------------------------------------------


def _url(name: str, *args: Any, **params: Any) -> str:
    url = reverse(name, args=args or None)
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def _pct(part: float | None, whole: float | None) -> float | None:
    return round(100 * part / whole, 1) if part is not None and whole else None


def _shown(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value}{unit}"


def _districts(city: City) -> list[Unit]:
    return list(
        Unit.objects.filter(city=city, kind=UnitKind.DISTRICT, active=True).order_by("path")
    )


def _district_of(districts: list[Unit], field_name: str) -> Choose:
    """An expression: the id of the district whose subtree ``field_name`` (a path) is in."""
    return Choose(
        *[When(**{f"{field_name}__startswith": u.path}, then=Value(u.pk)) for u in districts],
        default=Value(0),
        output_field=IntegerField(),
    )


def _ranked(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Rows by ``key`` descending (rows without a value last), each given its ``rank``."""
    rows = sorted(rows, key=lambda r: (r[key] is None, -(r[key] or 0), r["name"]))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i if r[key] is not None else None
    return rows


def _best_and_worst(ranked: list[dict[str, Any]], key: str, what: str) -> str:
    """ "…最高的是甲区（96.0%），最低的是乙区（80.0%）。" over rows ranked by ``key`` (ties
    named together), or that they are all equal."""
    if len(ranked) < 2:
        return ""
    best, worst = ranked[0][key], ranked[-1][key]
    if best == worst:
        return f"各区{what}均为 {best}%。"

    def names(value: Any) -> str:
        return "、".join(r["name"] for r in ranked if r[key] == value)

    return f"{what}最高的是{names(best)}（{best}%），最低的是{names(worst)}（{worst}%）。"


# --- built-in sections -----------------------------------------------------------------------


def build_inspections(ctx: BulletinContext) -> SectionDraft:
    """督查检查情况: the check results of the period by district, and typical problems with
    their before/after photos."""
    results = CheckResult.objects.filter(
        city=ctx.city, observed_at__gte=ctx.since, observed_at__lt=ctx.until
    )
    where = f"督查检查结果，观测时间 {ctx.start:%Y-%m-%d} 至 {ctx.end:%Y-%m-%d}"
    plans = list(results.order_by("plan_id").values_list("plan_id", "plan__title").distinct()[:20])
    plans_url = (
        _url("inspections:plan", plans[0][0]) if len(plans) == 1 else _url("inspections:plans")
    )
    totals = results.aggregate(
        n=Count("id"), failed=Count("id", filter=Q(failed=True)), score=Avg("score")
    )
    n, failed = totals["n"] or 0, totals["failed"] or 0
    score = round(100 * totals["score"], 1) if totals["score"] is not None else None
    figures = [
        Figure("检查观测", n, "条", f"{where}，计数", plans_url),
        Figure("发现问题", failed, "处", f"{where}，不合格（发现问题）的计数", plans_url),
        Figure("平均得分率", score, "%", f"{where}，得分率（0–1）的平均值 × 100", plans_url),
    ]
    if not n:
        return SectionDraft(text=f"{ctx.period_text}，未录入督查检查结果。", figures=figures)
    districts = _districts(ctx.city)
    names = {u.pk: u.name for u in districts}
    by_district = (
        results.values("sample__district_id")
        .annotate(n=Count("id"), failed=Count("id", filter=Q(failed=True)), score=Avg("score"))
        .order_by()
    )
    rows = [
        {
            "id": r["sample__district_id"],
            "name": names.get(r["sample__district_id"], "其他"),
            "n": r["n"],
            "failed": r["failed"],
            "score": round(100 * r["score"], 1) if r["score"] is not None else None,
        }
        for r in by_district
    ]
    rows = _ranked(rows, "score")
    table = [
        Row(
            [r["rank"], r["name"], r["n"], r["failed"], _shown(r["score"])],
            query=f"{where}，抽样点位所属区县为「{r['name']}」",
            url=_url("cases:list", source="inspection", unit=r["id"], **ctx.dates)
            if r["id"] in names
            else "",
            url_label="督查问题案件",
        )
        for r in rows
    ]
    problems, photos = _typical_problems(results)
    text = (
        f"{ctx.period_text}，共开展督查检查观测 {n} 条，发现问题 {failed} 处，平均得分率 "
        f"{_shown(score, '%')}。"
    )
    text += _best_and_worst([r for r in rows if r["rank"] is not None], "score", "得分率")
    if problems:
        text += "\n典型问题：\n" + "\n".join(f"{i}. {p}" for i, p in enumerate(problems, 1))
    return SectionDraft(
        text=text,
        figures=figures,
        headers=["排名", "区县", "检查观测（条）", "发现问题（处）", "得分率（%）"],
        rows=table,
        photos=photos,
    )


TYPICAL_PROBLEMS = 5
CHOSEN_BY_DEFAULT = 3


def _typical_problems(results: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The worst failed checks of the period (those with photos first): a line each, and
    their photos — the case's before/after photos, else the check's own."""
    failed = list(
        results.filter(failed=True)
        .select_related("site", "site__site_type", "check_item", "case")
        .order_by("score", "-observed_at", "pk")[:200]
    )
    if not failed:
        return [], []
    case_photos: dict[int, dict[str, int]] = {}
    for pk, case_id, kind in (
        CasePhoto.objects.filter(
            case_id__in=[r.case_id for r in failed if r.case_id],
            kind__in=[PhotoKind.BEFORE, PhotoKind.AFTER],
        )
        .order_by("pk")
        .values_list("pk", "case_id", "kind")
    ):
        case_photos.setdefault(case_id, {}).setdefault(kind, pk)
    check_photos: dict[int, int] = {}
    for pk, result_id in (
        CheckPhoto.objects.filter(result_id__in=[r.pk for r in failed])
        .order_by("pk")
        .values_list("pk", "result_id")
    ):
        check_photos.setdefault(result_id, pk)

    def has_photo(r: CheckResult) -> bool:
        return bool(case_photos.get(r.case_id or 0)) or r.pk in check_photos

    picked = sorted(failed, key=lambda r: not has_photo(r))[:TYPICAL_PROBLEMS]
    lines, photos = [], []
    for i, r in enumerate(picked):
        state = ""
        if r.case is not None:
            state = "，已整改" if r.case.state not in OPEN else "，正在整改"
        place = f"{r.site.name}（{r.site.site_type.name}）"
        lines.append(f"{place}：{r.check_item.text[:60]}，不达标{state}。")
        chosen = i < CHOSEN_BY_DEFAULT
        before_after = case_photos.get(r.case_id or 0, {})
        for kind, label in ((PhotoKind.BEFORE, "整改前"), (PhotoKind.AFTER, "整改后")):
            if kind in before_after:
                photos.append(
                    {
                        "source": "case",
                        "id": before_after[kind],
                        "caption": f"{place}（{label}）",
                        "chosen": chosen,
                    }
                )
        if not before_after and r.pk in check_photos:
            photos.append(
                {
                    "source": "check",
                    "id": check_photos[r.pk],
                    "caption": f"{place}（检查时）",
                    "chosen": chosen,
                }
            )
    return lines, photos


def build_cases(ctx: BulletinContext) -> SectionDraft:
    """问题办理情况: the period's cases by the district of their responsible unit, with the
    closure rates and the ranking (数字城管 standard counts, as the case summary page)."""
    now = timezone.now()
    qs = Case.objects.filter(city=ctx.city, reported_at__gte=ctx.since, reported_at__lt=ctx.until)
    where = (
        f"问题案件，上报时间 {ctx.start:%Y-%m-%d} 至 {ctx.end:%Y-%m-%d}，"
        f"统计截至 {timezone.localtime(now):%Y-%m-%d %H:%M}"
    )
    total = with_rates(qs.aggregate(**standard_counts(now)))
    summary = _url("cases:summary", **ctx.dates)
    figures = [
        Figure(
            "受理案件", total["reported"], "件", f"{where}，计数", _url("cases:list", **ctx.dates)
        ),
        Figure("应结案", total["due"], "件", f"{where}，已派遣且已过处置时限或已结案", summary),
        Figure("已结案", total["closed"], "件", f"{where}，状态为结案或已评价", summary),
        Figure("结案率", total["close_rate"], "%", f"{where}，已结案 ÷ 应结案 × 100", summary),
        Figure(
            "按期结案率",
            total["on_time_close_rate"],
            "%",
            f"{where}，按期处置且已结案 ÷ 应结案 × 100",
            summary,
        ),
        Figure(
            "超期案件",
            total["overdue"],
            "件",
            f"{where}，超过处置时限仍未处置或超期处置",
            _url("cases:list", overdue="any", **ctx.dates),
        ),
    ]
    if not total["reported"]:
        return SectionDraft(text=f"{ctx.period_text}，未受理问题案件。", figures=figures)
    districts = _districts(ctx.city)
    names = {u.pk: u.name for u in districts}
    grouped = (
        qs.annotate(district=_district_of(districts, "unit_path"))
        .values("district")
        .annotate(**standard_counts(now))
        .order_by()
    )
    rows = [
        with_rates({**r, "id": r["district"], "name": names.get(r["district"], "市直部门及其他")})
        for r in grouped
    ]
    ranked = _ranked([r for r in rows if r["id"] in names], "close_rate")
    others = [r for r in rows if r["id"] not in names]
    table = [
        Row(
            [
                r["rank"],
                r["name"],
                r["reported"],
                r["due"],
                r["closed"],
                _shown(r["close_rate"]),
                _shown(r["on_time_close_rate"]),
                r["overdue"],
            ],
            query=f"{where}，责任单位在「{r['name']}」（含下级）",
            url=_url("cases:summary", unit=r["id"], **ctx.dates),
            url_label="案件统计",
        )
        for r in ranked
    ] + [
        Row(
            [
                "—",
                r["name"],
                r["reported"],
                r["due"],
                r["closed"],
                _shown(r["close_rate"]),
                _shown(r["on_time_close_rate"]),
                r["overdue"],
            ],
            query=f"{where}，责任单位不在任何区县之下（市直部门等）或尚未派遣",
        )
        for r in others
    ]
    text = (
        f"{ctx.period_text}，全市受理问题案件 {total['reported']} 件，应结案 {total['due']} 件，"
        f"已结案 {total['closed']} 件，结案率 {_shown(total['close_rate'], '%')}，按期结案率 "
        f"{_shown(total['on_time_close_rate'], '%')}，超期 {total['overdue']} 件。"
    )
    text += _best_and_worst([r for r in ranked if r["rank"] is not None], "close_rate", "结案率")
    return SectionDraft(
        text=text,
        figures=figures,
        headers=[
            "排名",
            "区县",
            "受理",
            "应结案",
            "已结案",
            "结案率（%）",
            "按期结案率（%）",
            "超期",
        ],
        rows=table,
    )


OVERDUE_ROWS = 30


def build_overdue(ctx: BulletinContext) -> SectionDraft:
    """逾期事项: tasks past their deadline, 督查通知书 past the rectification deadline with
    cases still open, and meeting decisions past their deadline — as of the drafting day."""
    today = ctx.today
    as_of = f"截至 {today:%Y-%m-%d}"
    tasks = Task.objects.filter(city=ctx.city).filter(task_overdue_q(today))
    open_cases = Notice.cases.through.objects.filter(case__state__in=OPEN)
    late_notices = Notice.objects.filter(
        city=ctx.city, deadline__lt=today, pk__in=open_cases.values("notice_id")
    )
    actions = ActionItem.objects.filter(city=ctx.city, status=ActionStatus.OPEN, deadline__lt=today)
    n_tasks, n_notices, n_actions = tasks.count(), late_notices.count(), actions.count()
    figures = [
        Figure(
            "逾期任务",
            n_tasks,
            "项",
            f"创建任务，{as_of}：未开始或推进中且完成时限早于当日",
            _url("tasks:list", status="overdue"),
        ),
        Figure(
            "逾期未整改的督查通知书",
            n_notices,
            "份",
            f"督查通知书，{as_of}：整改时限早于当日且所列案件仍有未办结",
            _url("inspections:notices"),
        ),
        Figure(
            "逾期议定事项",
            n_actions,
            "项",
            f"会议议定事项，{as_of}：办理中且完成时限早于当日",
            _url("inspections:actions", overdue="true"),
        ),
    ]
    rows: list[Row] = []
    for t in tasks.select_related("indicator", "lead_unit").order_by("deadline", "pk")[
        :OVERDUE_ROWS
    ]:
        rows.append(
            Row(
                [
                    "任务",
                    f"{t.indicator.code} {(t.target or t.content or t.indicator.title)[:40]}",
                    t.lead_unit.name,
                    f"{t.deadline:%Y-%m-%d}" if t.deadline else "",
                    f"逾期 {(today - t.deadline).days} 天" if t.deadline else "",
                ],
                query=f"任务 {t.pk}",
                url=_url("tasks:detail", t.pk),
            )
        )
    for notice in late_notices.select_related("unit").order_by("deadline", "pk")[:OVERDUE_ROWS]:
        rows.append(
            Row(
                [
                    "督查通知书",
                    f"{notice.number} {notice.title[:40]}",
                    notice.unit.name,
                    f"{notice.deadline:%Y-%m-%d}",
                    f"逾期 {(today - notice.deadline).days} 天",
                ],
                query=f"督查通知书 {notice.number}",
                url=_url("inspections:notice", notice.pk),
            )
        )
    for a in actions.select_related("unit").order_by("deadline", "pk")[:OVERDUE_ROWS]:
        rows.append(
            Row(
                [
                    "议定事项",
                    a.text[:50],
                    a.unit.name,
                    f"{a.deadline:%Y-%m-%d}",
                    f"逾期 {(today - a.deadline).days} 天",
                ],
                query=f"议定事项 {a.pk}",
                url=_url("inspections:meeting", a.meeting_id),
            )
        )
    if not (n_tasks or n_notices or n_actions):
        text = f"{as_of}，没有逾期的任务、督查通知书和议定事项。"
    else:
        text = (
            f"{as_of}，逾期未完成的创建任务 {n_tasks} 项，逾期未整改到位的督查通知书 "
            f"{n_notices} 份，逾期未办结的会议议定事项 {n_actions} 项。请有关单位抓紧办理，"
            "并在创文平台反馈办理情况。"
        )
    return SectionDraft(
        text=text,
        figures=figures,
        headers=["类别", "事项", "责任单位", "时限", "逾期"],
        rows=rows,
    )


GOOD_PRACTICES = 5


def build_good_practices(ctx: BulletinContext) -> SectionDraft:
    """经验做法: the 信息 units sent in the period that the office or a leader approved."""
    infos = Submission.objects.filter(
        city=ctx.city,
        kind=SubmissionKind.INFO,
        status=SubmissionStatus.APPROVED,
        submitted_at__gte=ctx.since,
        submitted_at__lt=ctx.until,
    )
    n = infos.count()
    figures = [
        Figure(
            "采用信息",
            n,
            "条",
            f"信息报送，报送时间 {ctx.start:%Y-%m-%d} 至 {ctx.end:%Y-%m-%d}，已点评采用",
            _url("assessment:submissions", kind="info", status="approved", **ctx.dates),
        )
    ]
    top = list(
        infos.select_related("unit").order_by("-score", "-reviewed_at", "pk")[:GOOD_PRACTICES]
    )
    if not top:
        return SectionDraft(text=f"{ctx.period_text}，没有采用的信息。", figures=figures)
    first_photo: dict[int, int] = {}
    for pk, sub_id in (
        SubmissionPhoto.objects.filter(submission__in=top)
        .order_by("pk")
        .values_list("pk", "submission_id")
    ):
        first_photo.setdefault(sub_id, pk)
    lines, photos, rows = [], [], []
    for i, s in enumerate(top):
        summary = " ".join(s.body.split())[:120]
        lines.append(f"{i + 1}. 【{s.unit.name}】{s.title}。{summary}")
        rows.append(
            Row(
                [s.unit.name, s.title, s.score if s.score is not None else "—"],
                query=f"信息 {s.pk}",
                url=_url("assessment:submission", s.pk),
            )
        )
        if s.pk in first_photo:
            photos.append(
                {
                    "source": "info",
                    "id": first_photo[s.pk],
                    "caption": f"{s.unit.name}：{s.title[:30]}",
                    "chosen": i < CHOSEN_BY_DEFAULT,
                }
            )
    text = f"{ctx.period_text}，各单位报送信息经点评采用 {n} 条，现将部分经验做法摘要如下：\n"
    return SectionDraft(
        text=text + "\n".join(lines),
        figures=figures,
        headers=["单位", "信息标题", "点评得分"],
        rows=rows,
        photos=photos,
    )


def build_red_black(ctx: BulletinContext) -> SectionDraft | None:
    """红黑榜: the lists of the latest computed or published assessment period that ended by
    the end of the bulletin's period (left out when there is none)."""
    from .models import AssessmentPeriod, ListEntry

    period = (
        AssessmentPeriod.objects.filter(
            city=ctx.city,
            ends_on__lte=ctx.end,
            status__in=[PeriodStatus.COMPUTED, PeriodStatus.PUBLISHED],
        )
        .order_by("-ends_on", "-id")
        .first()
    )
    if period is None:
        return None
    entries = list(
        ListEntry.objects.filter(period=period)
        .select_related("unit")
        .order_by("group", "kind", BY_RANK, "id")
    )
    red = [e for e in entries if e.kind == ListKind.RED]
    black = [e for e in entries if e.kind == ListKind.BLACK]
    still = [e for e in black if e.status != ListEntryStatus.EXITED]
    where = f"考核期「{period.label}」（{period.get_status_display()}）的红黑榜"
    url = _url("assessment:lists", period=period.pk)
    figures = [
        Figure("红榜单位", len(red), "个", f"{where}：榜单为红榜的单位", url),
        Figure("黑榜单位", len(black), "个", f"{where}：榜单为黑榜的单位", url),
        Figure(
            "黑榜未整改退出",
            len(still),
            "个",
            f"{where}：黑榜单位中尚未经核查整改退出的（截至起草时）",
            url,
        ),
    ]
    rows = [
        Row(
            [
                e.get_kind_display(),
                e.get_group_display(),
                e.unit.name,
                e.rank if e.rank is not None else "—",
                str(e.total) if e.total is not None else "—",
                e.get_status_display() if e.kind == ListKind.BLACK else "",
            ],
            query=f"{where}：{e.unit.name}",
            url=_url("assessment:unit_detail", period.pk, e.unit_id),
        )
        for e in entries
    ]

    def names(items: list[Any]) -> str:
        return "、".join(e.unit.name for e in items) or "无"

    text = (
        f"根据{period.label}考核结果，列入红榜的单位 {len(red)} 个：{names(red)}；"
        f"列入黑榜的单位 {len(black)} 个：{names(black)}。"
    )
    if black:
        text += (
            f"黑榜单位中已整改并经核查退出 {len(black) - len(still)} 个，"
            f"尚未退出 {len(still)} 个，请抓紧整改并在创文平台提交整改情况。"
        )
    return SectionDraft(
        text=text,
        figures=figures,
        headers=["榜单", "考核对象", "单位", "名次", "总分", "整改"],
        rows=rows,
    )


def build_findings(ctx: BulletinContext) -> SectionDraft | None:
    """负面清单问题: findings against units made in the period (withdrawn ones left out)."""
    from .models import NegativeFinding

    found = (
        NegativeFinding.objects.filter(
            city=ctx.city, found_on__gte=ctx.start, found_on__lte=ctx.end
        )
        .exclude(status=FindingStatus.WITHDRAWN)
        .select_related("unit", "item")
        .order_by("found_on", "id")
    )
    items = list(found)
    where = f"负面清单问题，认定日期 {ctx.start:%Y-%m-%d} 至 {ctx.end:%Y-%m-%d}（不含已撤销）"
    url = _url("assessment:findings", **ctx.dates)
    open_ = [f for f in items if f.status != FindingStatus.RECTIFIED]
    figures = [
        Figure("负面清单问题", len(items), "个", where, url),
        Figure("未整改销号", len(open_), "个", f"{where}：状态不是已整改销号", url),
    ]
    if not items:
        return SectionDraft(text=f"{ctx.period_text}，未认定负面清单问题。", figures=figures)
    rows = [
        Row(
            [
                f"{f.found_on:%Y-%m-%d}",
                f.unit.name,
                f"{f.item.code} {f.item.text[:30]}",
                f.get_sanction_display(),
                f.get_status_display(),
            ],
            query=f"负面清单问题 {f.pk}",
            url=_url("assessment:finding", f.pk),
        )
        for f in items
    ]
    text = (
        f"{ctx.period_text}，认定负面清单问题 {len(items)} 个，其中尚未整改销号 {len(open_)} 个。"
        "相关单位要深刻反思、举一反三，按时限整改到位。"
    )
    return SectionDraft(
        text=text,
        figures=figures,
        headers=["认定日期", "责任单位", "负面清单事项", "处理措施", "状态"],
        rows=rows,
    )


def register_builtin_sections() -> None:
    register_bulletin_section("inspections", "督查检查情况", build_inspections, order=10)
    register_bulletin_section("cases", "问题办理情况", build_cases, order=20)
    register_bulletin_section("red_black", "红黑榜", build_red_black, order=30)
    register_bulletin_section("findings", "负面清单问题", build_findings, order=35)
    register_bulletin_section("overdue", "逾期事项", build_overdue, order=40)
    register_bulletin_section("good_practices", "经验做法", build_good_practices, order=50)


# --- photos ----------------------------------------------------------------------------------


def _photo_models() -> dict[str, tuple[Any, str]]:
    return {
        "case": (CasePhoto, "case__city_id"),
        "check": (CheckPhoto, "result__city_id"),
        "info": (SubmissionPhoto, "submission__city_id"),
    }


def photo_files(city_id: int, refs: Iterable[dict[str, Any]]) -> dict[tuple[str, int], Any]:
    """(source, id) → the shown (EXIF-free) file of each photo reference of the city."""
    wanted: dict[str, list[int]] = {}
    for ref in refs:
        wanted.setdefault(str(ref.get("source")), []).append(int(ref.get("id") or 0))
    out = {}
    for source, ids in wanted.items():
        spec = _photo_models().get(source)
        if spec is None:
            continue
        model, city_field = spec
        for row in model.objects.filter(pk__in=ids, **{city_field: city_id}):
            out[(source, row.pk)] = row.public
    return out


def _read(f: Any) -> bytes | None:
    try:
        with f.open("rb") as fh:
            return fh.read()
    except (OSError, ValueError):
        return None


# --- documents -------------------------------------------------------------------------------

CN_NUMBERS = "一二三四五六七八九十"


def _ordinal(i: int) -> str:
    if i <= 10:
        return CN_NUMBERS[i - 1]
    return f"十{CN_NUMBERS[i - 11]}" if i < 20 else str(i)


def document_data(bulletin: Any, number: str = "") -> dict[str, Any]:
    """What both documents print: the included sections in order with their paragraphs,
    table and chosen photos (as bytes), and every figure with its source for the appendix."""
    sections = [s for s in bulletin.sections.order_by("order", "pk") if s.included]
    chosen = [p for s in sections for p in (s.photos or []) if p.get("chosen")]
    files = photo_files(bulletin.city_id, chosen)
    out = []
    figures = []
    for i, s in enumerate(sections, start=1):
        photos = []
        for p in s.photos or []:
            f = files.get((p.get("source"), int(p.get("id") or 0))) if p.get("chosen") else None
            data = _read(f) if f else None
            if data:
                photos.append({"caption": p.get("caption", ""), "data": data})
        heading = f"{_ordinal(i)}、{s.title}"
        out.append(
            {
                "heading": heading,
                "paragraphs": [line.strip() for line in s.text.splitlines() if line.strip()],
                "table": s.table or {},
                "photos": photos,
            }
        )
        figures += [{**f, "section": s.title} for f in s.figures or []]
    issued = bulletin.issued_at or timezone.now()
    return {
        "bulletin": bulletin,
        "number": number or bulletin.number,
        "issuer": bulletin.issuer or default_issuer(bulletin.city),
        "title": bulletin.title,
        "intro": (
            f"现将{d.chinese_date(bulletin.period_start)}至{d.chinese_date(bulletin.period_end)}"
            "全市创建全国文明城市工作有关情况通报如下。"
        ),
        "sections": out,
        "figures": figures,
        "date": d.chinese_date(timezone.localtime(issued)),
    }


def default_issuer(city: City) -> str:
    return f"{city.name}创建全国文明城市工作指挥部办公室"


def bulletin_docx(bulletin: Any, number: str = "") -> bytes:
    """The bulletin in the GB/T 9704 layout: red 发文机关标志 and 文号, title, sections with
    their tables and photos, the data sources as an appendix, issuer and date."""
    from docx.shared import Mm

    data = document_data(bulletin, number)
    doc = d.new_document()
    add_letterhead(doc, data["issuer"], data["number"] or "（文号待定）")
    d.add_title(doc, data["title"])
    d.add_body(doc, data["intro"])
    for s in data["sections"]:
        d.add_heading(doc, s["heading"])
        for para in s["paragraphs"]:
            d.add_body(doc, para)
        table = s["table"]
        if table.get("rows"):
            d.add_table(doc, table["headers"], [r["cells"] for r in table["rows"]])
        for photo in s["photos"]:
            doc.add_picture(io.BytesIO(photo["data"]), width=Mm(75))
            d.add_body(doc, photo["caption"], indent=False)
    if data["figures"]:
        d.add_heading(doc, "附：数据来源说明")
        for i, f in enumerate(data["figures"], start=1):
            d.add_body(
                doc,
                f"{i}. {f['section']}·{f['label']}：{_shown(f['value'], f.get('unit', ''))}。"
                f"来源：{f.get('query', '')}。",
                indent=False,
            )
    doc.add_paragraph()
    d.add_right(doc, data["issuer"])
    d.add_right(doc, data["date"])
    return d.to_bytes(doc)


def bulletin_pdf(bulletin: Any, number: str = "") -> bytes:
    from weasyprint import HTML

    data = document_data(bulletin, number)
    for s in data["sections"]:
        for photo in s["photos"]:
            photo["uri"] = "data:image/jpeg;base64," + base64.b64encode(photo["data"]).decode()
    for f in data["figures"]:
        f["shown"] = _shown(f["value"], f.get("unit", ""))
    html = render_to_string("assessment/bulletin_pdf.html", data)
    return HTML(string=html).write_pdf()


def bulletin_filename(bulletin: Any, ext: str) -> str:
    name = bulletin.number or f"通报草稿-{bulletin.pk}"
    return f"{name}.{ext}"
