"""Excel exports of unit assessment: a period's ranking and score details, the year in the shape
of the city's performance appraisal, and the negative-list findings (same FilterSet as the
list page)."""

from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from chuangwen.core.xlsx import Sheet, write_workbook

from .accountability import fact_links
from .choices import (
    FindingSource,
    FindingStatus,
    ItemKind,
    ListKind,
    ResultStatus,
    ScoreStatus,
    UnitGroup,
    UnitSanction,
)
from .models import (
    AccountabilityRecord,
    AssessmentPeriod,
    AssessmentResult,
    AssessmentScore,
    NegativeFinding,
)
from .selectors import AnnualRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _n(value: Decimal | None) -> float | str:
    return float(value) if value is not None else ""


def period_workbook(
    period: AssessmentPeriod,
    results: Iterable[AssessmentResult],
    scores: Iterable[AssessmentScore],
) -> bytes:
    groups, statuses = dict(UnitGroup.choices), dict(ResultStatus.choices)
    lists, kinds = dict(ListKind.choices), dict(ItemKind.choices)
    score_statuses = dict(ScoreStatus.choices)
    ranking = Sheet(
        "排名",
        [
            "考核对象",
            "名次",
            "单位",
            "总分",
            "计分项（折算）",
            "加减分",
            "扣分",
            "状态",
            "红黑榜",
            "一票否决",
            "说明",
        ],
        (
            [
                str(groups.get(r.group, r.group)),
                r.rank or "",
                r.unit.name,
                _n(r.total),
                _n(r.base),
                _n(r.adjustments),
                _n(r.deductions),
                str(statuses.get(r.status, r.status)),
                str(lists.get(r.list_kind, "")) if r.list_kind else "",
                "是" if r.vetoed else "",
                r.explanation,
            ]
            for r in results
        ),
        widths=[12, 6, 24, 8, 12, 8, 8, 12, 8, 8, 80],
    )
    details = Sheet(
        "得分明细",
        ["单位", "编号", "考核项目", "类型", "计算公式", "分值", "得分", "状态", "得分说明"],
        (
            [
                s.unit.name,
                s.item.code,
                s.item.name,
                str(kinds.get(s.item.kind, s.item.kind)),
                s.item.formula,
                _n(s.max_points),
                _n(s.points),
                str(score_statuses.get(s.status, s.status)),
                s.explanation,
            ]
            for s in scores
        ),
        widths=[24, 8, 20, 10, 40, 8, 8, 10, 90],
    )
    return write_workbook([ranking, details])


ANNUAL_HEADERS = [
    "序号", "单位名称", "考核对象", "参与考核期数", "平均得分率", "创建工作得分（满分 {w}）",
    "组内名次", "一票否决", "备注",
]  # fmt: skip


def annual_workbook(rows: Iterable[AnnualRow], weight: Decimal, title: str) -> bytes:
    """One row per unit, the creation score out of the weight the appraisal gives it."""
    headers = [h.format(w=f"{weight.normalize():f}") for h in ANNUAL_HEADERS]
    return write_workbook(
        [
            Sheet(
                title[:31],
                headers,
                (
                    [
                        i,
                        r.unit.name,
                        r.group_label,
                        r.periods,
                        r.percent,
                        _n(r.score),
                        r.rank or "",
                        "是" if r.vetoed else "",
                        "；".join(r.notes),
                    ]
                    for i, r in enumerate(rows, start=1)
                ),
                widths=[6, 26, 12, 12, 12, 22, 10, 10, 40],
            )
        ]
    )


FINDING_HEADERS = [
    "认定日期", "责任单位", "条目编号", "负面清单条目", "发现途径", "处理措施", "扣分",
    "问题情况", "整改时限", "状态", "销号时间",
]  # fmt: skip


def findings_workbook(findings: Iterable[NegativeFinding]) -> bytes:
    sources, sanctions = dict(FindingSource.choices), dict(UnitSanction.choices)
    statuses = dict(FindingStatus.choices)
    return write_workbook(
        [
            Sheet(
                "负面清单问题",
                FINDING_HEADERS,
                (
                    [
                        f.found_on,
                        f.unit.name,
                        f.item.code,
                        f.item.text,
                        str(sources.get(f.source, f.source)),
                        str(sanctions.get(f.sanction, f.sanction)),
                        _n(f.points),
                        f.description,
                        f.rectify_by or "",
                        str(statuses.get(f.status, f.status)),
                        (
                            f"{timezone.localtime(f.rectified_at):%Y-%m-%d %H:%M}"
                            if f.rectified_at
                            else ""
                        ),
                    ]
                    for f in findings
                ),
                widths=[12, 24, 10, 40, 12, 12, 8, 60, 12, 14, 18],
            )
        ]
    )


# Excel export of the accountability records (the list page's FilterSet and scope).


MAX_EXPORT_ROWS = 20_000
HEADERS = [
    "编号",
    "类型",
    "对象单位",
    "事由",
    "情况说明",
    "依据事实",
    "状态",
    "提出规则",
    "决定意见",
    "移送机关",
    "决定时间",
    "反馈时限",
    "单位反馈",
    "反馈时间",
    "跟踪问效",
    "办结时间",
]


def _t(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def accountability_rows(records: Iterable[AccountabilityRecord]) -> Iterable[list]:
    for r in records:
        yield [
            r.pk,
            r.get_kind_display(),
            r.unit.name,
            r.title,
            r.reason,
            "；".join(f"{f['type_label']} {f['label']}" for f in fact_links(r.facts)),
            r.get_state_display(),
            r.rule,
            r.decision,
            r.referral_to,
            _t(r.decided_at),
            f"{r.response_due:%Y-%m-%d}" if r.response_due else "",
            r.response,
            _t(r.responded_at),
            r.follow_up,
            _t(r.closed_at),
        ]


def accountability_workbook(records: Iterable[AccountabilityRecord]) -> bytes:
    return write_workbook([Sheet("奖惩问责", HEADERS, accountability_rows(records))])
