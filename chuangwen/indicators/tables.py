"""The indicator lists' columns (see ``chuangwen.core.tables``)."""

from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import WIDE_ONLY, Column, Table


class IndicatorTable(Table):
    name = "indicators"
    columns = (
        Column("code", _("编号"), "path", hideable=False),
        Column("title", _("名称"), "title"),
        Column("place", _("所在位置")),
        Column("level", _("层级"), "depth"),
        Column("methods", _("测评方法")),
    )


class MappingTable(Table):
    name = "indicator-mapping"
    page_size = 100
    columns = (
        Column("old", _("原指标"), "old__path", hideable=False),
        Column("new", _("新指标"), "new__path"),
        Column("match", _("匹配方式"), "match"),
        Column("score", _("相似度"), "score"),
        Column("change", _("改为（留空为无对应）"), hideable=False),
    )


class LinkTable(Table):
    name = "std-links"
    columns = (
        Column("a", _("标准甲"), "a__code"),
        Column("b", _("标准乙"), "b__code"),
        Column("note", _("说明"), css=WIDE_ONLY),
        Column("ops", "", hideable=False),
    )
