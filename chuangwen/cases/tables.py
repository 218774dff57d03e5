"""The case lists' columns (see ``chuangwen.core.tables``)."""

from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import Column, Table


class CaseTable(Table):
    name = "cases"
    columns = (
        Column("number", _("编号"), "id", hideable=False),
        Column("source", _("来源"), "source"),
        Column("category", _("类别"), "category__name"),
        Column("description", _("描述")),
        Column("address", _("位置"), "address", hidden=True),
        Column("grid", _("网格"), "grid__code"),
        Column("unit", _("责任单位"), "unit__name"),
        Column("state", _("状态"), "state"),
        Column("deadline", _("时限"), "deadline"),
        Column("reported", _("上报时间"), "reported_at", hidden=True),
    )


class InboxTable(CaseTable):
    name = "inbox"
    page_size = 20


class CategoryTable(Table):
    name = "case-categories"
    columns = (
        Column("code", _("编码"), "code", hideable=False),
        Column("family", _("类型"), "family"),
        Column("major", _("大类"), "major_name"),
        Column("name", _("小类"), "name", hideable=False),
        Column("deadline", _("默认时限"), ("deadline_unit", "deadline_value")),
        Column("department", _("默认责任部门"), "department__name"),
        Column("save", "", hideable=False),
    )


class SummaryTable(Table):
    """Rows computed by ``selectors.summary_rows`` (dicts): sorted and paged in Python."""

    name = "case-summary"
    columns = (
        Column("label", "", "label", hideable=False),
        Column("reported", _("上报"), "reported"),
        Column("registered", _("立案"), "registered"),
        Column("dispatched", _("派遣"), "dispatched"),
        Column("handled_on_time", _("按期处置"), "handled_on_time"),
        Column("overdue", _("超期"), "overdue"),
        Column("due", _("应结案"), "due"),
        Column("closed", _("结案"), "closed"),
        Column("rework", _("返工"), "rework"),
        Column("close_rate", _("结案率"), "close_rate"),
        Column("on_time_close_rate", _("按期结案率"), "on_time_close_rate"),
    )
