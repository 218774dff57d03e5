from datetime import datetime

from ninja import Schema


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
