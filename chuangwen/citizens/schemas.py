"""API schemas of the citizens app (class names prefixed ``Citizens``/by concept, globally
unique). Part B: rounds, votes, campaigns, budgets, rankings, 问政."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from chuangwen.core.schemas import DateTimeIn, DbId, In, Number

Title = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=2000)]
Short = Annotated[str, Field(max_length=300)]
Money = Annotated[float, Field(ge=-999_999_999_999, le=999_999_999_999, allow_inf_nan=False)]
Percent = Annotated[int, Field(ge=0, le=100)]


# --- rounds and votes ------------------------------------------------------------------------


class VoteRoundOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    opens_at: datetime | None
    closes_at: datetime
    closed_at: datetime | None
    published_at: datetime | None
    max_choices: int
    select_count: int


class VoteRoundIn(In):
    kind: Annotated[str, Field(max_length=20)] = "top10"
    title: Title
    description: Text = ""
    opens_at: DateTimeIn | None = None
    closes_at: DateTimeIn
    max_choices: Annotated[int, Field(ge=1, le=30)] = 10
    select_count: Annotated[int, Field(ge=1, le=100)] = 10
    burst_limit: Annotated[int, Field(ge=1, le=10_000)] = 20
    unverified_alert: Percent = 60


class VoteCandidateIn(In):
    title: Title
    description: Text = ""
    source_note: Short = ""


class VoteCandidateFromTopicIn(In):
    topic_id: Annotated[int, Field(ge=1, le=2_147_483_647)]


class VoteCandidateOut(Schema):
    id: int
    title: str
    description: str
    source_note: str
    site_id: int | None
    topic_id: int | None
    votes: int
    score: float | None
    rank: int | None
    selected: bool


class VoteTallyOut(Schema):
    candidate_id: int
    title: str
    votes: int
    score: float | None
    satisfaction: float | None


class VoteIntegrityOut(Schema):
    total: int
    counted: int
    flagged: int
    void: int
    unverified: int
    unverified_share: float
    unverified_alarm: bool
    late: int


class VoteRoundDetailOut(VoteRoundOut):
    description: str
    publish_note: str
    candidates: list[VoteCandidateOut]
    tally: list[VoteTallyOut]
    integrity: VoteIntegrityOut


class VotePublishIn(In):
    selected: Annotated[list[DbId], Field(max_length=100)] | None = None
    note: Text = ""
    confirm_unverified: bool = False


class BallotChoiceIn(In):
    candidate_id: DbId
    score: Annotated[int, Field(ge=1, le=5)] | None = None


class BallotIn(In):
    phone: Annotated[str, Field(min_length=1, max_length=20)]
    device_id: Annotated[str, Field(min_length=8, max_length=64)]
    choices: Annotated[list[BallotChoiceIn], Field(min_length=1, max_length=30)]


class BallotOut(Schema):
    id: int
    round_id: int
    verified: bool
    status: str


# --- campaigns --------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    kind: str
    sector: str
    title: str
    status: str
    lead_unit_id: int
    target_text: str
    target_value: Number
    target_unit: str
    baseline_value: Number | None
    current_value: Number | None
    starts_on: date
    ends_on: date
    progress_mode: str
    candidate_id: int | None
    site_id: int | None
    progress: int = 0


class CampaignMilestoneOut(Schema):
    id: int
    title: str
    deadline: date
    weight: Number
    status: str
    progress: int | None


class CampaignProgressPartOut(Schema):
    label: str
    weight: Number
    percent: int
    basis: str
    milestone_id: int | None


class BudgetLineOut(Schema):
    id: int
    source: str
    allocated: Number
    adjusted: Number
    available: Number
    committed: Number
    spent: Number


class CampaignDetailOut(CampaignOut):
    description: str
    supporting_unit_ids: list[int]
    milestones: list[CampaignMilestoneOut]
    parts: list[CampaignProgressPartOut]
    budget: list[BudgetLineOut]


class CampaignIn(In):
    kind: Annotated[str, Field(max_length=20)]
    sector: Annotated[str, Field(max_length=20)] = ""
    title: Title
    description: Text = ""
    lead_unit_id: DbId
    supporting_unit_ids: Annotated[list[DbId], Field(max_length=200)] = []
    target_text: Annotated[str, Field(min_length=1, max_length=300)]
    target_value: Money
    target_unit: Annotated[str, Field(min_length=1, max_length=20)]
    baseline_value: Money | None = None
    starts_on: date
    ends_on: date
    progress_mode: Annotated[str, Field(max_length=10)] = "average"
    candidate_id: DbId | None = None
    site_id: DbId | None = None


class CampaignMilestoneIn(In):
    title: Title
    deadline: date
    weight: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)] = 1


class CampaignReportIn(In):
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    milestone_id: DbId | None = None
    progress: Percent | None = None
    current_value: Money | None = None
    photo_kind: Annotated[str, Field(max_length=10)] = "progress"
    photos: Annotated[list[Annotated[str, Field(max_length=15_000_000)]], Field(max_length=6)] = []


class CampaignReportOut(Schema):
    id: int
    campaign_id: int
    milestone_id: int | None
    unit_id: int | None
    text: str
    progress: int | None
    reported_at: datetime


class BudgetEntryIn(In):
    source: Annotated[str, Field(max_length=20)]
    kind: Annotated[str, Field(max_length=10)]
    amount: Money
    on: date
    note: Annotated[str, Field(min_length=1, max_length=300)]


class BudgetEntryOut(Schema):
    id: int
    kind: str
    amount: Number
    on: date
    note: str


class BudgetChangeIn(In):
    source: Annotated[str, Field(max_length=20)]
    amount: Money
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class BudgetChangeOut(Schema):
    id: int
    campaign_id: int
    amount: Number
    reason: str
    status: str
    decision_note: str


class BudgetDecisionIn(In):
    approve: bool
    note: Short = ""


# --- compounds --------------------------------------------------------------------------------


class CompoundRankingOut(Schema):
    id: int
    round_id: int
    title: str
    status: str

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.round.title

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.round.status

    site_type_id: int
    period_start: date
    period_end: date
    min_votes: int
    min_checks: int


class CompoundScoreOut(Schema):
    site_id: int
    name: str
    checks: int
    check_rate: float | None
    votes: int
    vote_rate: float | None
    cases: int
    closed: int
    closure_rate: float | None
    score: float | None
    eligible: bool
    rank: int | None
    verdict: str
    was_worst: bool


# --- 问政 -----------------------------------------------------------------------------------


class WenzhengEpisodeIn(In):
    aired_on: date
    programme: Annotated[str, Field(min_length=1, max_length=100)]
    topic: Title
    note: Text = ""


class WenzhengEpisodeOut(Schema):
    id: int
    aired_on: date
    programme: str
    topic: str


class CommitmentIn(In):
    unit_id: DbId
    official: Annotated[str, Field(min_length=1, max_length=100)]
    content: Annotated[str, Field(min_length=1, max_length=2000)]
    due_on: date | None = None
    exposure_id: DbId | None = None


class CommitmentOut(Schema):
    id: int
    episode_id: int
    unit_id: int
    official: str
    content: str
    due_on: date
    status: str
    overdue: bool
    done_at: datetime | None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return bool(obj.is_overdue)


class CommitmentFollowUpIn(In):
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    done: bool = False


class CommitmentFollowUpOut(Schema):
    id: int
    commitment_id: int
    text: str
    status_after: str
    at: datetime
