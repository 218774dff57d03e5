"""Bootstrap classes for form widgets, given in one place."""

from collections.abc import Iterable
from typing import Any

from django import forms

# lists of radio buttons or check boxes: their template styles each choice
_CHOICE_LISTS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def bootstrap(fields: Iterable[forms.Field], *, small: bool = False) -> None:
    """Give each field's widget its Bootstrap class, unless the field set one itself: a check
    box ``form-check-input``, a select (and a search picker) ``form-select``, any other input
    ``form-control``; ``small`` gives selects and inputs the ``-sm`` size (filter bars and
    dense forms)."""
    for field in fields:
        widget = field.widget
        if isinstance(widget, _CHOICE_LISTS):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm" if small else "form-select"
        else:
            css = "form-control form-control-sm" if small else "form-control"
        widget.attrs.setdefault("class", css)


class StyledForm(forms.Form):
    """A form whose fields get their Bootstrap classes (``bootstrap``); ``small`` sizes them."""

    small = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self.fields.values(), small=self.small)
