"""Template tags of the shared table component (see ``chuangwen.core.tables``)."""

from typing import Any

from django import template
from django.core.paginator import Page

from chuangwen.core.tables import Table

register = template.Library()


def _table(table_or_page: Table | Page) -> Table:
    """The tags take the table or its page (``Table.page.table``)."""
    return table_or_page.table if isinstance(table_or_page, Page) else table_or_page  # type: ignore[attr-defined]


@register.inclusion_tag("core/table/_tools.html")
def table_tools(table: Table | Page) -> dict[str, Any]:
    """Above the table: the column chooser and the page size."""
    return {"table": _table(table)}


@register.inclusion_tag("core/table/_head.html")
def table_head(table: Table | Page) -> dict[str, Any]:
    """The ``<thead>``: one header cell per declared column, sortable ones as links."""
    return {"table": _table(table)}


@register.inclusion_tag("core/table/_pager.html")
def table_pager(table: Table | Page) -> dict[str, Any]:
    """Below the table: the count, page links and the page jump."""
    t = _table(table)
    return {"table": t, "page": t.page}
