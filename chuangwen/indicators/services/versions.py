"""Versions: the old → new mapping, the diff report, and adoption (moving attached objects).

``build_mapping`` maps every indicator of ``system.previous`` to a node of ``system``: the same
code first, else the most similar text (character-bigram Dice coefficient above a threshold,
one-to-one, best pairs first), else unmatched. The office corrects the mapping on a page
(``set_mapping``); ``adopt_system`` then activates the new version, archives the old one and
moves every registered reference (see ``chuangwen.indicators.registry``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, InvalidTransition
from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.org.actors import require_office

from ..choices import SYSTEM_TRANSITIONS, ChangeKind, MatchKind, SystemStatus
from ..models import (
    CheckItem,
    EvaluationSystem,
    Indicator,
    IndicatorMapping,
    IndicatorMove,
    NegativeListItem,
)
from ..registry import IndicatorReference, indicator_references

SIMILARITY_THRESHOLD = 0.6
_MAP_FIELDS = ("id", "code", "title", "text", "clauses", "parent_id", "points", "weight", "level")


def _bigrams(text: str) -> set[str]:
    chars = "".join(ch for ch in text if not ch.isspace() and ch not in "，。、；：,.;:（）()")
    return {chars[i : i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())


def _full_text(node: Any) -> str:
    clauses = node["clauses"] if isinstance(node, dict) else node.clauses
    parts = [node["title"] if isinstance(node, dict) else node.title]
    parts.append(node["text"] if isinstance(node, dict) else node.text)
    parts += [c.get("text", "") for c in clauses or []]
    return " ".join(p for p in parts if p)


def similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def match_nodes(
    old: list[dict], new: list[dict], threshold: float = SIMILARITY_THRESHOLD
) -> dict[int, tuple[int | None, str, float]]:
    """old id → (new id or None, match kind, score). Pure function, for tests and the bench."""
    result: dict[int, tuple[int | None, str, float]] = {}
    new_by_code = {n["code"]: n for n in new}
    taken: set[int] = set()
    rest_old = []
    for o in old:
        n = new_by_code.get(o["code"])
        if n is not None:
            result[o["id"]] = (n["id"], MatchKind.CODE, similarity(_full_text(o), _full_text(n)))
            taken.add(n["id"])
        else:
            rest_old.append(o)
    rest_new = [n for n in new if n["id"] not in taken]
    grams_new = {n["id"]: _bigrams(_full_text(n)) for n in rest_new}
    index: dict[str, list[int]] = defaultdict(list)
    for nid, grams in grams_new.items():
        for g in grams:
            index[g].append(nid)
    pairs: list[tuple[float, int, int]] = []
    for o in rest_old:
        grams = _bigrams(_full_text(o))
        if not grams:
            continue
        common: dict[int, int] = defaultdict(int)
        for g in grams:
            for nid in index.get(g, ()):
                common[nid] += 1
        for nid, shared in common.items():
            score = 2 * shared / (len(grams) + len(grams_new[nid]))
            if score >= threshold:
                pairs.append((score, o["id"], nid))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    for score, oid, nid in pairs:
        if oid in result or nid in taken:
            continue
        result[oid] = (nid, MatchKind.SIMILAR, round(score, 4))
        taken.add(nid)
    for o in rest_old:
        result.setdefault(o["id"], (None, MatchKind.UNMATCHED, 0.0))
    return result


def build_mapping(system: EvaluationSystem, threshold: float = SIMILARITY_THRESHOLD) -> int:
    """(Re)build the automatic mapping of ``system.previous`` → ``system``; keeps reviewed rows."""
    if system.previous_id is None:
        return 0
    old = list(Indicator.objects.filter(system_id=system.previous_id).values(*_MAP_FIELDS))
    new = list(Indicator.objects.filter(system=system).values(*_MAP_FIELDS))
    reviewed = dict(
        IndicatorMapping.objects.filter(system=system, reviewed=True).values_list(
            "old_id", "new_id"
        )
    )
    IndicatorMapping.objects.filter(system=system, reviewed=False).delete()
    matches = match_nodes([o for o in old if o["id"] not in reviewed], new, threshold)
    rows = [
        IndicatorMapping(system=system, old_id=oid, new_id=nid, match=kind, score=score)
        for oid, (nid, kind, score) in matches.items()
    ]
    IndicatorMapping.objects.bulk_create(rows, batch_size=500)
    return sum(1 for r in rows if r.new_id)


@transaction.atomic
def set_mapping(
    mapping: IndicatorMapping, new: Indicator | None, *, acting_user: Any
) -> IndicatorMapping:
    """The office's correction: map the old indicator to ``new`` (or to nothing)."""
    mapping = (
        IndicatorMapping.objects.select_for_update().select_related("system").get(pk=mapping.pk)
    )
    system = mapping.system
    require_office(acting_user, system.city_id)
    if new is not None and new.system_id != system.pk:
        raise InvalidInput(gettext("新指标不属于该版本"), code="bad_target")
    before = {"new": mapping.new_id, "match": mapping.match}
    mapping.new = new
    mapping.match = MatchKind.MANUAL if new is not None else MatchKind.UNMATCHED
    mapping.reviewed = True
    mapping.save(update_fields=["new", "match", "reviewed", "updated_at"])
    audit.record(
        "indicators.mapping.set",
        mapping,
        actor=acting_user,
        city=system.city,
        before=before,
        after={"new": mapping.new_id, "match": mapping.match},
        summary=f"映射 {mapping.old_id} → {mapping.new_id or '无'}",
    )
    return mapping


