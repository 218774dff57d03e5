"""The one way a list endpoint filters: the app's django-filter FilterSet over the request's
query string, bad values refused (400, each parameter named) instead of quietly ignored, and the
same FilterSet documented as the endpoint's OpenAPI query parameters — one source of truth.

    @router.get("/sites", response=list[SiteOut], openapi_extra=filter_doc(SiteFilter))
    @paginate(Paged)
    def list_sites(request):
        return filtered(SiteFilter, request, selectors.sites_for_user(scope_of(request)))
"""

from collections.abc import Iterable, Mapping
from typing import Any, cast

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .errors import InvalidParameters
from .schemas import DB_INT_MAX, MAX_YEAR, MIN_YEAR

# what Django's NullBooleanSelect understands; anything else would be silently ignored
BOOLEAN_VALUES = frozenset({"true", "false", "True", "False", "2", "3"})


class AllYesNo(forms.NullBooleanSelect):
    """全部 / 是 / 否 (Django's own select says 未知 for "no filter")."""

    def __init__(self, attrs: Any = None) -> None:
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]

    def format_value(self, value: Any) -> Any:
        return {True: "true", False: "false", "true": "true", "false": "false"}.get(value, "")


class BooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads 全部."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", AllYesNo)
        super().__init__(*args, **kwargs)


class IntFilter(django_filters.NumberFilter):
    """A whole number within bounds (a plain NumberFilter takes 1.5, 1e40 and ids past 2^63)."""

    field_class = forms.IntegerField
    default_bounds: tuple[int, int] = (-DB_INT_MAX, DB_INT_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", self.default_bounds[0])
        kwargs.setdefault("max_value", self.default_bounds[1])
        super().__init__(*args, **kwargs)

    def get_max_validator(self) -> None:
        return None  # the form field's own max_value bounds it


class IdFilter(IntFilter):
    """The id of a row (unit, site type, district …)."""

    default_bounds = (1, DB_INT_MAX)


class YearFilter(IntFilter):
    default_bounds = (MIN_YEAR, MAX_YEAR)


def checked_filter(
    filterset_class: type[django_filters.FilterSet], data: Mapping[str, Any], queryset: QuerySet
) -> django_filters.FilterSet:
    """``filterset_class`` over ``data``, refusing bad values (each parameter with its message)
    instead of quietly ignoring them: for the API and background exports."""
    f = filterset_class(data, queryset=queryset)
    errors = {name: str(msgs[0]) for name, msgs in f.errors.items()}
    for name, flt in f.filters.items():
        raw = data.get(name)
        boolean = isinstance(flt, django_filters.BooleanFilter)
        if boolean and raw not in (None, "") and raw not in BOOLEAN_VALUES:
            errors[name] = str(_("应为 true 或 false"))
    if errors:
        raise InvalidParameters(errors)
    return f


def filtered(
    filterset_class: type[django_filters.FilterSet], request: HttpRequest, queryset: QuerySet
) -> QuerySet:
    """The queryset filtered by the request's query string (see ``checked_filter``)."""
    return checked_filter(filterset_class, request.GET, queryset).qs


def _schema(field: forms.Field) -> dict[str, Any]:
    if isinstance(field, forms.NullBooleanField):
        return {"type": "boolean"}
    if isinstance(field, forms.IntegerField):
        out: dict[str, Any] = {"type": "integer"}
        if field.min_value is not None:
            out["minimum"] = field.min_value
        if field.max_value is not None:
            out["maximum"] = field.max_value
        return out
    if isinstance(field, forms.DecimalField | forms.FloatField):
        return {"type": "number"}
    if isinstance(field, forms.DateField):
        return {"type": "string", "format": "date"}
    if isinstance(field, forms.ChoiceField):
        choices = cast(Iterable[tuple[Any, Any]], field.choices)
        return {"type": "string", "enum": [str(v) for v, _label in choices if v != ""]}
    return {"type": "string"}


def filter_doc(filterset_class: type[django_filters.FilterSet]) -> dict[str, Any]:
    """The FilterSet's parameters as OpenAPI query parameters (pass as ``openapi_extra``)."""
    return {
        "parameters": [
            {
                "in": "query",
                "name": name,
                "required": False,
                "description": flt.label,
                "schema": _schema(flt.field),
            }
            for name, flt in filterset_class.base_filters.items()
        ]
    }
