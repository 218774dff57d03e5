"""Pickers of case categories and cases (see ``chuangwen.core.widgets``)."""

from typing import Any

from django.utils.functional import Promise

from chuangwen.core.widgets import Picker

from .models import Category
from .selectors import categories_for_city


def CategoryPicker(placeholder: str | Promise = "") -> Picker:
    """Active categories of the city, by name or code (the value is the code)."""
    return Picker("cases:pick_categories", to_field="code", placeholder=placeholder)


def CasePicker() -> Picker:
    """Cases the user may see, by number, description or address."""
    return Picker("cases:pick_cases")


def category_row(category: Category) -> dict[str, Any]:
    """A category as a picker row (``cases:pick_categories`` answers these)."""
    return {
        "value": category.code,
        "text": category.name,
        "hint": f"{category.get_family_display()} · {category.major_name} · {category.code}",
    }


def category_rows(city_id: int) -> list[dict[str, Any]]:
    """All the city's active categories as picker rows, for a page that carries them (its
    picker searches them in the browser, with no connection)."""
    fields = ("code", "name", "family", "major_name")
    return [category_row(c) for c in categories_for_city(city_id).only(*fields)]
