"""Every write of the citizens app. Import from here (``from chuangwen.citizens import
services``).

Part B — the modules each own one concern:

- ``votes``: rounds of public votes (the 10 things, compound scores, satisfaction re-votes),
  candidates, casting a ballot once per person, reviewing flagged ballots, publishing;
- ``campaigns``: campaigns (专项整治), milestones, links, progress reports and photos, budgets
  and budget changes, acceptance with before/after evidence and the re-vote;
- ``compounds``: best/worst compound rankings and the worst compounds' rectification;
- ``wenzheng``: 问政 episodes, exposed problems (cases through intake) and commitments.
"""

from .campaigns import (
    add_milestone,
    close_campaign,
    create_campaign,
    decide_budget_change,
    link_cases,
    link_sites,
    link_tasks,
    record_budget_entry,
    reopen_campaign,
    request_budget_change,
    set_budget,
    set_milestone_status,
    start_campaign,
    submit_for_acceptance,
    submit_report,
    unlink,
    update_campaign,
)
from .compounds import compound_types, compute_scores, create_ranking, publish_ranking
from .votes import (
    Voter,
    add_candidate,
    add_candidate_from_topic,
    cast_vote,
    close_round,
    create_round,
    device_key,
    integrity,
    normalise_phone,
    open_round,
    publish_round,
    remove_candidate,
    review_votes,
    tally,
)
from .wenzheng import create_episode, expose_problem, follow_up, make_commitment, review_commitment

__all__ = [
    "Voter",
    "add_candidate",
    "add_candidate_from_topic",
    "add_milestone",
    "cast_vote",
    "close_campaign",
    "close_round",
    "compound_types",
    "compute_scores",
    "create_campaign",
    "create_episode",
    "create_ranking",
    "create_round",
    "decide_budget_change",
    "device_key",
    "expose_problem",
    "follow_up",
    "integrity",
    "link_cases",
    "link_sites",
    "link_tasks",
    "make_commitment",
    "normalise_phone",
    "open_round",
    "publish_ranking",
    "publish_round",
    "record_budget_entry",
    "remove_candidate",
    "reopen_campaign",
    "request_budget_change",
    "review_commitment",
    "review_votes",
    "set_budget",
    "set_milestone_status",
    "start_campaign",
    "submit_for_acceptance",
    "submit_report",
    "tally",
    "unlink",
    "update_campaign",
]
