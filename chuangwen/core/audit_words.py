"""The audit trail in words: each event code as a Chinese phrase, each change as
"field: old → new" with the model's own field labels, choice labels and related rows' names
(looked up once per page, not per row).

A code reads ``app.noun.verb``; the phrase is the verb's word plus the model's verbose name
(``org.unit.moved`` → 移动单位). Apps name the codes that do not fit with
``register_event_labels`` (the cases app names each workflow action)."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import AuditEvent

VERBS: dict[str, Any] = {
    "created": pgettext_lazy("审计动作", "新建"),
    "updated": _("修改"),
    "deleted": pgettext_lazy("审计动作", "删除"),
    "imported": _("导入"),
    "moved": _("移动"),
    "closed": _("结束"),
    "reopened": _("重新打开"),
    "issued": _("签发"),
    "revoked": _("吊销"),
    "submitted": _("提交"),
    "accepted": _("通过"),
    "returned": _("退回"),
    "reported": _("上报"),
    "signed": _("签署"),
    "generated": _("生成"),
    "applied": _("应用"),
    "assigned": _("指派"),
    "acknowledged": _("签收"),
    "sampled": _("抽样"),
    "computed": _("计算"),
    "added": _("添加"),
    "removed": _("移除"),
    "loaded": _("载入"),
    "saved": _("保存"),
    "built": _("生成演示数据："),
    "adopted": _("启用"),
    "archived": _("归档"),
    "retired": _("停用"),
    "restored": _("恢复"),
    "set": _("设置"),
    "minutes": _("记录纪要："),
    "override": _("调整"),
    "published": _("发布"),
    "recomputed": _("重算"),
    "decided": _("决定"),
    "reviewed": _("点评"),
}

_labels: dict[str, Any] = {}


def register_event_labels(labels: Mapping[str, Any]) -> None:
    """Phrases for codes the verb + noun rule does not read well."""
    _labels.update(labels)


def _model(object_type: str) -> type[models.Model] | None:
    if "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def event_label(code: str, object_type: str = "") -> str:
    if code in _labels:
        return str(_labels[code])
    parts = code.split(".")
    verb = parts[-1] if len(parts) > 1 else code
    model = _model(object_type)
    noun = str(model._meta.verbose_name) if model is not None else ".".join(parts[1:-1])
    word = VERBS.get(verb)
    if word is None:
        return code
    return str(_("%(verb)s%(noun)s") % {"verb": word, "noun": noun})  # English puts a space


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    label: str
    object_label: str
    changes: list[Change]


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field if isinstance(field, models.Field) else None


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{_plain(v)}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T":
        moment = parse_datetime(value)  # an ISO time as the office reads it
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return f"{moment:%Y-%m-%d %H:%M}"
    return str(value)


def describe(events: Iterable[AuditEvent]) -> list[EventRow]:
    """Rows for a page of events; related rows' names in one query per related model."""
    events = list(events)
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for e in events:
        model = _model(e.object_type)
        for data in (e.before or {}, e.after or {}):
            if not isinstance(data, dict):
                continue
            for key, value in data.items():
                field = _field(model, key)
                if isinstance(field, models.ForeignKey) and isinstance(value, int):
                    wanted[field.related_model].add(value)
    names: dict[tuple[type[models.Model], Any], str] = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids)[:1000]:
            names[(related, obj.pk)] = str(obj)

    def show(model: type[models.Model] | None, key: str, value: Any) -> str:
        field = _field(model, key)
        if field is not None and field.choices and not isinstance(value, list | dict):
            return str(dict(field.flatchoices).get(value, _plain(value)))
        if isinstance(field, models.ForeignKey) and value is not None:
            return names.get((field.related_model, value), f"#{value}")
        return _plain(value)

    rows = []
    for e in events:
        model = _model(e.object_type)
        before = e.before if isinstance(e.before, dict) else {}
        after = e.after if isinstance(e.after, dict) else {}
        changes = []
        for key in [*after, *(k for k in before if k not in after)]:
            field = _field(model, key)
            label = str(field.verbose_name) if field is not None else key
            old = show(model, key, before[key]) if key in before else ""
            new = show(model, key, after[key]) if key in after else "—"
            changes.append(Change(label, old, new))
        noun = str(model._meta.verbose_name) if model is not None else e.object_type
        rows.append(
            EventRow(
                e, event_label(e.code, e.object_type), f"{noun} {e.object_id}".strip(), changes
            )
        )
    return rows


def app_choices() -> list[tuple[str, str]]:
    """The apps whose events the log holds, by their Chinese names (the log's filter)."""
    return [
        (f"{cfg.label}.", str(cfg.verbose_name))
        for cfg in apps.get_app_configs()
        if cfg.name.startswith("chuangwen.")
    ]
