"""Pickers of units, people and grids (see ``chuangwen.core.widgets``): one line opts a field
in, e.g. ``unit = IdFilter(..., widget=UnitPicker())``."""

from typing import Any

from chuangwen.core.widgets import MultiPicker, Picker


def UnitPicker(**params: str) -> Picker:
    """Units the user may see; ``axis="line"``/``kind="district"`` … narrow the list."""
    return Picker("org:pick_units", params=params)


def UnitsPicker(**params: str) -> MultiPicker:
    return MultiPicker("org:pick_units", params=params)


def PersonPicker(**params: str) -> Picker:
    """People the user may see; ``role="grid_worker"`` narrows the list."""
    return Picker("org:pick_people", params=params)


def PeoplePicker(**params: str) -> MultiPicker:
    return MultiPicker("org:pick_people", params=params)


def GridPicker(**kwargs: Any) -> Picker:
    """Grids by code (the value the case filters and the API take)."""
    return Picker("org:pick_grids", to_field="code", **kwargs)


def AreaPicker(**params: str) -> Picker:
    """Streets and communities of ``city=<code>`` for public pages (no account needed)."""
    return Picker("org:public_areas", params=params)
