from datetime import date
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator

from chuangwen.core.schemas import DbId, In, _date_in_range
from chuangwen.org.choices import Mechanism

from .models import MAX_PARTICIPANTS

DateIn = Annotated[date, AfterValidator(_date_in_range)]


class PairOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    community_id: int
    community_name: str = Field(..., alias="community.name")
    mechanisms: list[str]
    started_on: date | None
    ended_on: date | None
    end_reason: str
    note: str
    n_activities: int
    last_activity: date | None
    inactive: bool


class PairIn(In):
    unit_id: DbId = Field(..., description="共建单位编号（机关、企业、学校等）")
    community_id: DbId = Field(..., description="结对社区或行政村的单位编号")
    mechanisms: list[Mechanism] = Field([], max_length=6, description="六联机制")
    started_on: DateIn | None = None
    note: str = Field("", max_length=2000)


class PairEndIn(In):
    ended_on: DateIn | None = Field(None, description="结束日期，默认今天")
    reason: str = Field(..., min_length=1, max_length=300, description="结束原因")


class ActivityIn(In):
    kind: Mechanism = Field(..., description="六联类别")
    held_on: DateIn
    title: str = Field(..., min_length=1, max_length=200)
    participants: int = Field(..., ge=1, le=MAX_PARTICIPANTS, description="参与人数")
    result: str = Field("", max_length=2000, description="活动成效")


class ActivityOut(Schema):
    id: int
    pair_id: int
    kind: str
    kind_label: str
    held_on: date
    title: str
    participants: int
    result: str
    photo_ids: list[int]

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_photo_ids(obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]
