"""The shared table component: sorting on whitelisted fields, page size, page jump, column
chooser markup; bad parameters are ignored, never a 500."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import Column, Table, fold_tree
from chuangwen.org.models import Grid
from tests import factories


class GridTable(Table):
    name = "t-grids"
    page_sizes = (2, 5)
    page_size = 2
    columns = (
        Column("code", _("编码"), "code", hideable=False),
        Column("area", _("面积"), "area_m2"),
        Column("unit", _("单位"), "unit__name", hidden=True),
        Column("workers", _("网格员")),
    )


def _table(small_city, query: str, rows=None) -> GridTable:
    request = RequestFactory().get("/x/?" + query)
    qs = Grid.objects.filter(city=small_city.city).order_by("code")
    return GridTable(request, qs if rows is None else rows)


@pytest.fixture
def grids(small_city):
    c = small_city.city
    for i, size in enumerate((0.002, 0.004, 0.003)):
        factories.grid(c, small_city.community_a, 113.1 + i * 0.01, 28.1, size, code=f"Z{i}")
    return small_city


def codes(table: Table) -> list[str]:
    return [g.code for g in table.page]


def test_sorts_by_a_whitelisted_column_both_ways(grids):
    up = _table(grids, "sort=area&size=5")
    areas = [g.area_m2 for g in up.page]
    assert areas == sorted(areas) and len(areas) == 5
    down = _table(grids, "sort=-area&size=5")
    assert [g.area_m2 for g in down.page] == sorted(areas, reverse=True)
    assert down.sort_key == "area" and down.descending


@pytest.mark.parametrize(
    "query",
    [
        "sort=workers",  # a column that is not sortable
        "sort=geometry",  # a field that is no column
        "sort=--code",
        "sort=-",
        "sort=unit__path",
        "sort=%00",
    ],
)
def test_a_sort_off_the_whitelist_is_ignored(grids, query):
    table = _table(grids, query)
    assert table.sort_key == "" and codes(table) == codes(_table(grids, ""))


@pytest.mark.parametrize(
    ("query", "size", "number"),
    [
        ("size=5", 5, 1),
        ("size=7", 2, 1),  # not offered: the default
        ("size=abc", 2, 1),
        ("size=-5", 2, 1),
        ("size=99999999999999999999999", 2, 1),
        ("page=2", 2, 2),
        ("page=abc", 2, 1),
        ("page=0", 2, 3),  # out of range: the last page, as Paginator.get_page does
        ("page=-3", 2, 3),
        ("page=99999999999999999999", 2, 3),
    ],
)
def test_bad_page_and_size_fall_back(grids, query, size, number):
    table = _table(grids, query)
    assert table.per_page == size and table.page.number == number


def test_links_keep_the_other_parameters(grids):
    table = _table(grids, "q=Z&page=2&sort=code")
    head = {h.column.key: h for h in table.header}
    assert head["code"].direction == "asc" and head["code"].url == "?q=Z&sort=-code"
    assert head["area"].url == "?q=Z&sort=area" and head["area"].direction == ""
    assert head["workers"].url == ""  # not sortable
    assert ("?q=Z&sort=code&size=5") in [url for _n, url, _s in table.size_choices]
    assert ("q", "Z") in table.keep_params and ("page", "2") not in table.keep_params
    assert table.prev_url == "?q=Z&page=1&sort=code"


def test_page_links_leave_gaps():
    request = RequestFactory().get("/x/?page=10")
    table = GridTable(request, list(range(40)))  # 20 pages of 2
    assert [n for n, _url in table.page_links] == [1, None, 8, 9, 10, 11, 12, None, 20]


def test_computed_rows_sort_with_missing_values_last():
    rows = [
        {"code": "b", "area_m2": 2},
        {"code": "a", "area_m2": None},
        {"code": "c", "area_m2": 1},
    ]
    for query, expected in (("sort=area", "cba"), ("sort=-area", "bca")):
        table = GridTable(RequestFactory().get("/x/?" + query + "&size=5"), rows)
        assert "".join(r["code"] for r in table.page) == expected


def test_fold_tree_marks_rows():
    class Row:
        def __init__(self, depth):
            self.depth = depth

    rows = fold_tree([Row(d) for d in (1, 2, 3, 3, 2, 1)])
    assert [r.has_children for r in rows] == [True, True, False, False, False, False]
    assert [r.folded for r in rows] == [False, False, True, True, False, False]
    assert [r.expanded for r in rows] == [True, False, False, False, False, True]


LISTS = [
    ("sites:list", "office", "sort=-name"),
    ("cases:list", "office", "sort=-deadline"),
    ("cases:inbox", "office", "sort=unit"),
    ("cases:categories", "office", "sort=department"),
    ("cases:summary", "office", "group=grid&sort=-overdue"),
    ("org:people", "office", "sort=-username"),
    ("org:grids", "office", "sort=area"),
    ("tasks:list", "office", "sort=-lead"),
    ("inspections:plans", "office", "sort=status"),
    ("inspections:notices", "office", "sort=-cases"),
    ("inspections:meetings", "office", "sort=held"),
    ("inspections:actions", "office", "sort=deadline"),
    ("indicators:tree", "office", "q=x&sort=-level"),
    ("assessment:rounds", "office", "sort=-annual"),
    ("audit", "office", "sort=code"),
    ("jobs", "office", "sort=-status"),
    ("notifications", "liaison_a", "sort=at"),
    ("tokens:list", "office", "sort=-created"),
    ("indicators:links", "office", "sort=a"),
    ("assessment:periods", "office", "sort=-label"),
    ("assessment:findings", "office", "sort=unit"),
    ("assessment:accountability_list", "office", "sort=-due"),
    ("assessment:submissions", "office", "sort=score"),
    ("assessment:bulletins", "office", "sort=-number"),
    ("citizens:rounds", "office", "sort=closes"),
    ("citizens:campaigns", "office", "sort=-ends"),
    ("citizens:rankings", "office", "sort=period"),
    ("citizens:episodes", "office", "sort=programme"),
    ("citizens:commitments", "office", "sort=-due"),
    ("citizens:suggestions", "office", "sort=-likes"),
    ("citizens:topics", "office", "sort=-heat"),
    ("volunteers:list", "office", "sort=-hours"),
    ("volunteers:teams", "office", "sort=unit"),
    ("volunteers:activities", "office", "sort=-at"),
    ("volunteers:bank_transactions", "office", "sort=-amount"),
    ("volunteers:honours", "office", "sort=year"),
    ("volunteers:selections", "office", "sort=-score"),
    ("volunteers:proposals", "office", "sort=at"),
    ("volunteers:pairs", "office", "sort=community"),
]
# card lists: page size and the page jump, no columns to sort or choose
CARD_LISTS = [("volunteers:deeds", "office")]


def _table_of(response):
    return response.context.get("table") or response.context["page"].table


@pytest.mark.parametrize(("name", "who", "sort"), LISTS)
def test_every_list_uses_the_table(small_city, client_for, name, who, sort):
    client = client_for(getattr(small_city, who))
    url = reverse(name)
    r = client.get(f"{url}?{sort}&size=20")
    body = r.content.decode()
    assert r.status_code == 200, body[:300]
    assert "data-cw-table=" in body and "cw-size" in body and "cw-cols" in body
    table = _table_of(r)
    assert table.per_page == 20 and table.sort_key
    for bad in ("sort=%3Cscript%3E&size=-1&page=-1", "page=1e99&size=1e9", "sort=-&page="):
        r = client.get(f"{url}?{bad}")
        assert r.status_code == 200 and "<script>" not in r.content.decode()


def test_header_links_and_chooser_markup(grids, client_for):
    body = client_for(grids.office).get(reverse("org:grids"), {"sort": "-area"}).content.decode()
    assert 'aria-sort="descending"' in body
    assert re.search(r'<th data-col="area"[^>]*>\s*<a [^>]*href="\?sort=area"', body)
    assert 'value="area"' in body and 'id="cwcol-grids-code" value="code" disabled' in body


@pytest.mark.parametrize(("name", "who", "sort"), LISTS)
def test_every_sortable_column_sorts_both_ways(small_city, client_for, name, who, sort):
    """Each whitelisted sort field exists: sorting by any column, either way, answers 200."""
    client = client_for(getattr(small_city, who))
    url = reverse(name)
    extra = "&".join(p for p in sort.split("&") if not p.startswith("sort="))
    first = client.get(f"{url}?{extra}")
    table = _table_of(first)
    for column in table.columns:
        if not column.sort_fields:
            continue
        for key in (column.key, f"-{column.key}"):
            r = client.get(f"{url}?{extra}&sort={key}")
            assert r.status_code == 200, (name, key)
            assert _table_of(r).sort_key == column.key


@pytest.mark.parametrize(("name", "who"), CARD_LISTS)
def test_card_lists_page_with_the_table(small_city, client_for, name, who):
    client = client_for(getattr(small_city, who))
    r = client.get(reverse(name), {"size": "10", "page": "x"})
    assert r.status_code == 200 and "cw-size" in r.content.decode()
    assert _table_of(r).per_page == 10
