"""Importing a version (Excel template, Word 操作手册, JSON seed): all-or-nothing.

Everything is parsed and validated first; only a clean file opens the transaction, and then
the tree is written with a handful of bulk statements per level (not one query per node).
"""

import json
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import ImportFailed, RowError
from chuangwen.core.tree import child_path
from chuangwen.core.xlsx import max_lengths
from chuangwen.org.actors import require_office
from chuangwen.org.models import City

from ..choices import CityTitle, Level, SystemKind, SystemStatus
from ..models import CheckItem, EvaluationSystem, Indicator, NegativeListItem, SiteType
from .common import method_tags, search_text
from .parsing import (
    CHECK_SHEET,
    NEG_SHEET,
    TYPE_SHEET,
    NodeRow,
    ParsedSystem,
    parse_docx,
    parse_json,
    parse_xlsx,
)

SEED_PATH = Path(__file__).resolve().parent.parent / "data" / "seed_2018_2020.json"
FORMATS = ("xlsx", "docx", "json")


def parse_file(file: IO[bytes] | bytes, fmt: str) -> ParsedSystem:
    data = file if isinstance(file, bytes) else file.read()
    if fmt == "xlsx":
        return parse_xlsx(data)
    if fmt == "docx":
        return parse_docx(data)
    if fmt == "json":
        try:
            return parse_json(json.loads(data.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImportFailed(
                [RowError(None, "", _("无法读取 JSON 文件：%(exc)s") % {"exc": exc})]
            ) from exc
        except RecursionError:
            raise ImportFailed([RowError(None, "", _("JSON 文件嵌套层数过深"))]) from None
    raise ImportFailed(
        [RowError(None, "", _("不支持的文件格式「%(fmt)s」，请上传 .xlsx 或 .docx") % {"fmt": fmt})]
    )


def validate(parsed: ParsedSystem, city: City) -> list[NodeRow]:
    """Check the whole tree and the cross references; return the nodes parents-first."""
    err = parsed.error
    by_code: dict[str, NodeRow] = {}
    for node in parsed.nodes:
        if not node.code:
            continue
        if len(node.code) > 40:
            err(node.row, "编号", f"编号「{node.code}」超过 40 个字符", node.sheet)
        if len(node.title) > 300:
            err(node.row, "名称", "名称超过 300 个字符", node.sheet)
        if node.code in by_code:
            first = by_code[node.code]
            err(node.row, "编号", f"编号「{node.code}」与第 {first.row} 行重复", node.sheet)
            continue
        by_code[node.code] = node
    children: dict[str, list[NodeRow]] = defaultdict(list)
    for node in by_code.values():
        if node.parent and node.parent not in by_code:
            err(node.row, "上级编号", f"上级编号「{node.parent}」不存在", node.sheet)
            continue
        children[node.parent].append(node)
    # cycles: walk up from every node; a walk that comes back is a cycle
    for code, node in by_code.items():
        seen, cur = {code}, node.parent
        while cur and cur in by_code:
            if cur in seen:
                err(node.row, "上级编号", "上下级关系形成循环", node.sheet)
                break
            seen.add(cur)
            cur = by_code[cur].parent
    ordered: list[NodeRow] = []
    frontier = [(n, 0) for n in children.get("", [])]
    while frontier:
        level_nodes: list[tuple[NodeRow, int]] = []
        for node, depth in frontier:
            node.depth = depth
            ordered.append(node)
            level_nodes.extend((c, depth + 1) for c in children.get(node.code, []))
        frontier = level_nodes
    labels = dict(Level.choices)
    for node in ordered:
        if not node.level:
            if node.depth == 0:
                node.level = Level.ITEM
            elif children.get(node.code):
                node.level = Level.CONTENT
            else:
                node.level = Level.STANDARD
            node.level_name = node.level_name or str(labels[node.level])
    _validate_catalogue(parsed, city, by_code)
    return ordered


def _validate_catalogue(parsed: ParsedSystem, city: City, by_code: dict[str, NodeRow]) -> None:
    err = parsed.error
    catalogue = (
        (parsed.site_types, TYPE_SHEET, max_lengths(SiteType, 类型编码="code", 类型名称="name")),
        (
            parsed.check_items,
            CHECK_SHEET,
            max_lengths(CheckItem, 编号="code", 计量单位="unit_label"),
        ),
        (parsed.negatives, NEG_SHEET, max_lengths(NegativeListItem, 编号="code")),
    )
    fields = {"类型编码": "code", "类型名称": "name", "编号": "code", "计量单位": "unit_label"}
    for rows, sheet, limits in catalogue:
        for item in rows:
            for column, limit in limits.items():
                value = str(getattr(item, fields[column], "") or "")
                if len(value) > limit:
                    err(
                        item.row,
                        column,
                        f"长度 {len(value)} 个字符，超过上限 {limit} 个字符",
                        sheet,
                    )
    types: dict[str, Any] = {}
    for row in parsed.site_types:
        if row.code in types:
            err(row.row, "类型编码", f"类型编码「{row.code}」重复", TYPE_SHEET)
        types[row.code] = row
    known = {**{t.code: t.code for t in parsed.site_types}}
    known.update({t.name: t.code for t in parsed.site_types})
    for code, name in SiteType.objects.filter(city=city).values_list("code", "name"):
        known.setdefault(code, code)
        known.setdefault(name, code)
    seen: dict[str, int | None] = {}
    for item in parsed.check_items:
        if item.code in seen:
            err(
                item.row,
                "编号",
                f"检查项编号「{item.code}」与第 {seen[item.code]} 行重复",
                CHECK_SHEET,
            )
        seen[item.code] = item.row
        if item.site_type and item.site_type not in known:
            err(item.row, "点位类型", f"点位类型「{item.site_type}」不存在", CHECK_SHEET)
        item.site_type = known.get(item.site_type, item.site_type)
        for code in item.standards:
            if code not in by_code:
                err(item.row, "关联标准", f"关联标准「{code}」不存在", CHECK_SHEET)
    neg_seen: dict[str, int | None] = {}
    for neg in parsed.negatives:
        if neg.code in neg_seen:
            err(
                neg.row,
                "编号",
                f"负面清单编号「{neg.code}」与第 {neg_seen[neg.code]} 行重复",
                NEG_SHEET,
            )
        neg_seen[neg.code] = neg.row


def write_tree(system: EvaluationSystem, parsed: ParsedSystem, ordered: list[NodeRow]) -> int:
    """Bulk-create the validated tree, site types, checklists and negative list."""
    created: dict[str, Indicator] = {}
    by_depth: dict[int, list[NodeRow]] = defaultdict(list)
    sort = {id(n): i for i, n in enumerate(parsed.nodes)}
    for node in ordered:
        by_depth[node.depth].append(node)
    everything: list[Indicator] = []
    for depth in sorted(by_depth):
        batch = []
        for node in by_depth[depth]:
            batch.append(
                Indicator(
                    system=system,
                    parent=created.get(node.parent) if node.parent else None,
                    path="",
                    depth=depth,
                    sort=sort[id(node)],
                    level=node.level,
                    level_name=node.level_name[:20],
                    code=node.code,
                    title=node.title,
                    text=node.text,
                    clauses=node.clauses,
                    methods=node.methods,
                    method_tags=method_tags(node.methods, node.clauses),
                    search_text=search_text(node.code, node.title, node.text, node.clauses),
                    points=node.points,
                    weight=node.weight,
                    grade_rule=node.grade_rule,
                    negative=node.negative,
                    veto=node.veto,
                    city_added=node.city_added,
                    retired=node.retired,
                )
            )
        Indicator.objects.bulk_create(batch, batch_size=500)
        for obj, node in zip(batch, by_depth[depth], strict=True):
            parent = created.get(node.parent) if node.parent else None
            obj.path = child_path(parent, obj.pk)
            created[node.code] = obj
        everything.extend(batch)
    Indicator.objects.bulk_update(everything, ["path"], batch_size=500)
    _write_catalogue(system, parsed, created)
    return len(everything)


def _write_catalogue(
    system: EvaluationSystem, parsed: ParsedSystem, created: dict[str, Indicator]
) -> None:
    city = system.city
    types = {t.code: t for t in SiteType.objects.filter(city=city)}
    new_types, changed = [], []
    for i, row in enumerate(parsed.site_types):
        existing = types.get(row.code)
        if existing is None:
            obj = SiteType(
                city=city, code=row.code, name=row.name, description=row.description, sort=i
            )
            new_types.append(obj)
            types[row.code] = obj
        elif (existing.name, existing.description) != (row.name, row.description):
            existing.name, existing.description = row.name, row.description
            changed.append(existing)
    SiteType.objects.bulk_create(new_types)
    if changed:
        SiteType.objects.bulk_update(changed, ["name", "description"])
    items = [
        CheckItem(
            system=system,
            site_type=types[row.site_type],
            code=row.code,
            text=row.text,
            rule=row.rule,
            points=row.points,
            deduct=row.deduct,
            cap=row.cap,
            unit_label=row.unit_label,
            sort=i,
            city_added=row.city_added,
        )
        for i, row in enumerate(parsed.check_items)
    ]
    CheckItem.objects.bulk_create(items, batch_size=500)
    through = CheckItem.standards.through
    links = [
        through(checkitem_id=item.pk, indicator_id=created[code].pk)
        for item, row in zip(items, parsed.check_items, strict=True)
        for code in dict.fromkeys(row.standards)
    ]
    through.objects.bulk_create(links, batch_size=1000)
    NegativeListItem.objects.bulk_create(
        [
            NegativeListItem(
                system=system,
                code=row.code,
                text=row.text,
                sanction=row.sanction,
                points=row.points,
                note=row.note,
                sort=i,
                city_added=row.city_added,
            )
            for i, row in enumerate(parsed.negatives)
        ]
    )


def import_evaluation_system(
    city: City,
    file: IO[bytes] | bytes,
    *,
    fmt: str = "xlsx",
    name: str = "",
    version_year: int | None = None,
    city_level: str = "",
    kind: str = "",
    title: str = "",
    title_other: str = "",
    source: str = "",
    compare: bool = True,
    acting_user: Any,
) -> EvaluationSystem:
    """Import a new version as a draft next to the active one (and map old → new).

    Nothing is written unless the whole file is valid; every bad row or cell is named.
    """
    require_office(acting_user, city)
    parsed = parse_file(file, fmt)
    ordered = validate(parsed, city)
    meta = parsed.meta
    name = (name or meta.get("name") or "").strip()
    year = version_year or meta.get("version_year")
    kind = kind or meta.get("kind") or SystemKind.MAIN
    if not name:
        parsed.error(None, "名称", _("请填写版本名称"))
    if not year:
        parsed.error(None, "版本年份", _("请填写版本年份"))
    if kind not in SystemKind.values:
        parsed.error(None, "体系", _("未知的体系「%(kind)s」") % {"kind": kind})
    title = title or meta.get("title") or CityTitle.CIVILIZED
    title_other = (title_other or meta.get("title_other") or "").strip()[:50]
    if title not in CityTitle.values:
        parsed.error(None, "创建称号", _("未知的创建称号「%(title)s」") % {"title": title})
    elif title == CityTitle.OTHER and not title_other:
        parsed.error(None, "创建称号", _("创建称号为“其他”时请填写称号名称"))
    elif title != CityTitle.OTHER:
        title_other = ""
    if title != CityTitle.CIVILIZED and kind == SystemKind.MINORS:
        parsed.error(None, "体系", _("未成年人思想道德建设测评体系属于全国文明城市"))
    if not parsed.nodes and not parsed.errors:
        parsed.error(None, "", _("文件中没有任何测评指标"))
    if parsed.errors:
        sheets = list(dict.fromkeys(e.sheet for e in parsed.errors))
        parsed.errors.sort(key=lambda e: (sheets.index(e.sheet), e.row or 0))
        raise ImportFailed(parsed.errors)
    with transaction.atomic():
        previous = (
            EvaluationSystem.objects.filter(
                city=city,
                kind=kind,
                title=title,
                title_other=title_other,
                status=SystemStatus.ACTIVE,
            )
            .select_for_update()
            .first()
            if compare
            else None
        )
        system = EvaluationSystem.objects.create(
            city=city,
            name=name[:200],
            kind=kind,
            title=title,
            title_other=title_other,
            version_year=int(year),  # type: ignore[arg-type]
            city_level=city_level or meta.get("city_level") or city.level,
            source=source or meta.get("source") or "",
            status=SystemStatus.DRAFT,
            level_names=meta.get("level_names") or [],
            unofficial=bool(meta.get("unofficial")),
            weights=meta.get("weights") or {},
            previous=previous,
        )
        count = write_tree(system, parsed, ordered)
        mapped = 0
        if previous is not None:
            from .versions import build_mapping

            mapped = build_mapping(system)
        audit.record(
            "indicators.system.imported",
            system,
            actor=acting_user,
            city=city,
            after={
                "name": system.name,
                "title": system.title,
                "version_year": system.version_year,
                "format": fmt,
                "indicators": count,
                "check_items": len(parsed.check_items),
                "negative_items": len(parsed.negatives),
                "previous": previous.pk if previous else None,
                "mapped": mapped,
            },
            summary=f"导入测评体系「{system.name}」{count} 个节点",
        )
    return system


def load_evaluation_system(
    city: City,
    path: str | Path | None = None,
    *,
    activate: bool = False,
    acting_user: Any,
    **meta: Any,
) -> EvaluationSystem:
    """Load the shipped seed (default) or a file (.xlsx / .docx / .json) into ``city``."""
    file = Path(path) if path else SEED_PATH
    fmt = file.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ImportFailed(
            [
                RowError(
                    None,
                    "",
                    _("不支持的文件格式「%(file_suffix)s」") % {"file_suffix": file.suffix},
                )
            ]
        )
    system = import_evaluation_system(
        city, file.read_bytes(), fmt=fmt, acting_user=acting_user, **meta
    )
    if activate:
        from .versions import adopt_system

        adopt_system(system, acting_user=acting_user)
        system.refresh_from_db()
    return system
