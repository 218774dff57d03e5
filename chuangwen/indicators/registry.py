"""Registry of everything that points at an indicator, so adopting a new version moves it.

Other apps keep foreign keys to ``indicators.Indicator`` (a task's indicator, a case's
indicator, a check result's standard …). When the office adopts a new version of the
evaluation system, every such reference to an indicator of the old version is re-pointed to
the node the reviewed mapping gives it, an ``IndicatorMove`` row keeps the old reference for
history, and references whose old indicator has no mapped node are listed for a decision (they
keep pointing at the old, archived indicator until the office maps them and moves again).

An app registers its references once, in its ``AppConfig.ready``::

    from chuangwen.indicators.registry import register_indicator_reference

    class CasesConfig(AppConfig):
        def ready(self):
            from .models import Case
            register_indicator_reference(Case, "indicator")

The field must be a ``ForeignKey`` (nullable or not) or a ``ManyToManyField`` to
``indicators.Indicator`` (e.g. ``Category.indicators``: each link is moved along the mapping,
links that would repeat are merged). Registering the same pair twice is harmless. Tests may
register a model temporarily with ``unregister_indicator_reference``.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class IndicatorReference:
    model: type[models.Model]
    field: str

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def attname(self) -> str:
        return self.model._meta.get_field(self.field).attname  # type: ignore[union-attr]

    @property
    def many(self) -> bool:
        return isinstance(self.model._meta.get_field(self.field), models.ManyToManyField)

    def links(self) -> tuple[type[models.Model], Any, Any]:
        """For a many-to-many reference: the through model and its two foreign keys (to the
        referring object, to the indicator)."""
        field: Any = self.model._meta.get_field(self.field)
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name())
        target = through._meta.get_field(field.m2m_reverse_field_name())
        return through, source, target


_references: list[IndicatorReference] = []


def register_indicator_reference(model: type[models.Model], field: str) -> None:
    target = model._meta.get_field(field)
    related = getattr(target, "related_model", None)
    if (
        not isinstance(target, models.ForeignKey | models.ManyToManyField)
        or related is None
        or (related._meta.label_lower != "indicators.indicator")
    ):
        raise ValueError(f"{model._meta.label}.{field} 不是指向测评指标的外键或多对多字段")
    ref = IndicatorReference(model, field)
    if ref not in _references:
        _references.append(ref)


def unregister_indicator_reference(model: type[models.Model], field: str) -> None:
    ref = IndicatorReference(model, field)
    if ref in _references:
        _references.remove(ref)


def indicator_references() -> list[IndicatorReference]:
    return list(_references)
