"""Who acts in a service, and the one office check and one unit-scope check every app uses.

Every service takes a keyword-only ``acting_user`` without a default. It is one of:

- a Django user (logged in: checked against their scope; anonymous: treated as the public);
- ``SYSTEM`` (or another ``SystemActor``): the platform itself — management commands, the demo
  builder, scheduled jobs. It passes every permission check and its audit rows carry no user;
- ``PUBLIC`` (or another ``PublicActor``): a citizen without an account or an outside client
  such as an Open311 key holder. It may only do what a public channel allows.

``None`` is refused: nothing skips the checks by leaving the actor out.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from chuangwen.core.errors import PermissionDenied

from .scope import ANONYMOUS, Scope, scope_for_user


@dataclass(frozen=True)
class SystemActor:
    """The platform itself; ``label`` names what acted (a command, the demo, a job)."""

    label: str = "system"
    is_authenticated = False
    is_superuser = False
    pk = None


@dataclass(frozen=True)
class PublicActor:
    """Someone without an account: a citizen on a public page, or an outside client."""

    label: str = "public"
    is_authenticated = False
    is_superuser = False
    pk = None


SYSTEM = SystemActor()
PUBLIC = PublicActor()

OFFICE_ONLY = _("只有创建办管理员可以执行此操作")


def check_actor(actor: Any) -> Any:
    """The actor itself; ``None`` is a programming error, never "skip the checks"."""
    if actor is None:
        raise TypeError("acting_user is required: pass a user, SYSTEM or PUBLIC")
    return actor


def is_system(actor: Any) -> bool:
    return isinstance(check_actor(actor), SystemActor)


def is_public(actor: Any) -> bool:
    actor = check_actor(actor)
    return isinstance(actor, PublicActor) or not getattr(actor, "is_authenticated", False)


def actor_user(actor: Any) -> Any:
    """The Django user behind the actor (for foreign keys and the audit trail), else ``None``."""
    actor = check_actor(actor)
    return actor if getattr(actor, "is_authenticated", False) else None


def actor_scope(actor: Any) -> Scope | None:
    """The actor's scope: ``None`` for the system (no checks), anonymous for the public."""
    if is_system(actor):
        return None
    if is_public(actor):
        return ANONYMOUS
    return scope_for_user(actor)


def office_allows(scope: Scope | None, city: Any) -> bool:
    """The office check on a scope already read (``None``: the system): what
    ``require_office`` decides, for pages that offer a button only when it would pass."""
    if scope is None:
        return True
    return scope.write_all and scope.city_id == getattr(city, "pk", city)


def unit_allows(scope: Scope | None, unit: Any) -> bool:
    """The unit-scope check on a scope already read: what ``require_unit`` decides."""
    return scope is None or scope.can_write_unit(unit)


def require_office(actor: Any, city: Any, message: Any = None) -> Scope | None:
    """Only the city's office admins (or the system) may go on; returns the actor's scope."""
    scope = actor_scope(actor)
    if not office_allows(scope, city):
        raise PermissionDenied(message or OFFICE_ONLY)
    return scope


def require_unit(actor: Any, unit: Any, message: Any = None) -> Scope | None:
    """The actor may write for ``unit`` (their own unit or one below it; the office: any)."""
    scope = actor_scope(actor)
    if not unit_allows(scope, unit):
        raise PermissionDenied(message or _("该单位不在您的管辖范围内"))
    return scope
