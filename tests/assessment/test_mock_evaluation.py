"""The predicted score on the hand-made tree of tests/inspections/helpers.py, computed by hand.

Tree (points): A 60 → 1.1 (40) → 1.1.1 (10), 1.1.2 (30); 1.2 (20) → 1.2.1 (20, materials)
               B 40 → 2.1 (30) → 2.1.1 (30); 2.2 (10) → 2.2.1 (10, materials)
Check items: ZD-1 pass/fail → 1.1.1, ZD-2 ratio → 1.1.1, ZD-3 deduct 2 per missing, cap 6 of 6
points → 1.1.2; SC-1 pass/fail → 2.1.1.
"""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangwen.assessment import services
from chuangwen.assessment.choices import RiskKind, ScoreLevel
from chuangwen.assessment.models import IndicatorScore, UnitScore
from chuangwen.core.errors import ImportFailed, InvalidInput, PermissionDenied
from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.indicators.models import NegativeListItem
from chuangwen.inspections import services as insp
from chuangwen.inspections.choices import PlanKind
from chuangwen.org.actors import SYSTEM

pytestmark = pytest.mark.django_db

# (site, item, answer)
OBSERVATIONS = [
    ("ZD001", "ZD-1", {"passed": True}),
    ("ZD002", "ZD-1", {"passed": False}),
    ("ZD001", "ZD-2", {"value": 0.8}),
    ("ZD002", "ZD-2", {"value": 0.6}),
    ("ZD001", "ZD-3", {"missing": 1}),  # 1 − 2/6
    ("ZD002", "ZD-3", {"missing": 4}),  # 8 capped at 6 → 0
    ("SC001", "SC-1", {"passed": True}),
    ("SC002", "SC-1", {"passed": True}),
    ("SC003", "SC-1", {"passed": False}),
]


def run_plan(ic, observations, title="模拟测评一"):
    plan = insp.create_plan(
        ic.city,
        kind=PlanKind.MOCK,
        title=title,
        seed=11,
        sample_sizes={"ZD": 2, "SC": 3},
        acting_user=SYSTEM,
    )
    insp.sample_plan(plan, acting_user=SYSTEM)
    for site, item, answer in observations:
        insp.submit_check(
            plan,
            insp.CheckData(
                uuid=uuid.uuid4(),
                sample_id=plan.samples.get(site__code=site).pk,
                check_item_id=ic.items[item].pk,
                **answer,
            ),
            acting_user=SYSTEM,
        )
    return plan


def survey_file(rows):
    return write_workbook([Sheet("问卷", services.SURVEY_COLUMNS, rows)])


@pytest.fixture
def scored(ic):
    plan = run_plan(ic, OBSERVATIONS)
    year = timezone.localdate().year
    rnd = services.create_round(ic.city, title="第一轮", plans=[plan], acting_user=ic.office.user)
    services.update_round_inputs(
        rnd,
        materials={"1.2.1": 0.5, "2.2.1": 1.0},
        minors_input=90,
        prior_scores={str(year - 2): 60, str(year - 1): 65},
        acting_user=ic.office.user,
    )
    services.import_survey(rnd, survey_file([[None, 80, 90, "70%", 1200]]), acting_user=SYSTEM)
    services.add_round_negative(
        rnd, NegativeListItem.objects.get(system=ic.system, code="F1"), acting_user=SYSTEM
    )
    return plan, services.compute_round(rnd, acting_user=ic.office.user)


