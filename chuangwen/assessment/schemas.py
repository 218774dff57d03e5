from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from chuangwen.core.schemas import DbId, In, Number

from .choices import (
    Disclosure,
    FindingSource,
    ItemKind,
    ListMode,
    PeriodKind,
    UnitGroup,
    UnitSanction,
)


class RoundOut(Schema):
    id: int
    title: str
    year: int
    as_of: datetime
    status: str
    system_id: int
    weights: dict
    field_score: float | None
    materials_score: float | None
    survey_score: float | None
    deductions: float
    annual_score: float | None
    minors_score: float | None
    overall_score: float | None
    cycle_score: float | None
    eligible: bool
    n_observations: int
    computed_at: datetime | None


class RiskOut(Schema):
    kind: str
    object_id: int
    label: str
    indicator_id: int | None
    indicator_code: str
    points: float
    unit_id: int | None


class UnitScoreOut(Schema):
    unit_id: int
    level: str
    index: float
    rank: int
    n_obs: int


class IndicatorScoreOut(Schema):
    indicator_id: int
    field_ratio: float | None
    materials_ratio: float | None
    ratio: float | None
    points: float
    earned: float
    n_obs: int


class CompareRoundOut(Schema):
    id: int
    title: str
    year: int


class CompareRowOut(Schema):
    key: str
    label: str
    path: str | None = None
    values: dict[int, float | None]
    series: list[float | None]


class CompareOut(Schema):
    rounds: list[CompareRoundOut]
    rows: list[CompareRowOut]


# --- unit assessment ---

Points = Annotated[Decimal, Field(ge=0, le=10000, max_digits=7, decimal_places=2)]
SignedPoints = Annotated[Decimal, Field(ge=-10000, le=10000, max_digits=7, decimal_places=2)]


class AssessmentQuantityOut(Schema):
    name: str
    call: str
    label: str
    definition: str
    doc: str
    is_rate: bool


class AssessmentSchemeItemOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    formula: str
    weight: Number
    min_volume: int
    description: str


class AssessmentSchemeOut(Schema):
    id: int
    name: str
    period_kind: str
    version: int
    status: str
    total: Number
    groups: list[str]
    list_mode: str
    list_size: int
    red_threshold: Number | None
    black_threshold: Number | None
    note: str
    activated_at: datetime | None


class AssessmentSchemeDetailOut(AssessmentSchemeOut):
    items: list[AssessmentSchemeItemOut]

    @staticmethod
    def resolve_items(obj: Any) -> Any:
        return list(obj.items.all())


class AssessmentSchemeIn(In):
    name: str = Field(min_length=1, max_length=100)
    period_kind: PeriodKind
    groups: list[UnitGroup] = Field(min_length=1, max_length=20)
    total: Points = Decimal(100)
    list_mode: ListMode = ListMode.COUNT
    list_size: int = Field(default=3, ge=0, le=100)
    red_threshold: Points | None = None
    black_threshold: Points | None = None
    note: str = Field(default="", max_length=2000)


class AssessmentItemIn(In):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=100)
    kind: ItemKind
    weight: Points
    formula: str = Field(default="", max_length=1000)
    min_volume: int = Field(default=0, ge=0, le=1_000_000)
    description: str = Field(default="", max_length=2000)


class AssessmentPeriodIn(In):
    kind: PeriodKind
    year: int = Field(ge=2000, le=2100)
    number: int | None = Field(default=None, ge=1, le=12, description="月份（1–12）或季度（1–4）")


class AssessmentPeriodOut(Schema):
    id: int
    label: str
    kind: str
    starts_on: date
    ends_on: date
    status: str
    disclosure: str
    scheme_id: int
    computed_at: datetime | None
    compute_count: int
    published_at: datetime | None
    n_units: int


class AssessmentComputeIn(In):
    reason: str = Field(default="", max_length=500, description="重新计算时必填，记入审计日志")


class AssessmentPublishIn(In):
    disclosure: Disclosure = Disclosure.OWN


class AssessmentResultOut(Schema):
    unit_id: int
    unit_name: str
    group: str
    status: str
    total: Number | None
    base: Number | None
    adjustments: Number
    deductions: Number
    vetoed: bool
    rank: int | None
    ranked_count: int
    list_kind: str
    explanation: str

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return obj.unit.name


class AssessmentScoreOut(Schema):
    item_id: int
    item_code: str
    item_name: str
    kind: str
    status: str
    value: Number | None
    points: Number
    max_points: Number
    volume: Number | None
    inputs: list[dict[str, Any]]
    explanation: str

    @staticmethod
    def resolve_item_code(obj: Any) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj: Any) -> str:
        return obj.item.name

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return obj.item.kind


class AssessmentUnitScoresOut(Schema):
    period_id: int
    unit_id: int
    unit_name: str
    results: list[AssessmentResultOut]
    scores: list[AssessmentScoreOut]


class AssessmentTrendOut(Schema):
    period_id: int
    label: str
    group: str
    total: Number | None
    rank: int | None
    ranked_count: int


class AssessmentListEntryOut(Schema):
    id: int
    period_id: int
    unit_id: int
    unit_name: str
    group: str
    kind: str
    rank: int | None
    total: Number | None
    status: str
    rectification: str
    submitted_at: datetime | None
    verified_at: datetime | None
    verify_note: str

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return obj.unit.name


class AssessmentRectifyIn(In):
    text: str = Field(min_length=1, max_length=5000)


class AssessmentVerifyIn(In):
    approved: bool
    note: str = Field(default="", max_length=500)


class AssessmentAdjustmentIn(In):
    item_id: DbId
    unit_id: DbId
    points: SignedPoints
    reason: str = Field(min_length=1, max_length=2000)


class AssessmentAdjustmentOut(Schema):
    id: int
    period_id: int
    item_id: int
    unit_id: int
    points: Number
    reason: str
    withdrawn_at: datetime | None


class AssessmentFindingOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    item_id: int
    item_code: str
    item_text: str
    source: str
    found_on: date
    description: str
    sanction: str
    points: Number
    status: str
    rectify_by: date | None
    rectified_at: datetime | None

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_item_code(obj: Any) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_text(obj: Any) -> str:
        return obj.item.text


class AssessmentFindingEventOut(Schema):
    at: datetime
    action: str
    from_state: str
    to_state: str
    note: str


class AssessmentFindingDetailOut(AssessmentFindingOut):
    events: list[AssessmentFindingEventOut]

    @staticmethod
    def resolve_events(obj: Any) -> Any:
        return list(obj.events.order_by("at", "id"))


class AssessmentFindingIn(In):
    unit_id: DbId
    item_id: DbId
    source: FindingSource
    sanction: UnitSanction
    description: str = Field(min_length=1, max_length=5000)
    found_on: date | None = None
    points: Annotated[Decimal, Field(ge=0, le=1000, max_digits=7, decimal_places=2)] | None = None
    rectify_by: date | None = None


class AssessmentNoteIn(In):
    note: str = Field(default="", max_length=2000)
