"""Editing the tree by hand: add, edit, move, retire (audited; additions marked 本市增补)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, InvalidTransition
from chuangwen.core.tree import child_path, move_subtree
from chuangwen.org.actors import require_office

from ..choices import Level, SystemStatus
from ..models import EvaluationSystem, Indicator
from .common import (
    INDICATOR_FIELDS,
    canonical_methods,
    method_tags,
    parse_decimal,
    search_text,
)

EDITABLE = {"code", "title", "text", "level", "level_name", "clauses", "methods", "points"}
EDITABLE |= {"weight", "grade_rule", "negative", "veto"}


def _check_open(system: EvaluationSystem) -> None:
    if system.status == SystemStatus.ARCHIVED:
        raise InvalidTransition(_("已归档的版本不能修改"), code="archived")


def _clean(node: Indicator) -> None:
    node.code, node.title = (node.code or "").strip(), (node.title or "").strip()
    if not node.code or not node.title:
        raise InvalidInput(_("编号和名称不能为空"), code="required")
    if node.level not in Level.values:
        raise InvalidInput(
            _("层级「%(node_level)s」无效") % {"node_level": node.level}, code="bad_level"
        )
    for clause in node.clauses:
        clause["methods"] = canonical_methods(clause.get("methods"))
    node.methods = canonical_methods(
        list(node.methods) + [m for c in node.clauses for m in c.get("methods", [])]
    )
    node.method_tags = method_tags(node.methods, node.clauses)
    node.search_text = search_text(node.code, node.title, node.text, node.clauses)
    for name in ("points", "weight"):
        value = getattr(node, name)
        try:
            setattr(node, name, parse_decimal(value, 3 if name == "weight" else 2))
        except ValueError as exc:
            raise InvalidInput(str(exc), code="bad_number") from exc
    duplicate = Indicator.objects.filter(system_id=node.system_id, code=node.code)
    if duplicate.exclude(pk=node.pk).exists():
        raise InvalidInput(
            _("编号「%(node_code)s」已存在") % {"node_code": node.code}, code="duplicate_code"
        )


@transaction.atomic
def create_indicator(
    system: EvaluationSystem,
    *,
    code: str,
    title: str,
    level: str = Level.STANDARD,
    parent: Indicator | None = None,
    acting_user: Any,
    **fields: Any,
) -> Indicator:
    """Add a node (a per-city addition, marked 本市增补)."""
    system = EvaluationSystem.objects.select_for_update().get(pk=system.pk)
    require_office(acting_user, system.city_id)
    _check_open(system)
    if parent is not None and parent.system_id != system.pk:
        raise InvalidInput(_("上级指标不属于该版本"), code="bad_parent")
    unknown = set(fields) - EDITABLE
    if unknown:
        raise InvalidInput(
            _("不能设置字段：%(unknown)s") % {"unknown": ", ".join(sorted(unknown))},
            code="bad_field",
        )
    node = Indicator(
        system=system,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        code=code,
        title=title,
        level=level,
        city_added=True,
        path="",
        **fields,
    )
    _clean(node)
    node.save()
    node.path = child_path(parent, node.pk)
    node.save(update_fields=["path"])
    audit.record(
        "indicators.indicator.created",
        node,
        actor=acting_user,
        city=system.city,
        after=audit.snapshot(node, INDICATOR_FIELDS),
        summary=f"{node.code} {node.title}",
    )
    return node


@transaction.atomic
def update_indicator(node: Indicator, *, acting_user: Any, **changes: Any) -> Indicator:
    node = Indicator.objects.select_for_update().select_related("system").get(pk=node.pk)
    require_office(acting_user, node.system.city_id)
    _check_open(node.system)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidInput(
            _("不能修改字段：%(unknown)s") % {"unknown": ", ".join(sorted(unknown))},
            code="bad_field",
        )
    before = audit.snapshot(node, INDICATOR_FIELDS)
    for key, value in changes.items():
        setattr(node, key, value.strip() if isinstance(value, str) else value)
    _clean(node)
    node.save(
        update_fields=[*changes.keys(), "methods", "method_tags", "search_text", "updated_at"]
    )
    b, a = audit.changes(before, audit.snapshot(node, INDICATOR_FIELDS))
    audit.record(
        "indicators.indicator.updated",
        node,
        actor=acting_user,
        city=node.system.city,
        before=b,
        after=a,
        summary=f"{node.code} {node.title}",
    )
    return node


@transaction.atomic
def move_indicator(node: Indicator, new_parent: Indicator | None, *, acting_user: Any) -> Indicator:
    node = Indicator.objects.select_for_update().select_related("system").get(pk=node.pk)
    require_office(acting_user, node.system.city_id)
    _check_open(node.system)
    if new_parent is not None:
        if new_parent.system_id != node.system_id:
            raise InvalidInput(_("上级指标不属于该版本"), code="bad_parent")
        if new_parent.path.startswith(node.path):
            raise InvalidInput(_("不能把指标移到它自己或其下级之下"), code="cycle")
    old_parent = node.parent_id
    move_subtree(Indicator.objects.filter(system_id=node.system_id), node, new_parent)
    node.refresh_from_db()
    audit.record(
        "indicators.indicator.moved",
        node,
        actor=acting_user,
        city=node.system.city,
        before={"parent": old_parent},
        after={"parent": node.parent_id},
        summary=f"{node.code} {node.title}",
    )
    return node


@transaction.atomic
def retire_indicator(
    node: Indicator, *, reason: str = "", retired: bool = True, acting_user: Any
) -> Indicator:
    """Retire a node and its subtree (soft: rows stay for history); ``retired=False`` restores."""
    node = Indicator.objects.select_for_update().select_related("system").get(pk=node.pk)
    require_office(acting_user, node.system.city_id)
    _check_open(node.system)
    if retired and not (reason or "").strip():
        raise InvalidInput(_("请填写停用原因"), code="reason_required")
    count = Indicator.objects.filter(system_id=node.system_id, path__startswith=node.path).update(
        retired=retired
    )
    audit.record(
        "indicators.indicator.retired" if retired else "indicators.indicator.restored",
        node,
        actor=acting_user,
        city=node.system.city,
        before={"retired": not retired},
        after={"retired": retired, "reason": reason, "subtree": count},
        summary=f"{node.code} {node.title}",
    )
    node.refresh_from_db()
    return node
