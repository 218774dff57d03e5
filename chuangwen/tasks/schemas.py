from datetime import date, datetime

from ninja import Field, Schema

from chuangwen.core.schemas import DbId, In, Number


class UnitRef(Schema):
    id: int
    code: str
    name: str


class TaskOut(Schema):
    id: int
    indicator_id: int
    indicator_code: str
    indicator_title: str
    lead_unit: UnitRef
    supporting_units: list[UnitRef]
    content: str
    target: str
    deadline: date | None
    status: str
    overdue: bool
    source: str

    @staticmethod
    def resolve_indicator_code(obj) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_indicator_title(obj) -> str:
        return obj.indicator.title

    @staticmethod
    def resolve_supporting_units(obj) -> list:
        return list(obj.supporting_units.all())

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue


class EvidenceOut(Schema):
    id: int
    original_name: str
    kind: str
    size: int
    sha256: str


class TaskReportOut(Schema):
    id: int
    task_id: int
    unit_id: int
    text: str
    complete: bool
    status: str
    review_comment: str
    created_at: datetime
    files: list[EvidenceOut]

    @staticmethod
    def resolve_files(obj) -> list:
        return list(obj.files.all())


class ReviewIn(In):
    accept: bool
    comment: str = ""


class BattleMapItem(Schema):
    id: int
    indicator_code: str
    lead_unit: str
    deadline: date | None
    status: str


class BattleMapOut(Schema):
    counts: dict[str, int]
    items: list[BattleMapItem]


class MetricOut(Schema):
    id: int
    indicator_id: int
    name: str
    formula: str
    unit_label: str
    target: Number | None
    value: Number | None = None
    error: str = ""
    at: datetime | None = None


class FormulaIn(In):
    formula: str


class FormulaOut(Schema):
    valid: bool
    message: str = ""
    value: Number | None = None


class TaskStandardOut(Schema):
    indicator_id: int
    code: str = Field(..., alias="indicator.code")
    title: str = Field(..., alias="indicator.title")
    system_id: int = Field(..., alias="indicator.system_id")
    system_title: str = Field(..., alias="indicator.system.title")
    from_link: bool


class TaskStandardsIn(In):
    indicator_ids: list[DbId] = Field(
        ..., max_length=50, description="同时服务的其他体系测评标准（整体替换）"
    )
