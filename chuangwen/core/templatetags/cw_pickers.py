"""``{% picker %}``: a searchable picker in a hand-written template form (forms built with
Django form classes use the widgets of ``chuangwen.core.widgets`` instead)::

    {% load cw_pickers %}
    {% picker "org:pick_units" "unit" case.unit_id case.unit.name placeholder=_("按规则") %}

Extra keyword arguments other than ``placeholder`` and ``label_id`` become fixed query
parameters of the endpoint (e.g. ``axis="line"``).

A page that must work without a connection carries the rows itself, once (a ``json_script``
element holding the endpoint's rows: ``[{"value", "text", "hint"}]``), and names that element
instead of an endpoint; the picker then searches those rows in the browser::

    {{ categories|json_script:"check-categories" }}
    {% picker "" "category" code name options="check-categories" %}
"""

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("core/_picker.html")
def picker(
    source: str,
    name: str,
    value: Any = "",
    label: Any = "",
    placeholder: str = "",
    form: str = "",
    label_id: str = "",
    css: str = "",
    required: bool = False,
    options: str = "",
    **params: Any,
) -> dict[str, Any]:
    url = reverse(source) if source else ""
    if params:
        url += "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return {
        "url": url,
        "name": name,
        "value": "" if value is None else str(value),
        "label": label,
        "placeholder": placeholder,
        "form": form,
        "label_id": label_id,
        "css": css,
        "required": required,
        "options": options,
    }
