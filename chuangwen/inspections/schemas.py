from datetime import date, datetime
from uuid import UUID

from ninja import Schema

from chuangwen.core.schemas import Count, DateTimeIn, DbId, Finite, In, Lat, Lon


class PlanOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    seed: int
    sample_sizes: dict
    stratify: bool
    system_id: int
    sampled_at: datetime | None


class PlanDetailOut(PlanOut):
    sampling: dict


class SampleOut(Schema):
    id: int
    site_id: int
    site_type_id: int
    district_id: int | None
    stratum: str
    rank: int


class InspectionCheckItemOut(Schema):
    id: int
    code: str
    text: str
    rule: str
    points: float | None
    deduct: float | None
    cap: float | None
    unit_label: str


class ResultIn(In):
    uuid: UUID
    sample_id: DbId
    check_item_id: DbId
    passed: bool | None = None
    value: Finite | None = None
    missing: Count | None = None
    count: Count | None = None
    total: Count | None = None
    duration_min: Finite | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    crs: str = "wgs84"
    note: str = ""
    observed_at: DateTimeIn | None = None
    photos: list[str] = []
    category_id: DbId | None = None


class ResultOut(Schema):
    id: int
    uuid: UUID
    created: bool
    score: float
    failed: bool
    case_id: int | None
    place: str = ""


class NoticeOut(Schema):
    id: int
    number: str
    title: str
    unit_id: int
    deadline: date
    status: str
    issued_at: datetime
    acknowledged_at: datetime | None


class ActionOut(Schema):
    id: int
    meeting_id: int
    text: str
    unit_id: int
    deadline: date
    status: str
    progress: str
