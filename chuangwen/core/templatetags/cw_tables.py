"""Template tags of the shared table component (see ``chuangwen.core.tables``)."""

from typing import Any

from django import template

from chuangwen.core.tables import Table

register = template.Library()


@register.inclusion_tag("core/table/_tools.html")
def table_tools(table: Table) -> dict[str, Any]:
    """Above the table: the column chooser and the page size."""
    return {"table": table}


@register.inclusion_tag("core/table/_head.html")
def table_head(table: Table) -> dict[str, Any]:
    """The ``<thead>``: one header cell per declared column, sortable ones as links."""
    return {"table": table}


@register.inclusion_tag("core/table/_pager.html")
def table_pager(table: Table) -> dict[str, Any]:
    """Below the table: the count, page links and the page jump."""
    return {"table": table, "page": table.page}
