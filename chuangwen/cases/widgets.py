"""Pickers of case categories and cases (see ``chuangwen.core.widgets``)."""

from django.utils.functional import Promise

from chuangwen.core.widgets import Picker


def CategoryPicker(placeholder: str | Promise = "") -> Picker:
    """Active categories of the city, by name or code (the value is the code)."""
    return Picker("cases:pick_categories", to_field="code", placeholder=placeholder)


def CasePicker() -> Picker:
    """Cases the user may see, by number, description or address."""
    return Picker("cases:pick_cases")
