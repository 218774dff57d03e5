"""``{{ text|masked }}``: free text as the public portal may show it — phone, ID-card and
landline numbers masked (``core.text.public_text``); Django still escapes the result."""

from django import template

from chuangwen.core.text import public_text

register = template.Library()


@register.filter
def masked(value: object) -> str:
    return public_text("" if value is None else str(value))
