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

from django.db import models

_copies: list[tuple[type[models.Model], str]] = []


def register_unit_path_copy(model: type[models.Model], field: str) -> None:
    if not isinstance(model._meta.get_field(field), models.CharField):
        raise ValueError(f"{model._meta.label}.{field} 不是单位路径字段")
    if (model, field) not in _copies:
        _copies.append((model, field))


def unit_path_copies() -> list[tuple[type[models.Model], str]]:
    return list(_copies)
