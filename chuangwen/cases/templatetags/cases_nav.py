"""What the cases pages offer a viewer, from the checks the views and services run."""

from django import template

from chuangwen.cases.services import sources_for_scope
from chuangwen.org.scope import Scope

register = template.Library()


@register.filter
def may_report(scope: Scope | None) -> bool:
    """Whether the viewer may report a problem (the 上报问题 page refuses the others)."""
    return scope is not None and not scope.is_anonymous and bool(sources_for_scope(scope))
