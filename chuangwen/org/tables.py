"""The org lists' columns (see ``chuangwen.core.tables``)."""

from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import Column, Table


class PersonTable(Table):
    name = "people"
    columns = (
        Column("name", _("姓名"), "name", hideable=False),
        Column("username", _("登录名"), "user__username"),
        Column("phone", _("手机号")),
        Column("title", _("职务"), "title"),
        Column("units", _("单位与角色")),
    )


class GridTable(Table):
    name = "grids"
    columns = (
        Column("code", _("网格编码"), "code", hideable=False),
        Column("name", _("名称"), "name"),
        Column("unit", _("所属单位"), "unit__name"),
        Column("area", _("面积（㎡）"), "area_m2", css="text-end"),
        Column("workers", _("网格员")),
    )
