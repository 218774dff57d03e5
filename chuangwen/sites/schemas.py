from ninja import Schema


class SiteOut(Schema):
    id: int
    code: str
    name: str
    site_type_id: int
    geometry_kind: str
    lon: float
    lat: float
    length_m: float
    area_m2: float
    address: str
    grid_id: int | None
    area_unit_id: int | None
    district_id: int | None
    owner_id: int | None
    active: bool


class AssignmentOut(Schema):
    unit_id: int
    role: str


class SiteDetailOut(SiteOut):
    geometry: dict
    attributes: dict
    assignments: list[AssignmentOut]
