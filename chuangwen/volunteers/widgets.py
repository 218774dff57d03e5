"""Pickers of volunteer teams (see ``chuangwen.core.widgets``)."""

from chuangwen.core.widgets import Picker


def TeamPicker(**params: str) -> Picker:
    """Active teams of the city by name or unit; ``managed="1"``: those the user organises,
    ``joinable="1"``: those the user (a volunteer) has not joined."""
    return Picker("volunteers:pick_teams", params=params)
