from ninja import Schema


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    axis: str
    parent_id: int | None
    depth: int
    active: bool


class GridOut(Schema):
    id: int
    code: str
    name: str
    unit_id: int
    area_m2: float
    centroid_lon: float | None
    centroid_lat: float | None


class GridDetailOut(GridOut):
    geometry: dict
    worker_ids: list[int]


class MembershipOut(Schema):
    unit_id: int
    role: str


class PersonOut(Schema):
    id: int
    name: str
    masked_phone: str
    title: str
    memberships: list[MembershipOut]


class LocateOut(Schema):
    found: bool
    grid_id: int | None = None
    grid_code: str | None = None
    unit_id: int | None = None
    message: str = ""
