"""Excel export of the case list (the same FilterSet as the page and the API)."""

from collections.abc import Iterable

from django.utils import timezone

from chuangwen.core.xlsx import Sheet, write_workbook

from .choices import Resolution, Source, State
from .models import Case

MAX_EXPORT_ROWS = 50_000
DIRECT_EXPORT_ROWS = 5_000  # more than this: a background job makes the file
HEADERS = [
    "案件编号",
    "来源",
    "类别编码",
    "类别",
    "问题描述",
    "地址",
    "经度",
    "纬度",
    "位置描述",
    "网格",
    "责任单位",
    "状态",
    "上报时间",
    "派遣时间",
    "处置时限",
    "处置时间",
    "结案时间",
    "是否超期",
    "返工次数",
    "上报次数",
    "办结结果",
    "满意度",
]


def _t(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def case_rows(cases: Iterable[Case]) -> Iterable[list]:
    states, sources, results = dict(State.choices), dict(Source.choices), dict(Resolution.choices)
    for c in cases:
        yield [
            c.number,
            str(sources.get(c.source, c.source)),
            c.category.code if c.category else "",
            c.category.name if c.category else "",
            c.description,
            c.address,
            c.lon,
            c.lat,
            c.place,
            c.grid.code if c.grid else "",
            c.unit.name if c.unit else "",
            str(states.get(c.state, c.state)),
            _t(c.reported_at),
            _t(c.dispatched_at),
            _t(c.deadline),
            _t(c.handled_at),
            _t(c.closed_at),
            "是" if c.is_overdue else "否",
            c.rework_count,
            c.report_count,
            str(results.get(c.resolution, "")) if c.resolution else "",
            c.rating or "",
        ]


def cases_workbook(cases: Iterable[Case]) -> bytes:
    return write_workbook([Sheet("案件", HEADERS, case_rows(cases))])
