"""Searchable pickers: a form widget (tom-select, ``static/js/pickers.js``) that searches a small
JSON endpoint instead of listing hundreds of options, and the endpoint's one shape.

A field opts in with one line, e.g. ``widget=UnitPicker()`` (``org/widgets.py``) on a form
field or a FilterSet filter. The page holds only the chosen option(s); typing searches the
endpoint (scoped to the user, 20 rows a page, scroll for more). A chosen value whose label the
server cannot look up safely (a filter's raw id: the widget does not know the user) is shown
by asking the same scoped endpoint for it (``?values=``), so a label never leaks across scopes.
A form's reset puts the values the page came with back into the picker. A page that must work
without a connection carries the endpoint's rows itself and the picker searches them in the
browser (``{% picker ... options= %}``, ``templatetags/cw_pickers.py``).

An endpoint is a view that hands its scoped queryset to ``pick_response``::

    @member_required
    @require_GET
    def pick_units(request):
        qs = selectors.units_for_user(request.scope).filter(active=True).order_by("path")
        return pick_response(request, qs, search=_search, rows=_rows)

A public endpoint (a page without an account, e.g. volunteer registration) is the same with
``login_not_required``; it must hand out nothing personal, and it is counted per client address.
"""

import hashlib
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from . import ratelimit

PICK_PAGE = 20  # rows per answer
PICK_PAGES = 50  # pages one may scroll through; past that, type more
PICK_QUERY_MAX = 50  # characters of a search
PICK_VALUES_MAX = 20  # values one may ask labels for at once
PICK_LIMIT = (240, 60)  # answers per user per minute (typing asks once per pause)


class Picker(forms.Select):
    """A select that searches ``source`` (a URL name) as the user types.

    ``to_field`` is what the option's value is (the primary key, or a code the API filters by);
    ``params`` are fixed query parameters of the endpoint (e.g. ``{"axis": "line"}``).
    """

    allow_multiple_selected = False

    def __init__(
        self,
        source: str,
        *,
        to_field: str = "pk",
        params: dict[str, str] | None = None,
        placeholder: str | Promise = "",
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs=attrs)
        self.source = source
        self.to_field = to_field
        self.params = params or {}
        self.placeholder = placeholder

    def url(self) -> str:
        base = reverse(self.source)
        return f"{base}?{urlencode(self.params)}" if self.params else base

    def _known_labels(self, values: Sequence[str]) -> dict[str, str]:
        """Labels the form field's own queryset (already scoped by whoever built the form)
        gives; values it does not know are left for the browser to ask the endpoint."""
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None or not values:
            return {}
        field = getattr(self.choices, "field", None)
        label = field.label_from_instance if field is not None else str
        key = "pk" if self.to_field == "pk" else self.to_field
        found = queryset.filter(**{f"{key}__in": values})
        return {str(getattr(obj, key)): label(obj) for obj in found}

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> list:
        values = [str(v) for v in value if v not in ("", None)]
        labels = self._known_labels(values)
        options = [self.create_option(name, "", "", not values, 0)]
        for i, v in enumerate(values, start=1):
            option = self.create_option(name, v, labels.get(v, v), True, i)
            if v not in labels:
                option["attrs"]["data-resolve"] = "1"
            options.append(option)
        return [(None, options, 0)]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-cw-picker"] = self.url()
        widget_attrs["data-placeholder"] = str(self.placeholder or _("输入文字搜索"))
        return context


class MultiPicker(Picker):
    allow_multiple_selected = True

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> list:
        groups = super().optgroups(name, value, attrs)
        return [(None, groups[0][1][1:], 0)]  # no empty option in a multiple select

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["multiple"] = True
        return context


def _client_key(request: HttpRequest) -> str:
    """The user, or on a public page (no account) the client address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"pick:{user.pk}"
    addr = request.META.get("REMOTE_ADDR", "")
    return "pick:addr:" + hashlib.sha256(addr.encode()).hexdigest()[:24]


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= PICK_PAGES else 1


def pick_response(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    search: Callable[[QuerySet, str], QuerySet],
    rows: Callable[[list[Any]], list[dict[str, Any]]],
    value_field: str = "pk",
) -> JsonResponse:
    """One answer of a picker endpoint: ``{"results": [{"value", "text", "hint"}], "next"}``.

    ``?q=`` searches (``search`` narrows the scoped ``queryset``), ``?page=`` scrolls on,
    ``rows`` turns the found objects into answer rows (one look-up for all their hints),
    ``?values=a,b`` gives the rows of chosen values (labels of a form's initial values).
    Bad parameters are clipped or ignored; past ``PICK_LIMIT`` (per user, or per client address
    without an account) the answer is a 429.
    """
    if not ratelimit.hit([_client_key(request)], *PICK_LIMIT):
        return JsonResponse({"message": _("搜索过于频繁，请稍后再试")}, status=429)
    raw_values = request.GET.get("values", "")
    if raw_values:
        values = [v.strip()[:40] for v in raw_values.split(",") if v.strip()][:PICK_VALUES_MAX]
        if value_field == "pk":
            values = [v for v in values if v.isdigit() and len(v) < 19]
        found = list(queryset.filter(**{f"{value_field}__in": values}))
        return JsonResponse({"results": rows(found), "next": None})
    q = request.GET.get("q", "").strip()[:PICK_QUERY_MAX]
    page = _page_number(request.GET.get("page", ""))
    if q:
        queryset = search(queryset, q)
    start = (page - 1) * PICK_PAGE
    found = list(queryset[start : start + PICK_PAGE + 1])
    more = len(found) > PICK_PAGE and page < PICK_PAGES
    following = request.GET.copy()
    following["page"] = str(page + 1)
    return JsonResponse(
        {
            "results": rows(found[:PICK_PAGE]),
            "next": f"{request.path}?{following.urlencode()}" if more else None,
        }
    )
