"""``{{ field|styled }}``: a bound field's widget with its Bootstrap class, for the templates that
lay out a form the views did not style (the shared filter bars); ``{{ field|styled:"sm" }}``
small. The rule is ``core.forms.bootstrap``; a plain date input (a FilterSet's ``DateFilter``)
becomes the browser's date picker."""

from django import template
from django.forms import BoundField, DateInput
from django.utils.safestring import SafeString

from chuangwen.core.forms import bootstrap

register = template.Library()


@register.filter
def styled(field: BoundField, size: str = "") -> SafeString:
    widget = field.field.widget
    if isinstance(widget, DateInput) and widget.input_type == "text":
        widget.input_type, widget.format = "date", "%Y-%m-%d"
    bootstrap([field.field], small=size == "sm")
    return field.as_widget()
