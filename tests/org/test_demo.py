import shapely
from django.db import transaction
from shapely.geometry import shape

from chuangwen.org.choices import Role, UnitKind
from chuangwen.org.demo import build_demo_city
from chuangwen.org.models import Grid, Membership, Pair, Person, Unit
from chuangwen.org.services import locate_point


def test_demo_city_shape_and_tiling(db):
    s = build_demo_city(seed=7)
    city = s.city
    kinds = dict(
        (k, Unit.objects.filter(city=city, kind=k).count())
        for k in [
            UnitKind.DISTRICT,
            UnitKind.STREET,
            UnitKind.COMMUNITY,
            UnitKind.DEPARTMENT,
            UnitKind.SUB_COMMAND,
            UnitKind.IMPLEMENTING_BODY,
        ]
    )
    assert kinds == {
        "district": 6,
        "street": 40,
        "community": 300,
        "department": 60,
        "sub_command": 10,
        "implementing_body": 4,
    }
    assert Person.objects.filter(city=city).count() == 2000
    assert Pair.objects.filter(city=city).count() == 100
    roles = set(Membership.objects.filter(person__city=city).values_list("role", flat=True))
    assert roles == set(Role.values)
    # every street has communities, every community grids, every grid a worker
    assert not Unit.objects.filter(city=city, kind=UnitKind.STREET, children__isnull=True).exists()
    assert Grid.objects.filter(city=city, workers__isnull=True).count() == 0
    geoms = [shape(g) for g in Grid.objects.filter(city=city).values_list("geometry", flat=True)]
    assert len(geoms) == 3000 and all(g.is_valid for g in geoms)
    union = shapely.union_all(geoms)
    # no gaps: the union is one hole-free polygon; no overlaps: areas add up to the union's
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    assert abs(sum(g.area for g in geoms) - union.area) < union.area * 1e-9
    # grids nest inside their community's street's district
    grid = Grid.objects.select_related("unit__parent__parent").first()
    assert grid.unit.kind == "community" and grid.unit.parent.parent.kind == "district"
    hit = locate_point(city, grid.centroid_lon, grid.centroid_lat)
    assert hit is not None and hit.grid_id == grid.pk


class _Rollback(Exception):
    pass


def _fingerprint(seed):
    s = build_demo_city(seed=seed)
    units = list(Unit.objects.filter(city=s.city).order_by("code").values_list("code", "name"))
    grids = list(
        Grid.objects.filter(city=s.city).order_by("code").values_list("geometry", flat=True)
    )
    people = list(
        Person.objects.filter(city=s.city)
        .order_by("user__username")
        .values_list("user__username", "name", "phone")
    )
    return units, grids[::97], people[::53]


def test_demo_city_is_reproducible(db):
    results = []
    for seed in (3, 3, 4):
        try:
            with transaction.atomic():
                results.append(_fingerprint(seed))
                raise _Rollback
        except _Rollback:
            pass
    assert results[0] == results[1]
    assert results[0] != results[2]
