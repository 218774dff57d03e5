from datetime import date, datetime
from uuid import UUID

from ninja import Schema


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


class CheckItemOut(Schema):
    id: int
    code: str
    text: str
    rule: str
    points: float | None
    deduct: float | None
    cap: float | None
    unit_label: str


class ResultIn(Schema):
    uuid: UUID
    sample_id: int
    check_item_id: int
    passed: bool | None = None
    value: float | None = None
    missing: int | None = None
    count: int | None = None
    total: int | None = None
    duration_min: float | None = None
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    note: str = ""
    observed_at: datetime | None = None
    photos: list[str] = []
    category_id: int | None = None


class ResultOut(Schema):
    id: int
    uuid: UUID
    created: bool
    score: float
    failed: bool
    case_id: int | None


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
