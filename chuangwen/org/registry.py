"""Registry of the copies of unit paths other apps keep on their rows.

A case, a site or a notice copies the materialized path of its unit (``unit_path``,
``area_path`` …) so that scope filters are one indexed prefix lookup instead of a join. When
the office moves a unit, ``org.services.move_unit`` rewrites every registered copy under the
unit's old path in the same transaction, so scopes never go stale.

An app registers its copies once, in its ``AppConfig.ready``::

    from chuangwen.org.registry import register_unit_path_copy

    class CasesConfig(AppConfig):
        def ready(self):
            from .models import Case
            register_unit_path_copy(Case, "unit_path")

Registering the same pair twice is harmless.
"""

from collections.abc import Callable
from typing import Any

from django.db import models

_copies: list[tuple[type[models.Model], str]] = []


def register_unit_path_copy(model: type[models.Model], field: str) -> None:
    if not isinstance(model._meta.get_field(field), models.CharField):
        raise ValueError(f"{model._meta.label}.{field} 不是单位路径字段")
    if (model, field) not in _copies:
        _copies.append((model, field))


def unit_path_copies() -> list[tuple[type[models.Model], str]]:
    return list(_copies)


# --- findings against a unit ------------------------------------------------------------------
# A negative-list finding against a unit (recorded by the assessment app) may matter to apps
# beside it (a civility title the unit holds is proposed for revocation): they listen here,
# in their ``AppConfig.ready``, instead of the assessment app importing them.

UnitFindingListener = Callable[..., None]
_finding_listeners: list[UnitFindingListener] = []


def on_unit_finding(listener: UnitFindingListener) -> None:
    """Register ``listener(unit, *, ref, reason)``; registering it twice is harmless."""
    if listener not in _finding_listeners:
        _finding_listeners.append(listener)


def unit_finding_recorded(unit: Any, *, ref: str, reason: str) -> None:
    """Called inside the recording transaction: a listener that raises refuses the finding."""
    for listener in list(_finding_listeners):
        listener(unit, ref=ref, reason=reason)
