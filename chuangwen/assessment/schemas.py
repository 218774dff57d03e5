from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema

from chuangwen.core.schemas import MAX_YEAR, MIN_YEAR, DbId, In, Number

from .accountability import fact_links
from .choices import (
    AccountabilityKind,
    BulletinKind,
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

Points = Annotated[float, Field(ge=0, le=10000)]  # two decimals kept by the services
SignedPoints = Annotated[float, Field(ge=-10000, le=10000)]


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
    total: Points = 100
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
    points: Annotated[float, Field(ge=0, le=1000)] | None = None
    rectify_by: date | None = None


class AssessmentNoteIn(In):
    note: str = Field(default="", max_length=2000)


# --- accountability, submissions, bulletins ---------------------------------------------------

# a calendar date within the platform's years (core.schemas MIN_YEAR–MAX_YEAR)
AssessmentDate = Annotated[
    date, Field(ge=date(MIN_YEAR, 1, 1), le=date(MAX_YEAR, 12, 31), description="日期")
]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=20000)]


class AccountabilityFactOut(Schema):
    type: str
    type_label: str
    id: int | None
    label: str
    url: str


class AccountabilityOut(Schema):
    id: int
    kind: str
    unit_id: int
    unit_name: str
    title: str
    reason: str
    facts: list[AccountabilityFactOut]
    state: str
    rule: str
    decision: str
    referral_to: str
    decided_at: datetime | None
    response_due: date | None
    response: str
    responded_at: datetime | None
    follow_up: str
    followed_up_at: datetime | None
    closed_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_facts(obj) -> list[dict]:
        return fact_links(obj.facts)


class AccountabilityFactIn(In):
    type: Annotated[str, Field(max_length=20)]
    id: DbId


class AccountabilityIn(In):
    unit_id: DbId
    kind: AccountabilityKind
    title: ShortText
    reason: LongText = ""
    facts: Annotated[list[AccountabilityFactIn], Field(max_length=200)] = []


class AccountabilityDecideIn(In):
    decision: LongText
    response_due: AssessmentDate | None = None
    referral_to: Annotated[str, Field(max_length=100)] = ""


class AccountabilityNoteIn(In):
    note: LongText = ""


class ReportTemplateOut(Schema):
    id: int
    title: str
    period: str
    sections: list[dict]
    due_day: int
    unit_ids: list[int]
    active: bool

    @staticmethod
    def resolve_unit_ids(obj) -> list[int]:
        return [u.pk for u in obj.units.all()]


class SubmissionOut(Schema):
    id: int
    kind: str
    template_id: int | None
    period_start: date | None
    period_end: date | None
    due_on: date | None
    on_time: bool | None
    unit_id: int
    unit_name: str
    title: str
    sections: list[dict]
    body: str
    status: str
    first_submitted_at: datetime
    submitted_at: datetime
    score: int | None
    comment: str
    reviewed_at: datetime | None
    photo_ids: list[int]

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_photo_ids(obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class SubmissionReportIn(In):
    template_id: DbId
    unit_id: DbId
    period_start: AssessmentDate
    texts: Annotated[list[LongText], Field(max_length=20)]


class SubmissionReviewIn(In):
    approve: bool
    score: Annotated[int, Field(ge=0, le=100)] | None = None
    comment: LongText


class ReportTimelinessOut(Schema):
    unit_id: int
    on_time: int
    due: int


class BulletinOut(Schema):
    id: int
    kind: str
    title: str
    period_start: date
    period_end: date
    status: str
    number: str
    auto: bool
    issued_at: datetime | None


class BulletinSectionOut(Schema):
    id: int
    code: str
    order: int
    title: str
    included: bool
    text: str
    figures: list[dict]
    table: dict
    photos: list[dict]


class BulletinReceiptOut(Schema):
    unit_id: int
    signed_at: datetime | None


class BulletinDetailOut(BulletinOut):
    issuer: str
    sections: list[BulletinSectionOut]
    receipts: list[BulletinReceiptOut]

    @staticmethod
    def resolve_sections(obj) -> list:
        return list(obj.sections.all())

    @staticmethod
    def resolve_receipts(obj) -> list:
        return list(obj.receipts.all())


class BulletinDraftIn(In):
    kind: BulletinKind
    start: AssessmentDate
    end: AssessmentDate


class BulletinSectionPatch(In):
    title: ShortText | None = None
    text: LongText | None = None
    included: bool | None = None
    chosen_photos: (
        Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=100)] | None
    ) = None


class BulletinIssueIn(In):
    prefix: Annotated[str, Field(max_length=20)] = ""
    seq: Annotated[int, Field(ge=1, le=99999)] | None = None
    issuer: Annotated[str, Field(max_length=100)] = ""
    recipient_ids: Annotated[list[DbId], Field(max_length=1000)] | None = None


class BulletinSignOut(Schema):
    signed: int
