"""API schemas of part B (class names prefixed ``Moral`` / ``Selection``: globally unique)."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from chuangwen.core.schemas import DbId, In, Number

Points = Annotated[int, Field(ge=1, le=1_000_000, description="积分（正整数）")]


class MoralBankOut(Schema):
    id: int
    name: str
    community_id: int
    community_name: str
    active: bool

    @staticmethod
    def resolve_community_name(obj) -> str:
        return obj.community.name


class MoralAccountOut(Schema):
    id: int
    number: str
    bank_id: int
    holder_name: str
    person_id: int | None
    household_id: int | None
    balance: int


class MoralEntryOut(Schema):
    id: int
    at: datetime
    amount: int
    kind: str
    note: str
    outlet: str | None

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.txn.kind

    @staticmethod
    def resolve_note(obj) -> str:
        return obj.txn.note

    @staticmethod
    def resolve_outlet(obj) -> str | None:
        return obj.txn.outlet.name if obj.txn.outlet_id else None


class MoralTxnOut(Schema):
    id: int
    bank_id: int
    kind: str
    holder_id: int
    outlet_id: int | None
    amount: int
    note: str
    at: datetime


class MoralCodeOut(Schema):
    account_id: int
    code: str
    valid_until: datetime


class MoralRedeemIn(In):
    outlet_id: DbId
    code: str = Field(max_length=40, description="持有人出示的积分码")
    points: Points
    key: str = Field(min_length=1, max_length=100, description="本次兑换的唯一编号（重试时不变）")
    note: str = Field("", max_length=200, description="兑换内容")


class MoralRedeemOut(Schema):
    transaction: MoralTxnOut
    created: bool
    balance: int


class MoralModelOut(Schema):
    id: int
    kind: str
    category: str
    level: str
    year: int
    name: str
    title: str
    status: str
    notice_ends: date | None
    published_at: datetime | None


class SelectionOut(Schema):
    id: int
    kind_id: int
    category: str
    holder_name: str
    unit_id: int | None
    year: int
    level: str
    status: str
    score: Number | None
    awarded_on: date | None
    next_review_on: date | None

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.kind.category


class SelectionProposalOut(Schema):
    id: int
    selection_id: int
    source: str
    ref: str
    reason: str
    status: str
    created_at: datetime
