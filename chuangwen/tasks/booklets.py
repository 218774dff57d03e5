"""Responsibility documents of a unit: the pledge (责任书 / 军令状, Word, 公文 layout) and the
pocket book (口袋书, Word and PDF) listing its indicators, what each standard requires, its
quantified targets and deadlines."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from chuangwen.core import audit
from chuangwen.core import documents as d
from chuangwen.core.errors import InvalidInput
from chuangwen.core.jobs import submit_job
from chuangwen.core.models import Job
from chuangwen.indicators.choices import SystemStatus
from chuangwen.indicators.models import Indicator, Metric
from chuangwen.org.actors import require_office
from chuangwen.org.models import City, Unit

from .choices import TaskStatus
from .models import MetricValue, Pledge, Task
from .services import OFFICE_TASKS

# the background job generating every unit's pledge (handler in ``jobs``, registered in apps)
PLEDGE_JOB = "tasks.generate_pledges"
PLEDGE_KINDS = {"pledge": "目标责任书", "oath": "军令状"}


@dataclass
class UnitTask:
    task: Task
    role: str  # 牵头 / 配合


@dataclass
class StandardEntry:
    indicator: Indicator
    tasks: list[UnitTask] = field(default_factory=list)
    metrics: list[tuple[Metric, Decimal | None]] = field(default_factory=list)


@dataclass
class Section:
    item: Indicator | None
    entries: list[StandardEntry] = field(default_factory=list)


def unit_tasks(unit: Unit, year: int | None = None) -> list[UnitTask]:
    """The open and done tasks the unit itself leads or supports (active version), by code;
    with ``year``, those due that year or without a deadline."""
    qs = (
        Task.objects.filter(Q(lead_unit=unit) | Q(supports__unit=unit), city_id=unit.city_id)
        .exclude(status=TaskStatus.CLOSED)
        .filter(indicator__system__status=SystemStatus.ACTIVE)
        .select_related("indicator", "lead_unit")
        .distinct()
        .order_by("indicator__path", "id")
    )
    if year is not None:
        qs = qs.filter(Q(deadline__year=year) | Q(deadline__isnull=True))
    return [UnitTask(t, "牵头" if t.lead_unit_id == unit.pk else "配合") for t in qs]


def _sections(rows: list[UnitTask]) -> list[Section]:
    """Group the unit's tasks by standard, and standards by their top-level 测评项目."""
    by_std: dict[int, StandardEntry] = {}
    for row in rows:
        by_std.setdefault(row.task.indicator_id, StandardEntry(row.task.indicator)).tasks.append(
            row
        )
    top_ids = {
        e.indicator.pk: (e.indicator.ancestor_ids() or [e.indicator.pk])[0] for e in by_std.values()
    }
    tops = Indicator.objects.in_bulk(set(top_ids.values()))
    latest: dict[int, Decimal | None] = {}
    metrics = list(
        Metric.objects.filter(indicator_id__in=list(by_std)).order_by("indicator__path", "id")
    )
    for value in MetricValue.objects.filter(metric__in=metrics).order_by("metric_id", "-at", "-id"):
        latest.setdefault(value.metric_id, value.value)
    for metric in metrics:
        by_std[metric.indicator_id].metrics.append((metric, latest.get(metric.pk)))
    sections: dict[int, Section] = {}
    for entry in by_std.values():
        top = tops.get(top_ids[entry.indicator.pk])
        sections.setdefault(top_ids[entry.indicator.pk], Section(top)).entries.append(entry)
    return sorted(sections.values(), key=lambda s: s.item.path if s.item else "")


def _method_text(ind: Indicator) -> str:
    return "、".join(ind.method_labels()) or "—"


def _requirement(ind: Indicator) -> str:
    if ind.clauses:
        return "；".join(
            f"{c.get('no') or i + 1}. {c.get('text', '')}" for i, c in enumerate(ind.clauses)
        )
    return ind.text or ind.title


def _number(value: Any) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- the pledge ------------------------------------------------------------------------------


