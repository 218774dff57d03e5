"""Excel exports of the citizens app (``core.xlsx``: every cell inert text or a number).

- ``campaigns_workbook``: the campaigns a filter selected — progress, target, units and the
  money by source (allocated, approved changes, in force, committed, spent, left) — plus every
  commitment and payment; the speech counts the money, so does the 台账.
- ``round_workbook``: a round's result (votes, average score, satisfaction, rank, selected)
  and the check of its ballots (counted, flagged, void, unverified share). No phone number,
  not even masked: the office reviews ballots on the page.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core.xlsx import Sheet, write_workbook

from .choices import BudgetEntryKind
from .models import BudgetEntry, BudgetLine, Campaign, Round
from .progress import rollup
from .votes import integrity, tally


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def campaigns_workbook(campaigns: Sequence[Campaign]) -> bytes:
    ids = [c.pk for c in campaigns]
    progress = rollup(list(campaigns))
    lines = list(
        BudgetLine.objects.filter(campaign_id__in=ids)
        .select_related("campaign")
        .order_by("campaign_id", "source")
    )
    by_campaign: dict[int, list[BudgetLine]] = {}
    for line in lines:
        by_campaign.setdefault(line.campaign_id, []).append(line)
    rows = []
    for c in campaigns:
        own = by_campaign.get(c.pk, [])
        rows.append(
            [
                c.pk,
                c.title,
                c.get_kind_display(),
                c.get_sector_display() if c.sector else "",
                c.get_status_display(),
                c.lead_unit.name,
                "、".join(s.unit.name for s in c.supports.all()),
                c.target_text,
                _money(c.target_value),
                c.target_unit,
                _money(c.current_value),
                progress[c.pk].percent,
                c.starts_on,
                c.ends_on,
                _money(sum((x.available for x in own), Decimal(0))),
                _money(sum((x.committed for x in own), Decimal(0))),
                _money(sum((x.spent for x in own), Decimal(0))),
            ]
        )
    budget = [
        [
            line.campaign.title,
            line.get_source_display(),
            _money(line.allocated),
            _money(line.adjusted),
            _money(line.available),
            _money(line.committed),
            _money(line.spent),
            _money(line.remaining),
            line.note,
        ]
        for line in lines
    ]
    entries = [
        [
            e.campaign.title,
            e.line.get_source_display(),
            _("支出") if e.kind == BudgetEntryKind.SPEND else _("承诺"),
            _money(e.amount),
            e.on,
            e.note,
        ]
        for e in BudgetEntry.objects.filter(campaign_id__in=ids)
        .select_related("campaign", "line")
        .order_by("campaign_id", "on", "id")
    ]
    return write_workbook(
        [
            Sheet(
                _("专项整治"),
                [
                    _("编号"),
                    _("名称"),
                    _("类型"),
                    _("行业"),
                    _("状态"),
                    _("牵头单位"),
                    _("配合单位"),
                    _("整治目标"),
                    _("目标值"),
                    _("计量单位"),
                    _("当前值"),
                    _("进度（%）"),
                    _("开始日期"),
                    _("计划完成日期"),
                    _("预算（元）"),
                    _("已承诺（元）"),
                    _("已支出（元）"),
                ],
                rows,
            ),
            Sheet(
                _("预算"),
                [
                    _("专项整治"),
                    _("资金来源"),
                    _("安排金额（元）"),
                    _("已批准调整（元）"),
                    _("预算（元）"),
                    _("已承诺（元）"),
                    _("已支出（元）"),
                    _("结余（元）"),
                    _("说明"),
                ],
                budget,
            ),
            Sheet(
                _("预算执行"),
                [_("专项整治"), _("资金来源"), _("类型"), _("金额（元）"), _("日期"), _("用途")],
                entries,
            ),
        ]
    )


def round_workbook(round_: Round) -> bytes:
    rows = tally(round_)
    figures = integrity(round_)
    result = [
        [
            r.candidate.rank or i,
            r.candidate.title,
            r.candidate.source_note,
            r.votes,
            r.score,
            r.satisfaction,
            _("是") if r.candidate.selected else _("否"),
        ]
        for i, r in enumerate(rows, start=1)
    ]
    check: list[list[Any]] = [
        [_("投票名称"), round_.title],
        [_("状态"), round_.get_status_display()],
        [_("投票截止"), timezone.localtime(round_.vote_deadline).strftime("%Y-%m-%d %H:%M")],
        [_("选票总数"), figures.total],
        [_("有效（计入结果）"), figures.counted],
        [_("待复核（未计入）"), figures.flagged],
        [_("无效"), figures.void],
        [_("截止后到达（未计入）"), figures.late],
        [_("未验证身份的有效票"), figures.unverified],
        [_("未验证占比（%）"), figures.unverified_share],
        [_("提示线（%）"), figures.alert],
        [_("公布说明"), round_.publish_note],
    ]
    return write_workbook(
        [
            Sheet(
                _("计票结果"),
                [
                    _("名次"),
                    _("事项"),
                    _("来源"),
                    _("票数"),
                    _("平均评分"),
                    _("满意率（%）"),
                    _("入选"),
                ],
                result,
            ),
            Sheet(_("选票核查"), [_("项目"), _("数值")], check, widths=[24, 60]),
        ]
    )
