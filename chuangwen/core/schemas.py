from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, PlainSerializer, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    status_label: str
    done: int
    total: int
    percent: int
    result: dict[str, Any]
    error: str
    created_by_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


# --- shared API types: every number, id and date from outside is range-checked by its type ---

DB_INT_MAX = 2**63 - 1  # a bigint (ids): SQLite's INTEGER and PostgreSQL's bigint alike
SMALL_INT_MAX = 2**31 - 1  # an integer column on PostgreSQL (counts, ranks)
MIN_YEAR, MAX_YEAR = 1900, 2100  # dates the platform can mean: deadlines, observations

DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX, description="编号（正整数）")]
Count = Annotated[int, Field(ge=0, le=SMALL_INT_MAX)]
PageLimit = Annotated[int, Field(ge=1, le=1000, description="每页条数（1–1000）")]
PageOffset = Annotated[int, Field(ge=0, le=SMALL_INT_MAX, description="跳过条数")]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, description="经度")]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="纬度")]
Finite = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
# a Decimal (points, weights, targets) answered and documented as a JSON number, not a string
Number = Annotated[
    Decimal, PlainSerializer(float, return_type=float), WithJsonSchema({"type": "number"})
]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", str(_("不能包含空字符（\\x00）")))
    return value


def _date_in_range(value: date) -> date:
    year = value.year
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            year = value.astimezone(UTC).year
        except OverflowError:
            year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PydanticCustomError(
            "date_range",
            str(_("日期超出范围（%(lo)d–%(hi)d 年）") % {"lo": MIN_YEAR, "hi": MAX_YEAR}),
        )
    return value


# dates within the platform's years (a UTC conversion of year 1 or 9999 overflows)
DateTimeIn = Annotated[datetime, AfterValidator(_date_in_range)]


class In(Schema):
    """Base of every request body: no string field anywhere may carry a NUL character."""

    @field_validator("*", mode="after")
    @classmethod
    def _strings_without_nul(cls, value: Any) -> Any:
        if isinstance(value, str):
            _no_nul(value)
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, str):
                    _no_nul(v)
        return value


class ErrorOut(Schema):
    """The API's one error shape (a ``ServiceError.as_dict()``): a stable code, a Chinese message
    and, for bad parameters or rows, each one with its own message."""

    code: str
    message: str
    errors: list[dict[str, Any]] | None = None


class Paged(LimitOffsetPagination):
    """Limit/offset pages with both numbers bounded (a huge offset overflows the database)."""

    class Input(Schema):
        limit: PageLimit = 100
        offset: PageOffset = 0
