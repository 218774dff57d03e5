"""Excel exports of the organisation tables, in the same columns the imports read."""

import json

from django.db.models import QuerySet

from chuangwen.core.xlsx import Sheet, write_workbook

from .models import Grid, Membership, Person, Unit
from .services import GRID_COLUMNS, PERSON_COLUMNS, UNIT_COLUMNS


def export_units(units: QuerySet[Unit]) -> bytes:
    rows = (
        (
            u.code,
            u.name,
            u.parent.code if u.parent else "",
            u.get_kind_display(),
            u.get_axis_display() if u.axis else "",
        )
        for u in units.select_related("parent").order_by("path")
    )
    return write_workbook([Sheet("单位", UNIT_COLUMNS, rows, widths=[16, 36, 16, 12, 8])])


def export_people(people: QuerySet[Person]) -> bytes:
    memberships = (
        Membership.objects.filter(person__in=people)
        .select_related("person__user", "unit")
        .order_by("person__name", "person_id", "unit__path")
    )
    rows = (
        (
            m.person.user.username,
            m.person.name,
            m.person.masked_phone,  # masked as on the people pages (PIPL)
            m.person.title,
            m.unit.code,
            m.get_role_display(),
        )
        for m in memberships
    )
    return write_workbook([Sheet("人员", PERSON_COLUMNS, rows, widths=[18, 12, 14, 16, 16, 14])])


def export_grids(grids: QuerySet[Grid]) -> bytes:
    workers: dict[int, list[str]] = {}
    through = Grid.workers.through.objects.filter(grid__in=grids).values_list(
        "grid_id", "person__user__username"
    )
    for grid_id, username in through:
        workers.setdefault(grid_id, []).append(username)
    rows = (
        (
            g.code,
            g.name,
            g.unit.code,
            json.dumps(g.geometry, ensure_ascii=False),
            ",".join(sorted(workers.get(g.pk, []))),
        )
        for g in grids.select_related("unit").order_by("code")
    )
    return write_workbook([Sheet("网格", GRID_COLUMNS, rows, widths=[16, 20, 16, 60, 30])])
