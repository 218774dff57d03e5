from datetime import datetime

from ninja import Field, Schema

from chuangwen.core.schemas import DateTimeIn, DbId, In, Lat, Lon


class CaseOut(Schema):
    id: int
    number: str
    source: str
    state: str
    resolution: str
    category_code: str | None = None
    description: str
    address: str
    lon: float | None
    lat: float | None
    place: str = ""
    grid_id: int | None
    unit_id: int | None
    reported_at: datetime
    dispatched_at: datetime | None
    deadline: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    is_overdue: bool
    rework_count: int
    report_count: int
    rating: int | None

    @staticmethod
    def resolve_category_code(obj) -> str | None:
        return obj.category.code if obj.category_id else None


class EventOut(Schema):
    at: datetime
    action: str
    from_state: str
    to_state: str
    note: str
    actor_id: int | None


class CaseReportOut(Schema):
    id: int
    source: str
    tracking_code: str
    reported_at: datetime
    masked_name: str
    masked_phone: str
    rating: int | None


class PhotoOut(Schema):
    id: int
    kind: str
    width: int
    height: int
    exif_lon: float | None
    exif_lat: float | None


class CaseDetailOut(CaseOut):
    events: list[EventOut]
    reports: list[CaseReportOut]
    photos: list[PhotoOut]


class CaseIn(In):
    source: str = ""  # empty: the default for the caller's role; an external id is refused
    description: str = ""
    category: str | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    crs: str = "wgs84"
    address: str = ""
    external_id: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""


class IntakeOut(Schema):
    case_id: int
    number: str
    tracking_code: str
    merged: bool


class NoteIn(In):
    note: str = ""


class RegisterIn(NoteIn):
    category: str | None = None


class RejectIn(In):
    reason: str
    duplicate_of: DbId | None = None


class DispatchIn(NoteIn):
    unit_id: DbId | None = None
    category: str | None = None
    deadline: DateTimeIn | None = None


class ReasonIn(In):
    reason: str


class CloseIn(NoteIn):
    resolution: str = "fixed"


class ExtensionIn(In):
    until: DateTimeIn
    reason: str


class DecideIn(NoteIn):
    approve: bool
    until: DateTimeIn | None = None


class ExtensionOut(Schema):
    id: int
    case_id: int
    status: str
    requested_deadline: datetime
    reason: str


class RateIn(In):
    rating: int = Field(ge=1, le=5)
    comment: str = ""


class InboxOut(Schema):
    to_dispatch: int
    to_handle: int
    to_verify: int
    to_close: int
    overdue: int
    extensions: int
    unread: int


class CategoryOut(Schema):
    id: int
    code: str
    family: str
    major_code: str
    major_name: str
    minor_code: str
    name: str
    deadline_value: int
    deadline_unit: str
    deadline_working: bool
    department_id: int | None
    city_added: bool


class UnitStateOut(Schema):
    unit_id: int
    unit: str
    total: int
    states: dict[str, int]
