from ninja import Field, Schema

from chuangwen.core.schemas import DbId, In, Number


class SystemOut(Schema):
    id: int
    name: str
    kind: str
    version_year: int
    city_level: str
    status: str
    title: str
    title_label: str
    unofficial: bool
    source: str
    level_names: list
    weights: dict
    previous_id: int | None


class ClauseOut(Schema):
    no: str
    text: str
    methods: list[str]


class IndicatorOut(Schema):
    id: int
    system_id: int
    parent_id: int | None
    depth: int
    level: str
    level_name: str
    code: str
    title: str
    text: str
    clauses: list[ClauseOut]
    methods: list[str]
    points: Number | None
    weight: Number | None
    grade_rule: dict
    negative: bool
    veto: bool
    city_added: bool
    retired: bool


class StandardRefOut(Schema):
    id: int
    code: str
    title: str


class IndicatorCheckItemOut(Schema):
    id: int
    code: str
    site_type_id: int
    text: str
    rule: str
    points: Number | None
    deduct: Number | None
    cap: Number | None
    unit_label: str
    city_added: bool
    standards: list[StandardRefOut]


class SiteTypeOut(Schema):
    id: int
    code: str
    name: str
    description: str
    city_added: bool


class ChecklistOut(SiteTypeOut):
    items: list[IndicatorCheckItemOut]


class NegativeItemOut(Schema):
    id: int
    code: str
    text: str
    sanction: str
    points: Number | None
    note: str


class DiffRowOut(Schema):
    kind: str
    old_id: int | None
    old_code: str | None
    new_id: int | None
    new_code: str | None
    title: str
    detail: str


class DiffOut(Schema):
    system_id: int
    previous_id: int | None
    counts: dict[str, int]
    rows: list[DiffRowOut]


class LinkedStandardOut(Schema):
    id: int
    code: str
    title: str
    system_id: int
    system_name: str = Field(..., alias="system.name")
    system_title: str = Field(..., alias="system.title")


class LinkOut(Schema):
    id: int
    a: LinkedStandardOut
    b: LinkedStandardOut
    note: str


class LinkIn(In):
    a_id: DbId = Field(..., description="一个体系的测评标准编号")
    b_id: DbId = Field(..., description="另一体系的测评标准编号")
    note: str = Field("", max_length=300)
