"""多城联创: the office links a standard of one evaluation system to an overlapping standard of
another (卫生城市 ↔ 文明城市 …), and sets which title a system serves.

Not the version mapping (``versions.py``), which follows one system from an old version to its
next one.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput
from chuangwen.org.actors import actor_user, require_office

from ..choices import CityTitle, Level, SystemKind, SystemStatus
from ..models import EvaluationSystem, Indicator, StandardLink

MAX_NOTE = 300


def is_linkable(node: Indicator) -> bool:
    """A standard (or, in a system that names its levels otherwise, a leaf of the tree)."""
    return node.level == Level.STANDARD or not node.children.exists()


@transaction.atomic
def link_standards(a: Indicator, b: Indicator, *, note: str = "", acting_user: Any) -> StandardLink:
    """Record that standard ``a`` and standard ``b`` of two different systems overlap."""
    a = Indicator.objects.select_related("system").get(pk=a.pk)
    b = Indicator.objects.select_related("system").get(pk=b.pk)
    city = a.system.city_id
    require_office(acting_user, city)
    if b.system.city_id != city:
        raise InvalidInput(_("两条标准必须属于本城市的测评体系"), code="bad_city")
    if a.system_id == b.system_id:
        raise InvalidInput(
            _("两条标准属于同一测评体系「%(name)s」，只能对应不同体系的标准")
            % {"name": a.system.name},
            code="same_system",
        )
    for node in (a, b):
        if node.system.status == SystemStatus.ARCHIVED:
            raise InvalidInput(
                _("「%(name)s」已归档，不能再建立对应") % {"name": node.system.name},
                code="archived",
            )
        if not is_linkable(node):
            raise InvalidInput(
                _("「%(code)s %(title)s」不是测评标准（请选择最末一级）")
                % {"code": node.code, "title": node.title[:40]},
                code="not_standard",
            )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(_("说明不能超过 300 字"), code="note_too_long")
    lo, hi = (a, b) if a.pk < b.pk else (b, a)
    # the lower row locked: two offices linking the same pair at once queue here
    Indicator.objects.select_for_update().filter(pk=lo.pk).first()
    if StandardLink.objects.filter(a=lo, b=hi).exists():
        raise InvalidInput(
            _("「%(a)s」与「%(b)s」已建立对应") % {"a": lo.code, "b": hi.code},
            code="duplicate_link",
        )
    link = StandardLink.objects.create(
        city_id=city, a=lo, b=hi, note=note, created_by=actor_user(acting_user)
    )
    audit.record(
        "indicators.link.created",
        link,
        actor=acting_user,
        after={"a": lo.pk, "b": hi.pk, "note": note},
        summary=f"{lo.system.name} {lo.code} ↔ {hi.system.name} {hi.code}"[:300],
    )
    return link


@transaction.atomic
def unlink_standards(link: StandardLink, *, acting_user: Any) -> None:
    link = StandardLink.objects.select_for_update().get(pk=link.pk)
    require_office(acting_user, link.city_id)
    audit.record(
        "indicators.link.deleted",
        link,
        actor=acting_user,
        before={"a": link.a_id, "b": link.b_id, "note": link.note},
        summary=str(link),
    )
    link.delete()


@transaction.atomic
def set_system_title(
    system: EvaluationSystem, *, title: str, title_other: str = "", acting_user: Any
) -> EvaluationSystem:
    """The office sets (or corrects) which title a system serves."""
    system = EvaluationSystem.objects.select_for_update().get(pk=system.pk)
    require_office(acting_user, system.city_id)
    if title not in CityTitle.values:
        raise InvalidInput(_("未知的创建称号「%(t)s」") % {"t": str(title)[:40]}, code="bad_title")
    title_other = (title_other or "").strip()
    if title == CityTitle.OTHER and not title_other:
        raise InvalidInput(_("创建称号为“其他”时请填写称号名称"), code="title_required")
    if len(title_other) > 50:
        raise InvalidInput(_("称号名称不能超过 50 字"), code="title_too_long")
    if title != CityTitle.OTHER:
        title_other = ""
    if title != CityTitle.CIVILIZED and system.kind == SystemKind.MINORS:
        raise InvalidInput(_("未成年人思想道德建设测评体系属于全国文明城市"), code="bad_title")
    if system.status == SystemStatus.ACTIVE:
        clash = EvaluationSystem.objects.filter(
            city_id=system.city_id,
            kind=system.kind,
            title=title,
            title_other=title_other,
            status=SystemStatus.ACTIVE,
        ).exclude(pk=system.pk)
        if clash.exists():
            raise InvalidInput(
                _("本市已有启用的同一称号测评体系「%(name)s」") % {"name": clash.first()},
                code="title_taken",
            )
    before = {"title": system.title, "title_other": system.title_other}
    if before != {"title": title, "title_other": title_other}:
        system.title, system.title_other = title, title_other
        system.save(update_fields=["title", "title_other", "updated_at"])
        audit.record(
            "indicators.system.title_set",
            system,
            actor=acting_user,
            before=before,
            after={"title": title, "title_other": title_other},
            summary=f"{system.name}：{system.title_label}",
        )
    return system
