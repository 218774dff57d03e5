"""The task list's columns (see ``chuangwen.core.tables``)."""

from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import Column, Table


class TaskTable(Table):
    name = "tasks"
    columns = (
        Column("indicator", _("指标"), "indicator__path", hideable=False),
        Column("standard", _("测评标准"), "indicator__title"),
        Column("lead", _("牵头单位"), "lead_unit__name"),
        Column("supporting", _("配合单位")),
        Column("target", _("目标")),
        Column("deadline", _("完成时限"), "deadline"),
        Column("status", _("状态"), "status"),
    )
