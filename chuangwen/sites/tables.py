"""The sites list's columns (see ``chuangwen.core.tables``)."""

from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import Column, Table


class SiteTable(Table):
    name = "sites"
    columns = (
        Column("code", _("编码"), "code"),
        Column("name", _("名称"), "name", hideable=False),
        Column("type", _("类型"), "site_type__name"),
        Column("district", _("区县"), "district__name"),
        Column("grid", _("网格"), "grid__code"),
        Column("owner", _("责任单位"), "owner__name"),
        Column("units", _("包保单位")),
        Column("size", _("长度/面积"), ("length_m", "area_m2")),
        Column("address", _("地址"), "address", hidden=True),
    )
