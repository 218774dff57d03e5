"""Materials (40) from the evidence ledger's review status, and unfinished tasks at risk."""

import pytest

from chuangwen.assessment import services
from chuangwen.assessment.choices import RiskKind
from chuangwen.indicators.models import Indicator
from chuangwen.org.actors import SYSTEM
from chuangwen.tasks import services as tasks
from tests.cases.conftest import jpeg

pytestmark = pytest.mark.django_db


def test_materials_follow_accepted_evidence(ic):
    std = Indicator.objects.get(system=ic.system, code="1.2.1")
    done = tasks.create_task(
        ic.city, indicator=std, lead_unit=ic.district_a, target="制度上墙", acting_user=SYSTEM
    )
    todo = tasks.create_task(
        ic.city, indicator=std, lead_unit=ic.district_b, target="补齐制度", acting_user=SYSTEM
    )
    report = tasks.report_progress(
        done, text="已完成", files=[("制度.jpg", jpeg())], acting_user=ic.liaison_a.user
    )
    tasks.review_report(report, accept=True, acting_user=ic.office.user)

    rnd = services.compute_round(
        services.create_round(ic.city, title="台账", acting_user=SYSTEM), acting_user=SYSTEM
    )
    # 1.2.1: 1 of 2 tasks with accepted evidence → 0.5; 2.2.1: no tasks → 0
    # materials = 40 × (60 × 0.5 + 40 × 0) / 100 = 12
    assert rnd.materials_score == pytest.approx(12.0)
    assert rnd.field_score == 0 and rnd.n_observations == 0

    risks = {(r.kind, r.object_id): r.points for r in services.points_at_risk(rnd)}
    # 2.2.1 (no tasks): 40 × 0.4 × (1 − 0) = 16 as a materials gap
    assert risks[(RiskKind.MATERIAL, Indicator.objects.get(system=ic.system, code="2.2.1").pk)] == (
        pytest.approx(16.0)
    )
    # 1.2.1: 40 × 0.6 × (1 − 0.5) = 12, split over its two unfinished tasks
    assert risks[(RiskKind.TASK, done.pk)] == pytest.approx(6.0)
    assert risks[(RiskKind.TASK, todo.pk)] == pytest.approx(6.0)
