"""Pickers of indicators, negative-list items and site types (see ``chuangwen.core.widgets``)."""

from chuangwen.core.widgets import Picker


def IndicatorPicker(**params: str) -> Picker:
    """Indicators of the current version (``system=<id>`` for another), by code or text; the
    value is the code."""
    return Picker("indicators:pick_indicators", to_field="code", params=params)


def SiteTypePicker() -> Picker:
    return Picker("indicators:pick_site_types")


def NegativeItemPicker(**params: str) -> Picker:
    """Negative-list items of the current version (``system=<id>`` for another), by code or
    text; the value is the item's id."""
    return Picker("indicators:pick_negative_items", params=params)
