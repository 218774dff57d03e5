from datetime import datetime

from ninja import Field, Schema

from chuangwen.core.schemas import DbId, In, Lat, Lon

from .models import MAX_TEXT


class SuggestionOut(Schema):
    id: int
    number: str
    source: str
    text: str
    place: str
    contact_name: str
    contact_phone: str = Field(..., alias="masked_phone")  # masked: 138****5678
    submitted_at: datetime
    status: str
    reply: str
    like_count: int


class SuggestionIn(In):
    text: str = Field(..., min_length=1, max_length=MAX_TEXT)
    place: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    lon: Lon | None = None
    lat: Lat | None = None


class StatusIn(In):
    status: str = Field(..., max_length=10)
    reply: str = Field("", max_length=MAX_TEXT)


class TopicOut(Schema):
    id: int
    name: str
    place: str
    keywords: list[str]
    status: str
    locked: bool
    heat: float
    people: int
    messages: int
    likes: int
    first_at: datetime | None
    last_at: datetime | None


class TopicItemOut(Schema):
    id: int
    suggestion_id: int | None
    case_id: int | None


class TopicDetailOut(TopicOut):
    items: list[TopicItemOut]


class RenameIn(In):
    name: str = Field(..., min_length=1, max_length=100)


class MergeIn(In):
    others: list[DbId] = Field(..., min_length=1, max_length=100)


class SplitIn(In):
    name: str = Field(..., min_length=1, max_length=100)
    items: list[DbId] = Field(..., min_length=1, max_length=500)


class SuggestIn(In):
    text: str = Field(..., min_length=1, max_length=2000)


class CategoryHintOut(Schema):
    code: str
    name: str
    confidence: float
    unit: str


class ModelOut(Schema):
    id: int
    version: int
    active: bool
    macro_f1: float
    accuracy: float
    n_train: int
    n_test: int
    train_seconds: float
    class_counts: dict[str, int]
    per_class_f1: dict[str, float]
    created_at: datetime
