"""Excel exports of volunteer service: the hours per volunteer and the ledger rows; one
volunteer's record (the five parts) for a consented third party."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from chuangwen.core.xlsx import Sheet, write_workbook

from . import selectors
from .choices import RecordKind
from .models import ServiceRecord, Volunteer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_EXPORT_ROWS = 50_000
HOURS_HEADERS = [
    "姓名",
    "手机号",
    "身份证号（脱敏）",
    "服务区域",
    "期间服务次数",
    "期间时长（小时）",
    "累计时长（小时）",
    "星级",
]
RECORD_HEADERS = [
    "记录编号",
    "姓名",
    "活动",
    "类型",
    "时长（分钟）",
    "开始",
    "结束",
    "说明",
    "记录时间",
]


def _t(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def hours_rows(
    volunteers: QuerySet[Volunteer],
    star_hours: list[int],
    since: dt.date | None,
    until: dt.date | None,
) -> Iterable[list]:
    from .services import star_label, star_level

    for v in selectors.hours_by_volunteer(volunteers, since, until)[:MAX_EXPORT_ROWS]:
        yield [
            v.person.name,
            v.person.phone,
            v.id_masked,
            v.area.name,
            v.period_services or 0,  # type: ignore[attr-defined]
            round((v.period_minutes or 0) / 60, 2),  # type: ignore[attr-defined]
            v.hours,
            star_label(star_level(v.total_minutes, star_hours)),
        ]


def ledger_rows(records: Iterable[ServiceRecord]) -> Iterable[list]:
    kinds = dict(RecordKind.choices)
    for r in records:
        yield [
            r.pk,
            r.volunteer.person.name,
            r.activity.title if r.activity else "",
            str(kinds.get(r.kind, r.kind)),
            r.minutes,
            _t(r.started_at),
            _t(r.ended_at),
            r.note,
            _t(r.created_at),
        ]


def hours_workbook(
    volunteers: QuerySet[Volunteer],
    star_hours: list[int],
    since: dt.date | None,
    until: dt.date | None,
) -> bytes:
    records = ServiceRecord.objects.filter(volunteer__in=volunteers.values("pk"))
    if since is not None:
        records = records.filter(created_at__date__gte=since)
    if until is not None:
        records = records.filter(created_at__date__lte=until)
    records = records.select_related("volunteer__person", "activity").order_by("id")
    return write_workbook(
        [
            Sheet("志愿服务时长", HOURS_HEADERS, hours_rows(volunteers, star_hours, since, until)),
            Sheet("时长明细", RECORD_HEADERS, ledger_rows(records[:MAX_EXPORT_ROWS])),
        ]
    )


def record_workbook(volunteer: Volunteer) -> bytes:
    """The five parts of a volunteer's record, one sheet each."""
    p = volunteer.person
    basic: list[list[Any]] = [
        ["姓名", p.name],
        ["性别", volunteer.gender],
        ["出生日期", volunteer.birth_date.isoformat() if volunteer.birth_date else ""],
        ["身份证号（脱敏）", volunteer.id_masked],
        ["联系电话", p.phone],
        ["服务区域", volunteer.area.name],
        ["技能特长", "、".join(volunteer.skills)],
        ["志愿服务队", "、".join(t.name for t in volunteer.teams.all())],
        ["注册时间", _t(volunteer.created_at)],
        ["累计服务时长（小时）", volunteer.hours],
    ]
    return write_workbook(
        [
            Sheet("基本信息", ["项目", "内容"], basic),
            Sheet("服务记录", RECORD_HEADERS, ledger_rows(selectors.records_of(volunteer))),
            Sheet(
                "培训情况",
                ["培训内容", "培训组织", "日期", "学时"],
                (
                    [t.title, t.organiser, t.held_on, float(t.hours)]
                    for t in volunteer.trainings.all()
                ),
            ),
            Sheet(
                "表彰奖励",
                ["表彰奖励", "授予机关", "日期"],
                ([a.title, a.issuer, a.awarded_on] for a in volunteer.awards.all()),
            ),
            Sheet(
                "服务评价",
                ["活动", "评价等级", "评价意见", "时间"],
                (
                    [e.activity.title if e.activity else "", e.rating, e.comment, _t(e.created_at)]
                    for e in volunteer.evaluations.select_related("activity")
                ),
            ),
        ]
    )