def pledge_docx(
    unit: Unit, year: int, kind: str = "pledge", hq_name: str = ""
) -> tuple[str, bytes, int]:
    """(title, document, number of tasks) of the unit's pledge for ``year``."""
    label = PLEDGE_KINDS.get(kind)
    if label is None:
        raise InvalidInput(gettext("责任书类型无效"), code="bad_kind")
    rows = unit_tasks(unit, year)
    title = f"{unit.city.name}{year}年度创建全国文明城市{label}"
    hq_name = hq_name or (
        Unit.objects.filter(city_id=unit.city_id, parent__isnull=True)
        .values_list("name", flat=True)
        .first()
        or f"{unit.city.name}创建全国文明城市指挥部"
    )
    doc = d.new_document()
    d.add_title(doc, title)
    d.add_body(doc, f"责任单位：{unit.name}", indent=False)
    d.add_body(
        doc,
        f"为深入推进全国文明城市创建工作，落实“工作到人、责任到位”要求，{hq_name}（甲方）与"
        f"{unit.name}（乙方）签订本{label}。乙方对下列创建任务负责，按期完成各项目标。",
    )
    d.add_heading(doc, "一、责任目标")
    d.add_table(
        doc,
        ["序号", "指标编号", "测评标准", "职责", "工作要求", "目标", "完成时限"],
        [
            [
                i,
                r.task.indicator.code,
                r.task.indicator.title,
                r.role,
                r.task.content,
                r.task.target,
                d.chinese_date(r.task.deadline) or "长期",
            ]
            for i, r in enumerate(rows, start=1)
        ],
        widths_mm=[10, 16, 40, 12, 40, 24, 22],
    )
    d.add_heading(doc, "二、工作要求")
    d.add_body(doc, "（一）主要负责同志为第一责任人，明确分管领导和联络员，建立工作台账。")
    d.add_body(doc, "（二）牵头单位统筹推进，配合单位主动履职，每月报送工作进展及佐证材料。")
    d.add_body(doc, "（三）按测评标准和量化目标逐项落实，按期完成，完成情况接受督查。")
    d.add_heading(doc, "三、考核奖惩")
    d.add_body(
        doc,
        "任务完成情况纳入年度创建工作考核。未按期完成、在测评中失分的，按有关规定予以通报、"
        "约谈直至问责；成绩突出的，予以表彰。",
    )
    d.add_body(doc, f"本{label}一式两份，甲乙双方各执一份，自签订之日起生效。")
    doc.add_paragraph()
    d.add_body(doc, f"甲方：{hq_name}（盖章）", indent=False)
    d.add_body(doc, "负责人（签字）：", indent=False)
    doc.add_paragraph()
    d.add_body(doc, f"乙方：{unit.name}（盖章）", indent=False)
    d.add_body(doc, "主要负责人（签字）：", indent=False)
    doc.add_paragraph()
    d.add_right(doc, "年    月    日")
    return title, d.to_bytes(doc), len(rows)


def generate_pledges(
    city: City,
    year: int,
    *,
    units: list[Unit] | None = None,
    kind: str = "pledge",
    acting_user: Any,
    progress: Callable[[int, int], None] | None = None,
) -> list[Pledge]:
    """Generate (or regenerate) the pledge of each unit with tasks — a signed scan stays.

    The documents are rendered and stored first (the slow part: ``progress(done, total)`` is
    called after each unit), then the rows are written in one short transaction, so a long
    run holds no lock and a background job's progress can be seen while it runs."""
    require_office(acting_user, city, OFFICE_TASKS)
    if units is None:
        ids = set(
            Task.objects.filter(city=city, indicator__system__status=SystemStatus.ACTIVE)
            .exclude(status=TaskStatus.CLOSED)
            .values_list("lead_unit_id", flat=True)
        ) | set(
            Task.objects.filter(city=city, indicator__system__status=SystemStatus.ACTIVE)
            .exclude(status=TaskStatus.CLOSED)
            .values_list("supports__unit_id", flat=True)
        )
        units = list(Unit.objects.filter(pk__in=ids - {None}).order_by("path"))
    for unit in units:
        if unit.city_id != city.pk:
            raise InvalidInput(
                gettext("「%(unit_name)s」不属于本城市") % {"unit_name": unit.name}, code="bad_unit"
            )
    rendered: list[tuple[Unit, str, int, str]] = []
    for done, unit in enumerate(units, start=1):
        title, data, n = pledge_docx(unit, year, kind)
        draft = Pledge(city=city, unit=unit, year=year)
        draft.document.save(f"{year}-{unit.code}.docx", ContentFile(data), save=False)
        rendered.append((unit, title, n, str(draft.document.name)))
        if progress is not None:
            progress(done, len(units))
    return _save_pledges(city, year, kind, rendered, acting_user=acting_user)