def test_score_rolls_up_as_computed_by_hand(ic, scored):
    _plan, rnd = scored
    # field: 1.1.1 = mean(ZD-1 0.5, ZD-2 0.7) = 0.6; 1.1.2 = ZD-3 mean(2/3, 0) = 1/3
    # 1.1 = (10 × 0.6 + 30 × 1/3) / 40 = 0.4; A = 0.4 (1.2 has no field data)
    # 2.1.1 = SC-1 = 2/3 → B = 2/3; root = (60 × 0.4 + 40 × 2/3) / 100 = 0.50667
    field_ratio = (60 * 0.4 + 40 * (2 / 3)) / 100
    assert rnd.field_ratio == pytest.approx(field_ratio)
    assert rnd.field_score == pytest.approx(40 * field_ratio)  # 20.2667
    # materials: A = 1.2.1 0.5, B = 2.2.1 1.0 → (60 × 0.5 + 40 × 1) / 100 = 0.7 → 28
    assert rnd.materials_score == pytest.approx(28.0)
    # survey: mean of 80 %, 90 %, 70 % → 16 of 20
    assert rnd.survey_score == pytest.approx(16.0)
    annual = 40 * field_ratio + 28 + 16 - 2  # negative list F1: −2
    assert rnd.deductions == 2
    assert rnd.annual_score == pytest.approx(annual)  # 62.2667
    # minors 90 ≥ 85: eligible; 20 % share
    overall = 0.8 * annual + 0.2 * 90
    assert rnd.overall_score == pytest.approx(overall)  # 67.8133
    assert rnd.eligible is True
    # cycle: 15 / 25 / 60 over the two earlier years and this one
    assert rnd.cycle_score == pytest.approx((15 * 60 + 25 * 65 + 60 * overall) / 100)
    assert rnd.n_observations == 9

    by_code = {
        s.indicator.code: s
        for s in IndicatorScore.objects.filter(round=rnd).select_related("indicator")
    }
    assert by_code["1.1.1"].field_ratio == pytest.approx(0.6)
    assert by_code["1.1.2"].field_ratio == pytest.approx(1 / 3)
    assert by_code["1.1"].field_ratio == pytest.approx(0.4)
    assert by_code["1.2.1"].materials_ratio == pytest.approx(0.5)
    assert by_code["2"].field_ratio == pytest.approx(2 / 3)
    # 1.1.1's share of the field score: 0.6 (A) × 1 (1.1 alone) × 10/40 = 0.15
    assert by_code["1.1.1"].points == pytest.approx(40 * 0.15)
    assert by_code["1.1.1"].n_obs == 4
    assert sum(by_code[c].earned for c in ("1", "2")) == pytest.approx(
        rnd.field_score + rnd.materials_score
    )


def test_district_street_and_baobao_indices(ic, scored):
    _plan, rnd = scored
    rows = {(u.level, u.unit_id): u for u in UnitScore.objects.filter(round=rnd)}
    # 甲区 (甲路, 甲市场一/二): 1.1.1 = (1 + 0.8)/2 = 0.9, 1.1.2 = 2/3 → 1.1 = (9 + 20)/40
    a = (60 * (9 + 20) / 40 + 40 * 1.0) / 100
    # 乙区 (乙路, 乙市场): 1.1.1 = (0 + 0.6)/2 = 0.3, 1.1.2 = 0 → 1.1 = 3/40; B = 0
    b = (60 * 3 / 40 + 40 * 0.0) / 100
    da, db = (
        rows[(ScoreLevel.DISTRICT, ic.district_a.pk)],
        rows[(ScoreLevel.DISTRICT, ic.district_b.pk)],
    )
    assert da.index == pytest.approx(100 * a) and da.rank == 1
    assert db.index == pytest.approx(100 * b) and db.rank == 2
    assert rows[(ScoreLevel.STREET, ic.street_a.pk)].index == pytest.approx(100 * a)
    # 城管局 包保s only 甲路: A alone = 1.1 = 0.725
    assert rows[(ScoreLevel.RESPONSIBLE, ic.dept.pk)].index == pytest.approx(72.5)


def test_points_at_risk_ranked_by_points_recovered(ic, scored):
    _plan, rnd = scored
    risks = services.points_at_risk(rnd)
    top = [(r.kind, r.indicator_code, round(r.points, 4)) for r in risks]
    assert top == [
        (RiskKind.MATERIAL, "1.2.1", 12.0),  # 40 × 0.6 × (1 − 0.5)
        (RiskKind.CASE, "1.1.2", 9.0),  # ZD-3 at 乙路: 40 × 0.45 × (1 − 0) / 2
        (RiskKind.CASE, "2.1.1", 5.3333),  # SC-1 at 乙市场: 40 × 0.4 × 1 / 3
        (RiskKind.CASE, "1.1.2", 3.0),  # ZD-3 at 甲路: 40 × 0.45 × (1/3) / 2
        (RiskKind.CASE, "1.1.1", 1.5),  # ZD-1 at 乙路: 40 × 0.15 × 1 / 2 / 2
        (RiskKind.CASE, "1.1.1", 0.6),  # ZD-2 at 乙路: 40 × 0.15 × 0.4 / 2 / 2
        (RiskKind.CASE, "1.1.1", 0.3),  # ZD-2 at 甲路
    ]
    # fixing the 9-point case really recovers 9 points: ZD-3 at 乙路 → 1
    ratio_112 = (2 / 3 + 1) / 2
    field_after = 40 * (60 * (10 * 0.6 + 30 * ratio_112) / 40 + 40 * (2 / 3)) / 100
    assert field_after - rnd.field_score == pytest.approx(9.0)


