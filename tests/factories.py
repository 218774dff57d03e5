"""Test data through the services (so every object is made the way the product makes it)."""

import itertools
from typing import Any

from chuangwen.org import services as org
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role, UnitKind
from chuangwen.org.models import City, Grid, Person, Unit

_seq = itertools.count(1)
PASSWORD = "Vq3!lantern-Ox9"


def square(x0: float, y0: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON square polygon with its south-west corner at (x0, y0)."""
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def city(code: str | None = None, name: str = "测试市") -> City:
    n = next(_seq)
    return org.create_city(
        code=code or f"c{n}", name=name, center=(113.0, 28.0), acting_user=SYSTEM
    )


def unit(
    city: City,
    kind: str = UnitKind.DEPARTMENT,
    parent: Unit | None = None,
    name: str | None = None,
    code: str | None = None,
) -> Unit:
    n = next(_seq)
    return org.create_unit(
        city,
        code=code or f"U{n}",
        name=name or f"单位{n}",
        kind=kind,
        parent=parent,
        acting_user=SYSTEM,
    )


def person(
    city: City,
    unit: Unit | None = None,
    role: str = Role.UNIT_LIAISON,
    username: str | None = None,
    name: str = "张三",
) -> Person:
    n = next(_seq)
    memberships = [(unit, role)] if unit is not None else []
    return org.create_person(
        city,
        name=name,
        username=username or f"user{n}",
        phone=f"138{n:08d}",
        password=PASSWORD,
        memberships=memberships,
        acting_user=SYSTEM,
    )


def grid(
    city: City,
    unit: Unit,
    x0: float = 113.0,
    y0: float = 28.0,
    size: float = 0.01,
    code: str | None = None,
) -> Grid:
    n = next(_seq)
    return org.create_grid(
        city, code=code or f"G{n}", unit=unit, geometry=square(x0, y0, size), acting_user=SYSTEM
    )


class SmallCity:
    """A city of two districts with a street and community each, a department, people in every
    role and one grid per community — enough for every scope and permission check."""

    def __init__(self) -> None:
        self.city = city()
        c = self.city
        self.hq = unit(c, UnitKind.HQ, name="指挥部")
        self.dept = unit(c, UnitKind.DEPARTMENT, parent=self.hq, name="城管局")
        self.district_a = unit(c, UnitKind.DISTRICT, parent=self.hq, name="甲区")
        self.street_a = unit(c, UnitKind.STREET, parent=self.district_a, name="甲街道")
        self.community_a = unit(c, UnitKind.COMMUNITY, parent=self.street_a, name="甲社区")
        self.district_b = unit(c, UnitKind.DISTRICT, parent=self.hq, name="乙区")
        self.street_b = unit(c, UnitKind.STREET, parent=self.district_b, name="乙街道")
        self.community_b = unit(c, UnitKind.COMMUNITY, parent=self.street_b, name="乙社区")
        self.grid_a = grid(c, self.community_a, 113.0, 28.0)
        self.grid_b = grid(c, self.community_b, 113.01, 28.0)
        self.office = person(c, self.hq, Role.OFFICE_ADMIN, name="管理员")
        self.leader = person(c, self.hq, Role.LEADER, name="领导")
        self.liaison_a = person(c, self.district_a, Role.UNIT_LIAISON, name="甲区联络员")
        self.liaison_b = person(c, self.district_b, Role.UNIT_LIAISON, name="乙区联络员")
        self.dept_liaison = person(c, self.dept, Role.UNIT_LIAISON, name="城管联络员")
        self.grid_worker_a = person(c, self.community_a, Role.GRID_WORKER, name="甲网格员")
        self.citizen = person(c, self.community_a, Role.CITIZEN, name="市民")
