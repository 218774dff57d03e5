"""The assessment lists' columns (see ``chuangwen.core.tables``)."""

from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import WIDE_ONLY, Column, Table


class RoundTable(Table):
    name = "mock-rounds"
    columns = (
        Column("title", _("名称"), "title", hideable=False),
        Column("year", _("年度"), "year"),
        Column("as_of", _("截至"), "as_of"),
        Column("annual", _("年度成绩"), "annual_score"),
        Column("overall", _("综合成绩"), "overall_score"),
        Column("cycle", _("周期成绩"), "cycle_score"),
        Column("eligible", _("申报资格"), "eligible"),
    )


class BulletinTable(Table):
    name = "bulletins"
    columns = (
        Column("number", _("文号"), ("year", "seq")),
        Column("title", _("标题"), "title"),
        Column("kind", _("类型"), "kind"),
        Column("period", _("统计期"), "period_end"),
        Column("status", _("状态"), "status"),
        Column("signed", _("签收")),
    )


class AccountabilityTable(Table):
    name = "accountability"
    columns = (
        Column("number", _("编号"), "id"),
        Column("kind", _("类型"), "kind"),
        Column("unit", _("对象单位"), "unit__name"),
        Column("title", _("事由"), "title"),
        Column("state", _("状态"), "state"),
        Column("due", _("反馈时限"), "response_due"),
        Column("by", _("提出")),
    )


class PeriodTable(Table):
    name = "periods"
    columns = (
        Column("label", _("考核期"), "label"),
        Column("kind", _("周期"), "kind"),
        Column("dates", _("起止"), "starts_on"),
        Column("scheme", _("方案"), "scheme__name"),
        Column("status", _("状态"), "status"),
        Column("units", _("单位数")),
    )


class SubmissionTable(Table):
    name = "submissions"
    columns = (
        Column("kind", _("类型"), "kind"),
        Column("title", _("标题"), "title"),
        Column("unit", _("单位"), "unit__name"),
        Column("at", _("报送时间"), "submitted_at"),
        Column("status", _("状态"), "status"),
        Column("score", _("得分"), "score"),
    )


class FindingTable(Table):
    name = "findings"
    columns = (
        Column("found", _("认定日期"), "found_on"),
        Column("unit", _("责任单位"), "unit__name"),
        Column("item", _("条目"), "item__code"),
        Column("source", _("发现途径"), "source", css=WIDE_ONLY),
        Column("measure", _("处理措施")),
        Column("status", _("状态"), "status"),
    )