@transaction.atomic
def _save_pledges(
    city: City,
    year: int,
    kind: str,
    rendered: list[tuple[Unit, str, int, str]],
    *,
    acting_user: Any,
) -> list[Pledge]:
    """Point each unit's pledge row at its stored document (title, task count, time)."""
    out = []
    for unit, title, n, name in rendered:
        pledge, _ = Pledge.objects.select_for_update().get_or_create(
            unit=unit, year=year, defaults={"city": city, "title": title}
        )
        pledge.title = title
        pledge.task_count = n
        pledge.generated_at = timezone.now()
        pledge.document.name = name
        pledge.save()
        out.append(pledge)
    audit.record(
        "tasks.pledges.generated",
        None,
        actor=acting_user,
        city=city,
        after={"year": year, "kind": kind, "units": [u.pk for u, *_ in rendered]},
        summary=f"生成 {year} 年度责任书 {len(out)} 份",
        object_type="tasks.pledge",
    )
    return out


def submit_pledge_generation(city: City, year: int, *, kind: str, acting_user: Any) -> Job:
    """Queue the generation of every unit's pledge for ``year`` as a background job (the
    office only; the job checks again when it runs, as the submitting user)."""
    require_office(acting_user, city, OFFICE_TASKS)
    label = PLEDGE_KINDS.get(kind)
    if label is None:
        raise InvalidInput(gettext("责任书类型无效"), code="bad_kind")
    if not 2000 <= year <= 2100:
        raise InvalidInput(gettext("年度无效"), code="bad_year")
    return submit_job(
        city,
        PLEDGE_JOB,
        title=f"生成 {year} 年度{label}",
        params={"year": year, "kind": kind},
        acting_user=acting_user,
    )


# --- the pocket book -----------------------------------------------------------------------


def pocket_book_data(unit: Unit) -> dict[str, Any]:
    sections = _sections(unit_tasks(unit))
    return {
        "unit": unit,
        "city": unit.city,
        "title": f"{unit.name}创建全国文明城市工作口袋书",
        "sections": sections,
        "today": timezone.localdate(),
        "n_standards": sum(len(s.entries) for s in sections),
    }


def pocket_book_docx(unit: Unit) -> bytes:
    data = pocket_book_data(unit)
    doc = d.new_document()
    d.add_title(doc, data["title"])
    d.add_body(
        doc,
        f"编印：{unit.city.name}创建全国文明城市指挥部办公室  {d.chinese_date(data['today'])}",
        indent=False,
    )
    toc: list[tuple[int, str]] = []
    for s in data["sections"]:
        toc.append((1, f"{s.item.code} {s.item.title}" if s.item else "其他"))
        toc += [(2, f"{e.indicator.code} {e.indicator.title}") for e in s.entries]
    d.add_toc(doc, toc)
    for s in data["sections"]:
        d.add_heading(doc, f"{s.item.code} {s.item.title}" if s.item else "其他", 1)
        for e in s.entries:
            ind = e.indicator
            d.add_heading(doc, f"{ind.code} {ind.title}", 2)
            d.add_body(doc, _requirement(ind), bold_lead="标准要求：")
            d.add_body(doc, _method_text(ind), bold_lead="测评方法：")
            for r in e.tasks:
                t = r.task
                d.add_body(
                    doc,
                    f"{r.role}（牵头单位：{t.lead_unit.name}）。{t.content or '按标准要求落实'}"
                    f"{'；目标：' + t.target if t.target else ''}；完成时限："
                    f"{d.chinese_date(t.deadline) or '长期'}。",
                    bold_lead="本单位职责：",
                )
            for metric, value in e.metrics:
                d.add_body(
                    doc,
                    f"{metric.name}，目标 {_number(metric.target)}{metric.unit_label}，"
                    f"当前 {_number(value)}{metric.unit_label if value is not None else ''}。",
                    bold_lead="量化目标：",
                )
    if not data["sections"]:
        d.add_body(doc, "本单位暂无分解任务。")
    return d.to_bytes(doc)


def pocket_book_pdf(unit: Unit) -> bytes:
    from weasyprint import HTML

    data = pocket_book_data(unit)
    for s in data["sections"]:
        for e in s.entries:
            e.requirement = _requirement(e.indicator)
            e.method_text = _method_text(e.indicator)
            e.metric_rows = [
                (m.name, _number(m.target), m.unit_label, _number(v)) for m, v in e.metrics
            ]
    html = render_to_string("tasks/pocket_book_pdf.html", data)
    return HTML(string=html).write_pdf()


def booklet_filename(unit: Unit, ext: str) -> str:
    return f"{unit.code}-口袋书.{ext}"


def pledge_year_default() -> int:
    return dt.date.today().year


def unsigned_pledges(city_id: int, year: int) -> list[Pledge]:
    return list(
        Pledge.objects.filter(city_id=city_id, year=year, signed_scan="")
        .select_related("unit")
        .order_by("unit__path")
    )
