"""Excel export of the pair list (the same filters as the page), cells as text."""

from django.db.models import QuerySet

from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.org.models import Pair

PAIR_COLUMNS = [
    "共建单位",
    "结对社区/村",
    "所属上级",
    "六联机制",
    "开始日期",
    "状态",
    "结束日期",
    "活动次数",
    "最近活动",
    "长期无活动",
]


def export_pairs(pairs: QuerySet[Pair]) -> bytes:
    rows = (
        (
            p.unit.name,
            p.community.name,
            p.community.parent.name if p.community.parent else "",
            "、".join(p.mechanism_labels()),
            p.started_on.isoformat() if p.started_on else "",
            "已结束" if p.ended_on else "共建中",
            p.ended_on.isoformat() if p.ended_on else "",
            p.n_activities,  # type: ignore[attr-defined]
            p.last_activity.isoformat() if p.last_activity else "",  # type: ignore[attr-defined]
            "是" if p.inactive else "否",  # type: ignore[attr-defined]
        )
        for p in pairs
    )
    widths = [30, 20, 16, 40, 12, 8, 12, 8, 12, 10]
    return write_workbook([Sheet("结对共建", PAIR_COLUMNS, rows, widths=widths)])
