"""What the assessment pages offer a viewer, from the checks the views run."""

from django import template

from chuangwen.assessment import selectors
from chuangwen.org.scope import Scope

register = template.Library()


@register.filter
def reads_unit_reports(scope: Scope | None) -> bool:
    """Whether the viewer may read reports, late reports and accountability records."""
    return scope is not None and selectors.reads_unit_reports(scope)
