"""One table component for every list page: declared columns, sorting on whitelisted fields
(server-side), a page size from a fixed list, a page jump, and a column chooser the browser
remembers (``static/js/tables.js``, localStorage).

An app declares its tables in ``<app>/tables.py``::

    class SiteTable(Table):
        name = "sites"                      # the localStorage key of the column choice
        columns = (
            Column("code", _("编码"), "code"),
            Column("name", _("名称"), "name", hideable=False),
            Column("district", _("区县"), "district__name"),
            Column("units", _("包保单位")),             # not sortable
            Column("size", _("长度/面积"), hidden=True),  # hidden until the user shows it
        )

and the view pages through it (``page`` stays the page of rows the row template loops over)::

    table = SiteTable(request, f.qs)
    return render(request, template, {"filter": f, "table": table, "page": table.page})

The row template renders ``{% table_tools table %}`` (column chooser, page size),
``{% table_head table %}`` (the ``<thead>`` with sort links) and ``{% table_pager table %}``
(pages and the page jump); its ``<td>`` cells follow the declared columns in order.

Bad parameters never fail the page: an unknown ``sort`` or ``size`` is ignored (the default
applies) and a page past the end shows the last page, as Django's ``Paginator.get_page`` does.
A plain list (rows computed in Python, e.g. a summary) pages and sorts the same way, by the
column's ``sort`` as a key of each row (dict key or attribute).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.functional import Promise

# the css of a column shown from Bootstrap's md width up; on a phone the row template shows
# its value under another cell
WIDE_ONLY = "d-none d-md-table-cell"
SORT = "sort"
SIZE = "size"
PAGE = "page"


@dataclass(frozen=True)
class Column:
    key: str  # stable: used in ?sort= and in the remembered column choice
    label: str | Promise
    sort: str | tuple[str, ...] = ()  # ORM field(s) (or row keys); empty: not sortable
    hideable: bool = True
    hidden: bool = False  # hidden until the user chooses to show it
    css: str = field(default="", compare=False)  # extra class of the header cell

    @property
    def sort_fields(self) -> tuple[str, ...]:
        return (self.sort,) if isinstance(self.sort, str) else self.sort


@dataclass(frozen=True)
class HeaderCell:
    column: Column
    url: str  # the link that sorts by this column ("" when not sortable)
    direction: str  # "asc", "desc" or "" (not the current sort)


class Table:
    name: ClassVar[str]
    columns: ClassVar[Sequence[Column]]
    page_sizes: ClassVar[Sequence[int]] = (20, 50, 100, 200)
    page_size: ClassVar[int] = 50
    # the ordering that ``?sort`` replaces is the queryset's own; ties break on the primary key
    tiebreak: ClassVar[str] = "pk"

    def __init__(
        self,
        request: HttpRequest,
        rows: QuerySet | list[Any],
        *,
        paginator_class: type[Paginator] = Paginator,
        count: int | None = None,
    ) -> None:
        self.request = request
        self.params: QueryDict = request.GET
        self.sort_key, self.descending = self._parse_sort(self.params.get(SORT, ""))
        self.per_page = self._parse_size(self.params.get(SIZE, ""))
        rows = self._sorted(rows)
        paginator = (
            paginator_class(rows, self.per_page, count)
            if count is not None
            else paginator_class(rows, self.per_page)
        )
        self.page: Page = paginator.get_page(self.params.get(PAGE))
        # a view may hand the template only the page: ``{% table_head page %}`` finds the table
        self.page.table = self  # type: ignore[attr-defined]

    # --- parameters ----------------------------------------------------------------------
    @classmethod
    def column(cls, key: str) -> Column | None:
        return next((c for c in cls.columns if c.key == key), None)

    def _parse_sort(self, raw: str) -> tuple[str, bool]:
        descending = raw.startswith("-")
        key = raw[1:] if descending else raw
        col = self.column(key)
        if col is None or not col.sort_fields:
            return "", False
        return key, descending

    def _parse_size(self, raw: str) -> int:
        return int(raw) if raw.isdigit() and int(raw) in self.page_sizes else self.page_size

    def _sorted(self, rows: QuerySet | list[Any]) -> QuerySet | list[Any]:
        col = self.column(self.sort_key) if self.sort_key else None
        if col is None:
            return rows
        if isinstance(rows, QuerySet):
            order = [
                F(f).desc(nulls_last=True) if self.descending else F(f).asc(nulls_last=True)
                for f in col.sort_fields
            ]
            tiebreak = f"-{self.tiebreak}" if self.descending else self.tiebreak
            return rows.order_by(*order, tiebreak)
        fields = col.sort_fields
        ordered = sorted(rows, key=lambda row: _row_key(row, fields), reverse=self.descending)
        # missing values last in either direction
        return [r for r in ordered if _value(r, fields[0]) is not None] + [
            r for r in ordered if _value(r, fields[0]) is None
        ]

    # --- links -----------------------------------------------------------------------------
    def url(self, **changes: Any) -> str:
        """This page's query string with ``changes`` (None drops a parameter); a new sort or
        page size starts again from page 1."""
        q = self.params.copy()
        if SORT in changes or SIZE in changes:
            q.pop(PAGE, None)
        for key, value in changes.items():
            if value is None:
                q.pop(key, None)
            else:
                q[key] = str(value)
        return "?" + q.urlencode()

    @property
    def header(self) -> list[HeaderCell]:
        cells = []
        for col in self.columns:
            direction = ""
            if col.key == self.sort_key:
                direction = "desc" if self.descending else "asc"
            url = ""
            if col.sort_fields:
                url = self.url(sort=f"-{col.key}" if direction == "asc" else col.key)
            cells.append(HeaderCell(col, url, direction))
        return cells

    @property
    def size_choices(self) -> list[tuple[int, str, bool]]:
        return [(n, self.url(size=n), n == self.per_page) for n in self.page_sizes]

    @property
    def page_links(self) -> list[tuple[int | None, str]]:
        """Page numbers around the current one, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
        current, last = self.page.number, self.page.paginator.num_pages
        shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
        out: list[tuple[int | None, str]] = []
        for i, n in enumerate(shown):
            if i and n - shown[i - 1] > 1:
                out.append((None, ""))
            out.append((n, self.url(page=n)))
        return out

    @property
    def prev_url(self) -> str:
        return self.url(page=self.page.number - 1)

    @property
    def next_url(self) -> str:
        return self.url(page=self.page.number + 1)

    @property
    def keep_params(self) -> list[tuple[str, str]]:
        """The query parameters a page-jump form carries along (all but the page)."""
        return [(k, v) for k, values in self.params.lists() if k != PAGE for v in values]


def _value(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def _row_key(row: Any, fields: tuple[str, ...]) -> tuple[Any, ...]:
    """A sort key of a computed row that never compares None with a value."""
    return tuple((v is None, v if v is not None else 0) for v in (_value(row, f) for f in fields))


def fold_tree(rows: list[Any], open_levels: int = 2) -> list[Any]:
    """Mark tree rows (in path order, each with ``depth``) for a folding tree table
    (``table.cw-tree``, see tables.js): ``has_children``, ``folded`` (hidden at first: deeper
    than ``open_levels`` below the top row) and ``expanded`` (its children shown at first)."""
    top = min((r.depth for r in rows), default=0)
    for i, row in enumerate(rows):
        row.has_children = i + 1 < len(rows) and rows[i + 1].depth > row.depth
        row.folded = row.depth >= top + open_levels
        row.expanded = row.depth < top + open_levels - 1
    return rows