# --- diff -----------------------------------------------------------------------------------


@dataclass
class DiffRow:
    kind: str
    old: Indicator | None
    new: Indicator | None
    detail: str = ""

    @property
    def kind_label(self) -> str:
        return str(ChangeKind(self.kind).label)


@dataclass
class DiffReport:
    system: EvaluationSystem
    rows: list[DiffRow] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {k: self.count(k) for k in ChangeKind.values}


def _words(node: Indicator) -> tuple:
    return (node.title, node.text, tuple(c.get("text", "") for c in node.clauses or []))


def _num(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def diff_report(system: EvaluationSystem) -> DiffReport:
    """Added, removed, reworded, moved and points-changed nodes of ``system`` vs its previous."""
    report = DiffReport(system)
    if system.previous_id is None:
        return report
    old = {i.pk: i for i in Indicator.objects.filter(system_id=system.previous_id)}
    new = {i.pk: i for i in Indicator.objects.filter(system=system)}
    mapping = dict(IndicatorMapping.objects.filter(system=system).values_list("old_id", "new_id"))
    targets = {n for n in mapping.values() if n}
    for oid, o in sorted(old.items(), key=lambda kv: kv[1].path):
        nid = mapping.get(oid)
        n = new.get(nid) if nid else None
        if n is None:
            report.rows.append(DiffRow(ChangeKind.REMOVED, o, None))
            continue
        if _words(o) != _words(n):
            report.rows.append(DiffRow(ChangeKind.REWORDED, o, n, _reword_detail(o, n)))
        expected_parent = mapping.get(o.parent_id) if o.parent_id else None
        if expected_parent != n.parent_id:
            before = old[o.parent_id].code if o.parent_id in old else "（顶层）"
            after = new[n.parent_id].code if n.parent_id in new else "（顶层）"
            report.rows.append(DiffRow(ChangeKind.MOVED, o, n, f"上级 {before} → {after}"))
        if (o.points, o.weight) != (n.points, n.weight):
            detail = []
            if o.points != n.points:
                detail.append(f"分值 {_num(o.points)} → {_num(n.points)}")
            if o.weight != n.weight:
                detail.append(f"权数 {_num(o.weight)} → {_num(n.weight)}")
            report.rows.append(DiffRow(ChangeKind.POINTS, o, n, "，".join(detail)))
    for nid, n in sorted(new.items(), key=lambda kv: kv[1].path):
        if nid not in targets:
            report.rows.append(DiffRow(ChangeKind.ADDED, None, n))
    return report


def _reword_detail(o: Indicator, n: Indicator) -> str:
    parts = []
    if o.title != n.title:
        parts.append("名称")
    if o.text != n.text:
        parts.append("内容")
    if _words(o)[2] != _words(n)[2]:
        parts.append("子条款")
    return "修改了" + "、".join(parts)


DIFF_COLUMNS = ["变化", "原编号", "原名称", "新编号", "新名称", "说明"]


def diff_xlsx(report: DiffReport) -> bytes:
    rows = [
        (
            r.kind_label,
            r.old.code if r.old else "",
            r.old.title if r.old else "",
            r.new.code if r.new else "",
            r.new.title if r.new else "",
            r.detail,
        )
        for r in report.rows
    ]
    summary = [(str(ChangeKind(k).label), v) for k, v in report.counts.items()]
    return write_workbook(
        [
            Sheet("版本差异", DIFF_COLUMNS, rows, widths=[10, 12, 40, 12, 40, 30]),
            Sheet("汇总", ["变化", "数量"], summary, widths=[12, 10]),
        ]
    )


# --- adoption -------------------------------------------------------------------------------


@dataclass
class AdoptionResult:
    system: EvaluationSystem
    moved: dict[str, int] = field(default_factory=dict)
    unmapped: list[tuple[Indicator, dict[str, int]]] = field(default_factory=list)

    @property
    def moved_total(self) -> int:
        return sum(self.moved.values())


def _transition(system: EvaluationSystem, to: str) -> None:
    if to not in SYSTEM_TRANSITIONS[SystemStatus(system.status)]:
        raise InvalidTransition(
            gettext("版本「%(system_name)s」当前为%(system_status)s，不能改为%(to_label)s")
            % {
                "system_name": system.name,
                "system_status": system.get_status_display(),
                "to_label": SystemStatus(to).label,
            }
        )


@transaction.atomic
def adopt_system(system: EvaluationSystem, *, acting_user: Any) -> AdoptionResult:
    """Activate a draft version: archive the active one and move everything attached."""
    system = EvaluationSystem.objects.select_for_update().select_related("city").get(pk=system.pk)
    require_office(acting_user, system.city)
    _transition(system, SystemStatus.ACTIVE)
    current = (
        EvaluationSystem.objects.select_for_update()
        .filter(
            city=system.city,
            kind=system.kind,
            title=system.title,
            title_other=system.title_other,
            status=SystemStatus.ACTIVE,
        )
        .first()
    )
    if current is not None:
        _transition(current, SystemStatus.ARCHIVED)
        current.status = SystemStatus.ARCHIVED
        current.save(update_fields=["status", "updated_at"])
        audit.record(
            "indicators.system.archived",
            current,
            actor=acting_user,
            city=system.city,
            before={"status": SystemStatus.ACTIVE},
            after={"status": SystemStatus.ARCHIVED},
            summary=current.name,
        )
    if current is not None and system.previous_id != current.pk:
        system.previous = current
        system.save(update_fields=["previous", "updated_at"])
        build_mapping(system)
    system.status = SystemStatus.ACTIVE
    system.adopted_at = timezone.now()
    system.save(update_fields=["status", "adopted_at", "updated_at"])
    if current is not None:
        _carry_catalogue(current, system)
    result = move_attached(system, acting_user=acting_user, _record=False)
    audit.record(
        "indicators.system.adopted",
        system,
        actor=acting_user,
        city=system.city,
        before={"status": SystemStatus.DRAFT, "active": current.pk if current else None},
        after={
            "status": SystemStatus.ACTIVE,
            "moved": result.moved,
            "unmapped": [i.pk for i, _ in result.unmapped],
        },
        summary=f"启用「{system.name}」，迁移 {result.moved_total} 个关联对象",
    )
    return result


def move_attached(
    system: EvaluationSystem, *, acting_user: Any, _record: bool = True
) -> AdoptionResult:
    """Re-point every registered reference to an indicator of ``system.previous`` that has a
    mapped node; the rest are listed (with how many objects hang on each) for a decision."""
    result = AdoptionResult(system)
    if system.previous_id is None:
        return result
    with transaction.atomic():
        if _record:
            require_office(acting_user, system.city_id)
        mapping = dict(
            IndicatorMapping.objects.filter(system=system).values_list("old_id", "new_id")
        )
        stranded: dict[int, dict[str, int]] = defaultdict(dict)
        history: list[IndicatorMove] = []
        for ref in indicator_references():
            moved = _move_reference(ref, system, mapping, stranded, history)
            if moved:
                result.moved[ref.label] = moved
        IndicatorMove.objects.bulk_create(history, batch_size=500)
        olds = Indicator.objects.in_bulk(list(stranded))
        result.unmapped = [
            (olds[i], stranded[i]) for i in sorted(stranded, key=lambda i: olds[i].path)
        ]
        if _record and history:
            audit.record(
                "indicators.references.moved",
                system,
                actor=acting_user,
                city=system.city,
                after={"moved": result.moved},
                summary=f"迁移 {result.moved_total} 个关联对象",
            )
    return result


def _reference_rows(ref: IndicatorReference, previous_id: int) -> list[tuple[int, int, int]]:
    """(row, referring object, old indicator) of each reference into the ``previous`` version:
    for a foreign key the row is the object; for a many-to-many field, the link row."""
    if ref.many:
        through, source, target = ref.links()
        return list(
            through._default_manager.filter(**{f"{target.name}__system_id": previous_id})
            .order_by()
            .values_list("pk", source.attname, target.attname)
        )
    return [
        (pk, pk, old_id)
        for pk, old_id in ref.model._default_manager.filter(
            **{f"{ref.field}__system_id": previous_id}
        )
        .order_by()
        .values_list("pk", ref.attname)
    ]


def _move_reference(
    ref: IndicatorReference,
    system: EvaluationSystem,
    mapping: dict[int, int],
    stranded: dict[int, dict[str, int]],
    history: list[IndicatorMove],
) -> int:
    """Re-point one registered reference along ``mapping``; returns how many were moved. A
    many-to-many link is replaced by the link to the new node (merged when the object already
    has it, e.g. two old indicators mapped to one new)."""
    assert system.previous_id is not None
    moved: list[tuple[int, int, int, int]] = []  # row, object, old, new
    for row, obj, old_id in _reference_rows(ref, system.previous_id):
        new_id = mapping.get(old_id)
        if new_id is None:
            stranded[old_id][ref.label] = stranded[old_id].get(ref.label, 0) + 1
        else:
            moved.append((row, obj, old_id, new_id))
    if not moved:
        return 0
    if ref.many:
        through, source, target = ref.links()
        linked = set(
            through._default_manager.filter(
                **{f"{source.attname}__in": {obj for _r, obj, _o, _n in moved}}
            ).values_list(source.attname, target.attname)
        )
        new_links = []
        for _row, obj, _old, new_id in moved:
            if (obj, new_id) not in linked:
                linked.add((obj, new_id))
                new_links.append(through(**{source.attname: obj, target.attname: new_id}))
        through._default_manager.filter(pk__in=[row for row, *_ in moved]).delete()
        through._default_manager.bulk_create(new_links, batch_size=500)
    else:
        changed = []
        for row, _obj, _old, new_id in moved:
            instance = ref.model(pk=row)
            setattr(instance, ref.attname, new_id)
            changed.append(instance)
        ref.model._default_manager.bulk_update(changed, [ref.field], batch_size=500)
    history.extend(
        IndicatorMove(
            city_id=system.city_id,
            system=system,
            object_type=ref.label,
            object_id=str(obj),
            field=ref.field,
            old_id=old_id,
            new_id=new_id,
        )
        for _row, obj, old_id, new_id in moved
    )
    return len(moved)


def pending_references(system: EvaluationSystem) -> list[tuple[Indicator, dict[str, int]]]:
    """Old indicators that still carry attached objects but have no mapped node (read-only)."""
    if system.previous_id is None:
        return []
    mapping = dict(IndicatorMapping.objects.filter(system=system).values_list("old_id", "new_id"))
    stranded: dict[int, dict[str, int]] = defaultdict(dict)
    for ref in indicator_references():
        for _row, _obj, old_id in _reference_rows(ref, system.previous_id):
            if mapping.get(old_id) is None:
                stranded[old_id][ref.label] = stranded[old_id].get(ref.label, 0) + 1
    olds = Indicator.objects.in_bulk(list(stranded))
    return [(olds[i], stranded[i]) for i in sorted(stranded, key=lambda i: olds[i].path)]


def _carry_catalogue(old: EvaluationSystem, new: EvaluationSystem) -> None:
    """A version imported without checklists / negative list inherits the old ones, with the
    linked standards re-pointed through the mapping (the old rows stay with the old version)."""
    mapping = dict(IndicatorMapping.objects.filter(system=new).values_list("old_id", "new_id"))
    if not new.check_items.exists():
        old_items = list(old.check_items.all())
        links = defaultdict(list)
        through = CheckItem.standards.through
        for item_id, ind_id in through.objects.filter(checkitem__system=old).values_list(
            "checkitem_id", "indicator_id"
        ):
            links[item_id].append(ind_id)
        copies = []
        for item in old_items:
            old_pk = item.pk
            item.pk = None
            item.id = None
            item.system = new
            item._state.adding = True
            copies.append((old_pk, item))
        CheckItem.objects.bulk_create([c for _, c in copies], batch_size=500)
        through.objects.bulk_create(
            [
                through(checkitem_id=copy.pk, indicator_id=mapping[ind])
                for old_pk, copy in copies
                for ind in links[old_pk]
                if mapping.get(ind)
            ],
            batch_size=1000,
        )
    if not new.negative_items.exists():
        negs = list(old.negative_items.all())
        for neg in negs:
            neg.pk = None
            neg.id = None
            neg.system = new
            neg._state.adding = True
        NegativeListItem.objects.bulk_create(negs)
