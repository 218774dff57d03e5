from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from chuangwen.core.schemas import DateTimeIn, DbId, In, Lat, Lon

# ==== volunteers ==============================================================================

Text50 = Annotated[str, Field(max_length=50)]
Text200 = Annotated[str, Field(max_length=200)]
Text300 = Annotated[str, Field(max_length=300)]


class VolunteerOut(Schema):
    id: int
    name: str
    masked_phone: str
    id_masked: str
    gender: str
    area_id: int
    area: str
    skills: list[str]
    total_minutes: int
    hours: float
    active: bool

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_masked_phone(obj) -> str:
        return obj.person.masked_phone

    @staticmethod
    def resolve_area(obj) -> str:
        return obj.area.name


class VolunteerMeOut(VolunteerOut):
    star: int
    star_label: str
    team_ids: list[int]


class VolunteerTeamOut(Schema):
    id: int
    name: str
    unit_id: int
    unit: str
    leader: str
    active: bool

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.name


class VolunteerTeamIn(In):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    unit_id: DbId
    leader: Text50 = ""
    contact: Annotated[str, Field(max_length=20)] = ""
    description: Annotated[str, Field(max_length=2000)] = ""


class VolunteerActivityOut(Schema):
    id: int
    title: str
    description: str
    organiser_kind: str
    team_id: int | None
    unit_id: int
    organiser: str
    place: str
    lon: float
    lat: float
    radius_m: int | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    signed_up: int
    status: str

    @staticmethod
    def resolve_organiser(obj) -> str:
        return obj.organiser_name

    @staticmethod
    def resolve_signed_up(obj) -> int:
        return getattr(obj, "n_signed", 0)


class VolunteerActivityIn(In):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    organiser_kind: Annotated[str, Field(max_length=10, description="team / unit / community")]
    team_id: DbId | None = None
    unit_id: DbId | None = None
    description: Annotated[str, Field(max_length=5000)] = ""
    place: Annotated[str, Field(min_length=1, max_length=200)]
    lon: Lon
    lat: Lat
    crs: Annotated[str, Field(max_length=10)] = "wgs84"
    starts_at: DateTimeIn
    ends_at: DateTimeIn
    capacity: Annotated[int, Field(ge=1, le=100_000)]
    radius_m: Annotated[int, Field(ge=10, le=5000)] | None = None
    contact: Text50 = ""


class VolunteerCheckIn(In):
    token: Annotated[str, Field(min_length=1, max_length=500, description="二维码链接中的签名")]
    lon: Lon | None = None
    lat: Lat | None = None
    crs: Annotated[str, Field(max_length=10)] = "wgs84"


class VolunteerAttendanceOut(Schema):
    id: int
    activity_id: int
    volunteer_id: int
    volunteer: str
    checked_in_at: datetime
    checked_out_at: datetime | None
    in_distance_m: float | None
    out_distance_m: float | None
    minutes: int | None
    confirmed_at: datetime | None

    @staticmethod
    def resolve_volunteer(obj) -> str:
        return obj.volunteer.person.name


class VolunteerCheckOut(Schema):
    action: str
    attendance: VolunteerAttendanceOut


class VolunteerConfirmIn(In):
    attendance_ids: Annotated[list[DbId], Field(max_length=10_000)] | None = None


class VolunteerRecordOut(Schema):
    id: int
    volunteer_id: int
    activity_id: int | None
    kind: str
    minutes: int
    started_at: datetime | None
    ended_at: datetime | None
    corrects_id: int | None
    note: str
    created_at: datetime


class VolunteerCorrectionIn(In):
    minutes: Annotated[int, Field(ge=-1440, le=1440)]
    reason: Annotated[str, Field(min_length=1, max_length=300)]
