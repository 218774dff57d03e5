"""The cases demo's histories read like real ones: every case's events are in time order and
each workflow step starts from the state the previous one left (签收 before 处置 …)."""

from collections import defaultdict

import pytest

from chuangwen.cases import demo
from chuangwen.cases.choices import TRANSITIONS, Action, State
from chuangwen.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def _replay(events) -> str:
    """The state the events lead to; fails on a step its state does not allow."""
    assert events[0].action == Action.INTAKE, events[0].action
    state = State.REPORTED
    for e in events[1:]:
        if e.action not in TRANSITIONS:  # 并单, photos: no state change
            continue
        sources, target = TRANSITIONS[e.action]
        assert state in sources, (e.case_id, state, e.action)
        assert e.from_state in ("", state), (e.case_id, e.from_state, state, e.action)
        state = target or state
    return state


def test_every_demo_case_history_is_chronological_and_in_workflow_order(small_city):
    demo.build_demo(small_city.city, 11, lambda _line: None, reports=600)
    by_case = defaultdict(list)
    for e in CaseEvent.objects.filter(case__city=small_city.city).order_by("case_id", "id"):
        by_case[e.case_id].append(e)
    cases = {c.pk: c for c in Case.objects.filter(city=small_city.city)}
    assert len(by_case) == len(cases) > 400
    accepted_then_handled = 0
    for case_id, events in by_case.items():
        steps = [e for e in events if e.action in TRANSITIONS or e.action == Action.INTAKE]
        # written in the order they happened: insertion order is time order
        times = [e.at for e in steps]
        assert times == sorted(times), (case_id, [(e.action, e.at) for e in steps])
        assert _replay(steps) == cases[case_id].state, case_id
        actions = [e.action for e in steps]
        if Action.HANDLE in actions:
            assert Action.ACCEPT in actions
            assert actions.index(Action.ACCEPT) < actions.index(Action.HANDLE)
            accepted_then_handled += 1
        case = cases[case_id]
        if case.handled_at and case.dispatched_at:
            assert case.dispatched_at < case.handled_at
    assert accepted_then_handled > 100
