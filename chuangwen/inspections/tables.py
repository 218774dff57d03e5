"""The inspections lists' columns (see ``chuangwen.core.tables``)."""

from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import Column, Table


class PlanTable(Table):
    name = "plans"
    columns = (
        Column("title", _("名称"), "title", hideable=False),
        Column("kind", _("类型"), "kind"),
        Column("status", _("状态"), "status"),
        Column("seed", _("随机种子"), hidden=True),
        Column("sampled", _("抽样时间"), "sampled_at"),
        Column("system", _("测评体系"), "system__name"),
    )


class NoticeTable(Table):
    name = "notices"
    columns = (
        Column("number", _("文号"), ("year", "seq"), hideable=False),
        Column("title", _("标题"), "title"),
        Column("unit", _("主送单位"), "unit__name"),
        Column("cases", _("问题数"), "n_cases"),
        Column("deadline", _("整改时限"), "deadline"),
        Column("status", _("状态"), "status"),
        Column("late", ""),
    )


class MeetingTable(Table):
    name = "meetings"
    columns = (
        Column("held", _("时间"), "held_at"),
        Column("title", _("会议"), "title", hideable=False),
        Column("kind", _("类型"), "kind"),
        Column("location", _("地点"), "location"),
    )


class ActionTable(Table):
    name = "actions"
    columns = (
        Column("text", _("事项"), "text", hideable=False),
        Column("unit", _("责任单位"), "unit__name"),
        Column("deadline", _("时限"), "deadline"),
        Column("status", _("状态"), "status"),
        Column("progress", _("办理情况")),
        Column("update", "", hideable=False),
    )
