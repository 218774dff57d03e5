"""Workbench items from the assessment app: reports a unit owes, proposals to decide — with the
decide button only where the service's own check lets the viewer decide."""

from django.utils import timezone

from chuangwen.assessment import services as assessment
from chuangwen.assessment.choices import AccountabilityKind
from chuangwen.dashboard import participation
from chuangwen.org.choices import Role
from chuangwen.org.scope import scope_for_user
from tests import factories
from tests.assessment.account_helpers import World


def _propose(w, kind, title):
    return assessment.propose_accountability(
        w.city, unit=w.district_a, kind=kind, title=title, acting_user=w.office.user
    )


def test_proposals_to_decide_with_the_button_from_the_services_check(small_city):
    w = World(small_city)
    leader = factories.person(w.city, w.hq, Role.LEADER, name="市领导")
    _propose(w, AccountabilityKind.COMMEND, "按期结案率第一")
    _propose(w, AccountabilityKind.REFERRAL, "多次督促仍未整改")
    today = timezone.localdate()

    def buttons(person):
        (item,) = participation.accountability_to_decide(scope_for_user(person.user), today)
        return {r.label.split(" · ")[0]: r.action for r in item.rows}, item.count

    office, n = buttons(w.office)
    assert n == 2 and office == {"表扬/表彰": "决定", "问责建议": ""}
    lead, _n = buttons(leader)
    assert lead == {"表扬/表彰": "", "问责建议": "决定"}
    # a unit never sees proposals (nor the item)
    assert participation.accountability_to_decide(scope_for_user(w.liaison_a.user), today) == []


def test_reports_a_unit_owes_missing_first(small_city):
    w = World(small_city)
    today = timezone.localdate()
    w.template(units=[w.district_a], period="monthly", due_day=5)
    (item,) = participation.liaison_reports(scope_for_user(w.liaison_a.user), today)
    assert item.count >= 1 and item.rows[0].action == "填报"
    assert item.rows[0].url.startswith("/assessment/submissions/report/")
    assert participation.liaison_reports(scope_for_user(w.liaison_b.user), today)[0].count == 0
