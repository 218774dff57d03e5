"""The assessment lists' columns (see ``chuangwen.core.tables``)."""

from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import Column, Table


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
