"""Checks shared by the moral-bank, moral-model and selection services."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.org.actors import actor_scope, actor_user, is_system
from chuangwen.org.models import Person

MAX_POINTS = 1_000_000  # one posting; a typo of many zeros is refused, not booked


def person_of(actor: Any) -> Person | None:
    """The active person of a logged-in actor, else ``None``."""
    user = actor_user(actor)
    if user is None:
        return None
    return Person.objects.filter(user_id=user.pk, active=True).first()


def require_city_member(actor: Any, city_id: int, message: Any = None) -> None:
    """A person of the city (any role), or the system."""
    scope = actor_scope(actor)
    if scope is None:
        return
    if scope.city_id != city_id:
        raise PermissionDenied(message or _("您不是本市的登记人员"))


def check_transition(
    transitions: dict[str, tuple[str, ...]], current: str, target: str, labels: Any
) -> None:
    if target not in transitions.get(current, ()):
        raise InvalidTransition(
            _("当前状态「%(s)s」不能变为「%(t)s」")
            % {"s": labels(current).label, "t": labels(target).label}
        )


def clean_text(value: str, field: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("请填写%(f)s") % {"f": field}, code="required")
    if len(value) > max_length:
        raise InvalidInput(
            _("%(f)s不能超过 %(n)d 个字") % {"f": field, "n": max_length}, code="too_long"
        )
    return value


def clean_points(points: Any) -> int:
    """A whole number of points, 1 to ``MAX_POINTS`` (an int, or a string of digits)."""
    if isinstance(points, bool) or not isinstance(points, int | str):
        raise InvalidInput(_("积分必须是正整数"), code="bad_points")
    text = str(points).strip()
    if not text.isdigit() or not text.isascii() or not 0 < int(text) <= MAX_POINTS:
        raise InvalidInput(
            _("积分必须是 1 到 %(max)d 之间的整数") % {"max": MAX_POINTS}, code="bad_points"
        )
    return int(text)


__all__ = [
    "check_transition",
    "clean_points",
    "clean_text",
    "is_system",
    "person_of",
    "require_city_member",
]