def test_weights_are_data_the_office_changes(ic, scored):
    _plan, rnd = scored
    with pytest.raises(PermissionDenied):
        services.update_round_inputs(rnd, weights={}, acting_user=ic.liaison_a.user)
    with pytest.raises(InvalidInput):
        services.update_round_inputs(
            rnd, weights={"cycle_year_weights": [1, 2]}, acting_user=SYSTEM
        )
    services.update_round_inputs(
        rnd,
        weights={
            "components": {"field": 50, "materials": 30, "survey": 20},
            "cycle_year_weights": [0, 0, 100],
            "minors_threshold": 95,
            "minors_share_percent": 10,
        },
        acting_user=ic.office.user,
    )
    rnd = services.compute_round(rnd, acting_user=SYSTEM)
    field_ratio = (60 * 0.4 + 40 * (2 / 3)) / 100
    annual = 50 * field_ratio + 30 * 0.7 + 16 - 2
    assert rnd.annual_score == pytest.approx(annual)
    assert rnd.overall_score == pytest.approx(0.9 * annual + 0.1 * 90)
    assert rnd.cycle_score == pytest.approx(rnd.overall_score)
    assert rnd.eligible is False  # 90 < the new 95-point precondition


def test_weights_default_from_the_evaluation_system(ic):
    rnd = services.create_round(ic.city, title="默认权重", acting_user=SYSTEM)
    assert rnd.weights["components"] == {"materials": 40.0, "field": 40.0, "survey": 20.0}
    assert rnd.weights["cycle_year_weights"] == [15, 25, 60]
    assert rnd.weights["minors_threshold"] == 85


def test_veto_sanction_and_survey_errors(ic, scored):
    _plan, rnd = scored
    services.add_round_negative(
        rnd, NegativeListItem.objects.get(system=ic.system, code="F2"), acting_user=SYSTEM
    )
    rnd = services.compute_round(rnd, acting_user=SYSTEM)
    assert rnd.eligible is False and rnd.detail["sanctions"][0]["code"] == "F2"
    with pytest.raises(ImportFailed) as err:
        services.import_survey(rnd, survey_file([["NOPE", 120, 90, 70, 10]]), acting_user=SYSTEM)
    assert {(e.row, e.column) for e in err.value.errors} == {(2, "区县编码"), (2, "知晓率")}
    assert rnd.surveys.count() == 1  # unchanged


def test_compare_rounds(ic, scored):
    _plan, first = scored
    better = [
        (
            s,
            i,
            {"passed": True}
            if "passed" in a
            else ({"value": 1} if "value" in a else {"missing": 0}),
        )
        for s, i, a in OBSERVATIONS
    ]
    plan2 = run_plan(ic, better, title="模拟测评二")
    second = services.compute_round(
        services.create_round(ic.city, title="第二轮", plans=[plan2], acting_user=SYSTEM),
        acting_user=SYSTEM,
    )
    assert second.field_ratio == pytest.approx(1.0)
    table = services.compare_rounds([first, second], by="indicator")
    row = next(r for r in table["rows"] if r["key"] == "1.1.1")
    assert row["series"][1] == pytest.approx(1.0) and row["series"][0] < 1
    districts = services.compare_rounds([first, second], by=ScoreLevel.DISTRICT)
    b = next(r for r in districts["rows"] if r["label"] == "乙区")
    assert b["series"] == [pytest.approx(4.5), pytest.approx(100.0)]
    types = services.compare_rounds([first, second], by="site_type")
    sc = next(r for r in types["rows"] if r["key"] == "SC")
    assert sc["series"] == [pytest.approx(2 / 3), pytest.approx(1.0)]


def test_pages_and_api(ic, scored, client_for, django_assert_max_num_queries):
    _plan, rnd = scored
    client = client_for(ic.office)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("assessment:rounds")).status_code == 200
    with django_assert_max_num_queries(28):  # the page computes the points at risk
        page = client.get(reverse("assessment:round", args=[rnd.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and f"{rnd.overall_score:.2f}" in html
    with django_assert_max_num_queries(18):
        r = client.get(f"/api/assessment/rounds/{rnd.pk}/risks")
    assert r.status_code == 200 and r.json()[0]["points"] == pytest.approx(12.0)
    r = client.get(reverse("assessment:compare") + f"?rounds={rnd.pk}&by=district")
    assert r.status_code == 200 and "乙区" in r.content.decode()
    # leaders read; unit liaisons do not see the city's prediction
    assert client_for(ic.leader).get(reverse("assessment:round", args=[rnd.pk])).status_code == 200
    assert (
        client_for(ic.liaison_a).get(reverse("assessment:round", args=[rnd.pk])).status_code == 404
    )
