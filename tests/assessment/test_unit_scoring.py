"""Unit assessment: the arithmetic and the explanation of every score, totals and rankings,
freezing, the audited recompute, overlapping periods, the minimum volume, the black list."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuangwen.assessment import quantities, selectors, services
from chuangwen.assessment.choices import (
    ItemKind,
    ListKind,
    PeriodStatus,
    ResultStatus,
    ScoreStatus,
    UnitSanction,
)
from chuangwen.assessment.models import (
    AssessmentResult,
    AssessmentScheme,
    AssessmentScore,
    ListEntry,
    NegativeFinding,
    SchemeItem,
)
from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.core.models import AuditEvent
from chuangwen.indicators.models import NegativeListItem

from .units import ITEMS, AssessCity

Inputs = quantities.Inputs


def item(kind=ItemKind.RATE, weight=20, formula="cases.on_time_close_rate()", **kw):
    return SchemeItem(
        code="X", name=kw.pop("name", "按期结案"), kind=kind, weight=Decimal(weight),
        formula=formula, **kw,
    )  # fmt: skip


def score(it, inputs, adjustments=()):
    parsed = quantities.parse(it.formula) if it.kind != ItemKind.MANUAL else None
    return services.score_item(it, parsed, inputs, [Decimal(a) for a in adjustments])


# --- arithmetic and explanations (no database) ---


def test_a_single_rate_explains_itself():
    s = score(item(), {"cases.on_time_close_rate": Inputs(Decimal(412), Decimal(500))})
    assert s.status == ScoreStatus.SCORED
    assert s.points == Decimal("16.48")
    assert s.explanation == "按期结案：按期结案率 82.4% = 412/500，得 16.48/20"
    assert s.inputs == [
        {
            "name": "cases.on_time_close_rate",
            "label": "按期结案率",
            "numerator": 412.0,
            "denominator": 500.0,
        }
    ]
    assert s.volume == 500


def test_an_expression_shows_its_formula_value_and_every_input():
    it = item(
        weight=30,
        formula="0.5 * tasks.done_rate() + 0.5 * tasks.on_time_rate()",
        name="任务推进",
    )
    s = score(
        it,
        {
            "tasks.done_rate": Inputs(Decimal(9), Decimal(10)),
            "tasks.on_time_rate": Inputs(Decimal(6), Decimal(10)),
        },
    )
    assert s.points == Decimal("22.50")  # 30 × (0.45 + 0.30)
    assert s.explanation == (
        "任务推进：0.5 * 任务完成率 + 0.5 * 任务按期完成率 = 0.75"
        "（任务完成率 90.0% = 9/10；任务按期完成率 60.0% = 6/10），得 22.5/30"
    )


def test_a_rate_is_clamped_to_the_weight_and_zero():
    over = score(item(formula="2 * cases.close_rate()"), {"cases.close_rate": Inputs(1, 1)})
    under = score(item(formula="1 - 2 * cases.rework_rate()"), {"cases.rework_rate": Inputs(4, 5)})
    assert over.points == Decimal(20) and under.points == Decimal(0)


def test_no_data_is_left_out_and_too_few_is_insufficient():
    none = score(item(), {"cases.on_time_close_rate": Inputs(Decimal(0), Decimal(0))})
    assert none.status == ScoreStatus.NO_DATA and none.points == 0 and none.value is None
    assert none.explanation == "按期结案：无数据（应结案数为 0），不计分"
    few = score(item(min_volume=10), {"cases.on_time_close_rate": Inputs(Decimal(3), Decimal(4))})
    assert few.status == ScoreStatus.INSUFFICIENT
    assert few.points == Decimal("15.00")
    assert few.explanation.endswith("样本不足（4 < 最低 10），不参与排名")


def test_deductions_are_capped_and_manual_entries_too():
    d = score(
        item(ItemKind.DEDUCTION, 5, "negative.points()", name="负面清单"),
        {"negative.points": Inputs(Decimal(7))},
    )
    assert d.points == Decimal(-5)
    assert d.explanation == "负面清单：负面清单扣分 7，扣 5（上限 5）"
    m = score(item(ItemKind.MANUAL, 5, "", name="加减分"), {}, adjustments=[4, 3])
    assert m.points == Decimal(5) and m.value == Decimal(7)
    assert m.explanation == "加减分：2 条加减分合计 +7，计 +5（上限 ±5）"
    assert score(item(ItemKind.MANUAL, 5, "", name="加减分"), {}).explanation == (
        "加减分：无加减分，计 0"
    )


def test_total_rescales_the_items_with_data():
    scheme = AssessmentScheme(total=Decimal(100))
    a = item(weight=40)
    b = item(weight=60, formula="tasks.done_rate()", name="任务")
    scores = [
        score(a, {"cases.on_time_close_rate": Inputs(Decimal(3), Decimal(4))}),
        score(b, {"tasks.done_rate": Inputs(Decimal(0), Decimal(0))}),
        score(item(ItemKind.DEDUCTION, 10, "negative.points()"), {"negative.points": Inputs(2)}),
    ]
    t = services.unit_total(scheme, scores, [])
    assert t.base == Decimal("75.00") and t.total == Decimal("73.00")
    assert t.status == ResultStatus.RANKED
    assert t.explanation == ("计分项 30/40（1 项无数据不计，按 100 分折算为 75），扣分 2，总分 73")
    empty = services.unit_total(scheme, scores[1:2], ["F2"])
    assert empty.total is None and empty.status == ResultStatus.NO_DATA and empty.vetoed


# --- computing a period from live data ---


@pytest.fixture
def ac(small_city):
    return AssessCity(small_city)


@pytest.fixture
def computed(ac):
    """区县 and 街道: 甲 3 of 4 cases on time, a 负面清单 F1 (−2) against 甲街道;
    乙 2 of 2 on time, +3 by the office."""
    for on_time in (True, True, True, False):
        ac.case("a", on_time=on_time)
    ac.case("b")
    ac.case("b")
    scheme = ac.scheme(list_size=1)
    period = ac.period()
    f1 = NegativeListItem.objects.get(system=ac.ic.system, code="F1")
    services.record_finding(
        ac.city,
        unit=ac.street_a,
        item=f1,
        source="inspection",
        description="负面舆情",
        sanction=UnitSanction.DEDUCT,
        found_on=ac.mid,
        acting_user=ac.office.user,
    )
    manual = scheme.items.get(code="M1")
    services.add_adjustment(
        period,
        item=manual,
        unit=ac.district_b,
        points=3,
        reason="创建工作获省级表扬",
        acting_user=ac.office.user,
    )
    return services.compute_period(period, acting_user=ac.office.user)


def _result(period, unit, group):
    return AssessmentResult.objects.get(period=period, unit=unit, group=group)


def test_a_period_is_computed_from_live_data(ac, computed):
    period = computed
    assert period.status == PeriodStatus.COMPUTED and period.n_units == 4
    a = _result(period, ac.district_a, "district")
    b = _result(period, ac.district_b, "district")
    assert (a.total, b.total) == (Decimal("73.00"), Decimal("103.00"))
    assert (a.rank, b.rank, a.ranked_count) == (2, 1, 2)
    assert (b.list_kind, a.list_kind) == (ListKind.RED, ListKind.BLACK)
    assert a.explanation == "计分项 30/40（2 项无数据不计，按 100 分折算为 75），扣分 2，总分 73"
    scores = {s.item.code: s for s in selectors.unit_scores(period, ac.district_a)}
    assert scores["A1"].explanation == "按期结案：按期结案率 75.0% = 3/4，得 30/40"
    assert scores["A2"].status == ScoreStatus.NO_DATA
    assert scores["D1"].points == Decimal(-2)
    street = _result(period, ac.street_a, "street")
    assert street.total == Decimal("73.00")  # the cases of 甲社区 roll up to 甲街道 and 甲区
    assert _result(period, ac.street_b, "street").total == Decimal("100.00")
    entries = ListEntry.objects.filter(period=period, group="district")
    assert {(e.unit_id, e.kind) for e in entries} == {
        (ac.district_b.pk, ListKind.RED),
        (ac.district_a.pk, ListKind.BLACK),
    }


def test_stored_scores_stay_when_data_changes_until_an_audited_recompute(ac, computed):
    period = computed
    ac.case("a")  # a fifth case of 甲, on time: 4/5 → 32 of 40
    a = _result(period, ac.district_a, "district")
    assert a.total == Decimal("73.00")
    with pytest.raises(InvalidInput, match="理由"):
        services.compute_period(period, acting_user=ac.office.user)
    period = services.compute_period(period, reason="补录案件", acting_user=ac.office.user)
    assert _result(period, ac.district_a, "district").total == Decimal("78.00")  # 80 − 2
    event = AuditEvent.objects.get(code="assessment.period.recomputed")
    key = f"{ac.district_a.pk}:district"
    assert event.before["totals"][key] == "73.00"
    assert event.after["totals"][key] == "78.00" and event.after["reason"] == "补录案件"
    assert period.compute_count == 2


def test_a_published_period_is_frozen(ac, computed):
    period = services.publish_period(computed, acting_user=ac.office.user)
    n_scores = AssessmentScore.objects.filter(period=period).count()
    with pytest.raises(InvalidTransition, match="已发布（冻结）"):
        services.compute_period(period, reason="再算", acting_user=ac.office.user)
    with pytest.raises(InvalidTransition):
        services.add_adjustment(
            period,
            item=period.scheme.items.get(code="M1"),
            unit=ac.district_a,
            points=1,
            reason="x",
            acting_user=ac.office.user,
        )
    with pytest.raises(InvalidInput, match="已发布（冻结）的考核期"):
        ac.period()
    f1 = NegativeListItem.objects.get(system=ac.ic.system, code="F1")
    with pytest.raises(InvalidInput, match="已发布（冻结）"):
        services.record_finding(
            ac.city,
            unit=ac.street_a,
            item=f1,
            source="media",
            description="x",
            sanction=UnitSanction.DEDUCT,
            found_on=ac.mid,
            acting_user=ac.office.user,
        )
    period.refresh_from_db()
    assert period.status == PeriodStatus.PUBLISHED and period.compute_count == 1
    assert AssessmentScore.objects.filter(period=period).count() == n_scores


def test_overlapping_periods_are_refused(ac):
    ac.scheme()
    ac.period()
    with pytest.raises(InvalidInput, match="重叠"):
        ac.period()
    start = date(ac.year, ac.month, 10)
    with pytest.raises(InvalidInput, match="重叠"):
        services.create_period(
            ac.city,
            kind="month",
            year=ac.year,
            starts_on=start,
            ends_on=start + timedelta(days=25),
            acting_user=ac.office.user,
        )


def test_too_few_cases_are_shown_as_insufficient_not_ranked(ac):
    for _ in range(3):
        ac.case("a")
    ac.case("b")
    items = [services.ItemSpec("A1", "按期结案", ItemKind.RATE, 100,
                               "cases.on_time_close_rate()", min_volume=3)]  # fmt: skip
    ac.scheme(items=items, groups=["district"])
    period = services.compute_period(ac.period(), acting_user=ac.office.user)
    a = _result(period, ac.district_a, "district")
    b = _result(period, ac.district_b, "district")
    assert a.status == ResultStatus.RANKED and a.rank == 1 and a.ranked_count == 1
    assert b.status == ResultStatus.INSUFFICIENT and b.rank is None
    assert (
        "样本不足（1 < 最低 3）"
        in AssessmentScore.objects.get(period=period, unit=ac.district_b).explanation
    )
    assert b.explanation.endswith("样本不足，不参与排名")


def test_a_veto_keeps_a_unit_off_the_red_list(ac):
    ac.case("a")
    ac.case("b", on_time=False)
    ac.scheme(list_size=1, groups=["district"])
    period = ac.period()
    f2 = NegativeListItem.objects.get(system=ac.ic.system, code="F2")
    services.record_finding(
        ac.city,
        unit=ac.district_a,
        item=f2,
        source="evaluation",
        description="重大事件",
        sanction=UnitSanction.VETO,
        found_on=ac.mid,
        acting_user=ac.office.user,
    )
    period = services.compute_period(period, acting_user=ac.office.user)
    a = _result(period, ac.district_a, "district")
    assert a.vetoed and a.rank == 1 and a.list_kind == ""
    assert a.explanation.endswith("一票否决（负面清单 F2）")


def test_repeat_black_listed_and_the_way_off_the_black_list(ac):
    year, month = ac.year, ac.month
    before = date(year, month, 1) - timedelta(days=1)
    ac.scheme(list_size=1, groups=["district"])
    for day, period_of in (
        (before.replace(day=15), (before.year, before.month)),
        (ac.mid, (year, month)),
    ):
        ac.case("a", on_time=False, day=day)
        ac.case("b", day=day)
        p = services.compute_period(ac.period(*period_of), acting_user=ac.office.user)
        services.publish_period(p, acting_user=ac.office.user)
    hits = selectors.repeat_black_listed(p, times=2)
    assert [(h.unit.pk, h.group) for h in hits] == [(ac.district_a.pk, "district")]
    assert selectors.repeat_black_listed(p, times=3) == []

    entry = ListEntry.objects.get(period=p, unit=ac.district_a, kind=ListKind.BLACK)
    with pytest.raises(PermissionDenied):
        services.submit_list_rectification(entry, note="已整改", acting_user=ac.liaison_b.user)
    services.submit_list_rectification(entry, note="已全部整改", acting_user=ac.liaison_a.user)
    with pytest.raises(InvalidInput, match="原因"):
        services.verify_list_exit(entry, approved=False, acting_user=ac.office.user)
    entry = services.verify_list_exit(
        entry, approved=True, note="现场核查通过", acting_user=ac.office.user
    )
    assert entry.status == "exited" and entry.verified_by == ac.office.user
    assert AuditEvent.objects.filter(code="assessment.blacklist.exited").count() == 1
    # having been listed twice running still counts
    assert len(selectors.repeat_black_listed(p, times=2)) == 1

    # bottom of the black list twice running: a rule proposes 约谈, a person decides
    from chuangwen.assessment.choices import AccountabilityKind, AccountabilityState

    made = services.run_accountability_rules(ac.city, acting_user=ac.office.user)
    talk = [r for r in made if r.rule == "black_list_bottom"]
    assert len(talk) == 1 and talk[0].unit == ac.district_a
    assert talk[0].kind == AccountabilityKind.INTERVIEW
    assert talk[0].state == AccountabilityState.PROPOSED
    assert [f["type"] for f in talk[0].facts] == ["list_entry", "list_entry"]
    assert talk[0].facts[1]["id"] == entry.pk
    again = services.run_accountability_rules(ac.city, acting_user=ac.office.user)
    assert not [r for r in again if r.rule == "black_list_bottom"]

    # the month's bulletin has the red/black list, each figure with its query
    bulletin = services.draft_bulletin(
        ac.city, kind="monthly", start=p.starts_on, end=p.ends_on, acting_user=ac.office.user
    )
    section = bulletin.sections.get(code="red_black")
    assert "列入黑榜的单位 1 个：甲区" in section.text
    assert all(f["query"].startswith(f"考核期「{p.label}」") for f in section.figures)


def test_a_black_list_entry_and_a_finding_are_rectified_and_verified_on_the_pages_and_api(
    ac, client_for
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.cases.conftest import jpeg

    ac.scheme(list_size=1, groups=["district"])
    ac.case("a", on_time=False)
    ac.case("b")
    period = ac.period()
    office, a = client_for(ac.office), client_for(ac.liaison_a)
    f1 = NegativeListItem.objects.get(system=ac.ic.system, code="F1")
    found = {"unit_id": ac.district_a.pk, "item_id": f1.pk, "source": "inspection"}
    found |= {"sanction": "deduct", "description": "负面舆情", "found_on": str(ac.mid)}
    r = office.post("/api/assessment/findings", found, "application/json")
    assert r.status_code == 201, r.content
    finding = NegativeFinding.objects.get(pk=r.json()["id"], unit=ac.district_a, item=f1)
    period = services.compute_period(period, acting_user=ac.office.user)
    services.publish_period(period, acting_user=ac.office.user)
    entry = ListEntry.objects.get(period=period, unit=ac.district_a, kind=ListKind.BLACK)
    lists, found = f"/assessment/lists/{entry.pk}/do/", f"/assessment/findings/{finding.pk}/do/"

    # the unit: the rectification (a note and its evidence); no note is refused
    assert a.post(f"{lists}rectify/", {"note": ""}).status_code == 400
    assert a.post(f"{lists}nonsense/", {"note": "x"}).status_code == 404
    evidence = SimpleUploadedFile("整改.jpg", jpeg(), content_type="image/jpeg")
    r = a.post(f"{lists}rectify/", {"note": "已全部整改", "file": evidence})
    assert r.status_code == 302 and r["Location"].endswith(f"?period={period.pk}")
    entry.refresh_from_db()
    assert (entry.status, entry.rectification) == ("submitted", "已全部整改")
    assert entry.rectification_name == "整改.jpg" and entry.submitted_by == ac.liaison_a.user
    assert a.post(f"{found}submit/", {"note": "已整改"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == "submitted"

    # the office: not passed needs a reason; passed takes the entry off the list
    assert office.post(f"{lists}verify/", {"approved": "0"}).status_code == 400
    assert office.post(f"{lists}verify/", {"approved": "2"}).status_code == 400
    assert office.post(f"{lists}verify/", {"approved": "1", "note": "通过"}).status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.verify_note, entry.verified_by) == (
        "exited",
        "通过",
        ac.office.user,
    )
    r = office.post(f"{found}verify/", {"approved": "0", "note": "仍有问题"})
    assert r.status_code == 302 and r["Location"] == f"/assessment/findings/{finding.pk}/"
    finding.refresh_from_db()
    assert finding.status == "rework"

    # the API: the same two steps
    api = "/api/assessment"
    r = a.post(f"{api}/findings/{finding.pk}/submit", {"note": "再次整改"}, "application/json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = office.post(f"{api}/findings/{finding.pk}/verify", {"approved": True}, "application/json")
    assert r.status_code == 200 and r.json()["status"] == "rectified"
    entry.status = "listed"
    entry.save(update_fields=["status"])
    r = a.post(f"{api}/list-entries/{entry.pk}/rectification", {"text": "补充"}, "application/json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    entry.refresh_from_db()
    assert entry.rectification == "补充"
    r = office.post(
        f"{api}/list-entries/{entry.pk}/verify", {"approved": False}, "application/json"
    )
    assert r.status_code == 400 and "原因" in r.json()["message"]


def test_an_account_of_no_city_may_not_create_and_finds_no_city_elsewhere(ac):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.create_user("无城市账号"))
    scheme = {"name": "月度", "period_kind": "month", "groups": ["district"]}
    period = {"kind": "month", "year": 2025, "number": 1}
    finding = {"unit_id": ac.district_a.pk, "item_id": 1, "source": "inspection"}
    finding |= {"sanction": "deduct", "description": "负面舆情"}
    for path, body in (("schemes", scheme), ("periods", period), ("findings", finding)):
        r = client.post(f"/api/assessment/{path}", body, "application/json")
        assert r.status_code == 403, path
    accountability = {"unit_id": ac.district_a.pk, "kind": "interview", "title": "约谈"}
    r = client.post("/api/assessment/accountability", accountability, "application/json")
    assert r.status_code == 404


def test_the_number_of_queries_does_not_depend_on_the_number_of_units(ac):
    ac.case("a")
    ac.scheme(groups=["district", "street", "community", "department"])
    period = ac.period()
    with CaptureQueriesContext(connection) as all_units:
        _scores, results, _entries = services.score_period(period)
    with CaptureQueriesContext(connection) as one_unit:
        services.score_period(period, only=[ac.district_a.pk])
    assert len({r.unit_id for r in results}) == 7
    assert len(all_units) == len(one_unit)
    assert len(all_units) <= 20


# --- bad input: refused with a clear message, nothing changed ---


def test_bad_schemes_are_refused_and_change_nothing(ac):
    scheme = services.create_scheme(
        ac.city, name="月度", period_kind="month", groups=["district"], acting_user=ac.office.user
    )
    services.save_scheme_items(scheme, ITEMS, acting_user=ac.office.user)
    bad_weights = [*ITEMS[:2], ITEMS[3]]  # 40 + 30 of 100
    with pytest.raises(InvalidInput, match="计分项分值合计 70，与方案满分 100 不一致"):
        services.save_scheme_items(scheme, bad_weights, acting_user=ac.office.user)
    unknown = [services.ItemSpec("A1", "按期结案", ItemKind.RATE, 100, "cases.on_time_rate()")]
    with pytest.raises(InvalidInput, match=r"未知的名称「cases\.on_time_rate」"):
        services.save_scheme_items(scheme, unknown, acting_user=ac.office.user)
    assert list(scheme.items.values_list("code", flat=True)) == ["A1", "A2", "A3", "D1", "M1"]
    with pytest.raises(PermissionDenied):
        services.activate_scheme(scheme, acting_user=ac.liaison_a.user)
    services.activate_scheme(scheme, acting_user=ac.office.user)
    with pytest.raises(InvalidTransition, match="新版本"):
        services.save_scheme_items(scheme, ITEMS, acting_user=ac.office.user)
    draft = services.new_scheme_version(scheme, acting_user=ac.office.user)
    assert draft.version == 2 and draft.items.count() == 5


def test_a_sanction_outside_the_items_grades_is_refused(ac):
    f1 = NegativeListItem.objects.get(system=ac.ic.system, code="F1")  # a deduction item
    with pytest.raises(InvalidInput, match="处理措施只能是：扣分、通报批评"):
        services.record_finding(
            ac.city,
            unit=ac.street_a,
            item=f1,
            source="media",
            description="负面舆情",
            sanction=UnitSanction.VETO,
            acting_user=ac.office.user,
        )
    assert not NegativeFinding.objects.exists()


def test_the_three_case_rates_are_the_case_summarys_over_cases_due(ac):
    """按期结案率 / 返工率 / 满意率 all over 应结案数, read from the case summary's definitions."""
    from chuangwen.cases.models import Case
    from chuangwen.cases.selectors import standard_counts, with_rates

    ac.case("a", rating=5)
    ac.case("a", rating=2)
    ac.case("a", rework=True)
    ac.case("a", close=False, on_time=False)
    items = [
        services.ItemSpec("S", "满意", ItemKind.RATE, 40, "cases.satisfaction_rate()"),
        services.ItemSpec("R", "返工", ItemKind.RATE, 30, "1 - cases.rework_rate()"),
        services.ItemSpec("T", "按期", ItemKind.RATE, 30, "cases.on_time_close_rate()"),
    ]
    ac.scheme(items=items, groups=("district",))
    period = services.compute_period(ac.period(), acting_user=ac.office.user)
    scores = {s.item.code: s for s in selectors.unit_scores(period, ac.district_a)}
    assert scores["S"].explanation == "满意：满意率 25.0% = 1/4，得 10/40"
    assert scores["R"].explanation.startswith("返工：1 - 返工率 = 0.75（返工率 25.0% = 1/4）")
    assert scores["T"].explanation == "按期：按期结案率 75.0% = 3/4，得 22.5/30"
    summary = with_rates(Case.objects.filter(unit__isnull=False).aggregate(**standard_counts()))
    assert summary["satisfaction_rate"] == 25.0 and summary["rework_rate"] == 25.0


# --- pages, API and exports: what a unit sees ---


def test_a_unit_sees_its_own_scores_and_rank_only_unless_published(ac, computed, client_for):
    period = computed
    office, a = client_for(ac.office), client_for(ac.liaison_a)
    own = f"/api/assessment/periods/{period.pk}/units/{ac.district_a.pk}"
    other = f"/api/assessment/periods/{period.pk}/units/{ac.district_b.pk}"
    results = f"/api/assessment/periods/{period.pk}/results"
    # computed, not published: nothing for the unit, everything for the office
    assert a.get(f"/assessment/periods/{period.pk}/").status_code == 404
    assert a.get(own).status_code == 404
    assert office.get(other).status_code == 200
    page = office.get(f"/assessment/periods/{period.pk}/units/{ac.district_a.pk}/")
    assert "按期结案率 75.0% = 3/4，得 30/40" in page.content.decode()

    services.publish_period(period, acting_user=ac.office.user)  # 各单位只看本单位
    body = a.get(own).json()
    assert {s["explanation"] for s in body["scores"]} >= {
        "按期结案：按期结案率 75.0% = 3/4，得 30/40"
    }
    assert body["results"][0]["rank"] == 2
    assert a.get(other).status_code == 404
    assert a.get(f"/assessment/periods/{period.pk}/units/{ac.district_b.pk}/").status_code == 404
    seen = {r["unit_id"] for r in a.get(results).json()["items"]}
    assert ac.district_a.pk in seen and ac.district_b.pk not in seen
    assert "乙区" not in a.get("/assessment/my/").content.decode()

    services.set_disclosure(period, "ranking", acting_user=ac.office.user)
    seen = {r["unit_id"] for r in a.get(results).json()["items"]}
    assert ac.district_b.pk in seen  # ranks and totals of all
    assert a.get(other).status_code == 404  # but not their details
    services.set_disclosure(period, "full", acting_user=ac.office.user)
    assert a.get(other).status_code == 200


def test_exports_and_the_annual_appraisal(ac, computed, client_for):
    from openpyxl import load_workbook

    services.publish_period(computed, acting_user=ac.office.user)
    office = client_for(ac.office)
    r = office.get(f"/assessment/periods/{computed.pk}/export/")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert len(book.sheetnames) >= 2
    r = office.get(
        "/assessment/annual/",
        {"year": computed.starts_on.year, "kind": "month", "weight": "8", "format": "xlsx"},
    )
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "甲区" in text and "乙区" in text
    assert client_for(ac.liaison_a).get("/assessment/annual/").status_code in (403, 404)


def test_api_refuses_bad_schemes_with_chinese_messages(ac, client_for):
    office = client_for(ac.office)
    r = office.post(
        "/api/assessment/schemes",
        {"name": "季度考核", "period_kind": "quarter", "groups": ["district"]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    scheme_id = r.json()["id"]
    bad_items = [
        {"code": "A1", "name": "按期结案", "kind": "rate", "weight": 60,
         "formula": "cases.on_time_close_rate()"},
    ]  # fmt: skip
    r = office.put(
        f"/api/assessment/schemes/{scheme_id}/items",
        bad_items,
        content_type="application/json",
    )
    assert r.status_code == 400 and "满分" in r.json()["message"]
    bad_items[0]["weight"] = 100
    bad_items[0]["formula"] = "cases.no_such_rate()"
    r = office.put(
        f"/api/assessment/schemes/{scheme_id}/items",
        bad_items,
        content_type="application/json",
    )
    assert r.status_code == 400 and "未知" in r.json()["message"]
    assert not SchemeItem.objects.filter(scheme_id=scheme_id).exists()
    big = 2**62
    assert office.get(f"/api/assessment/periods/{big}/results").status_code in (404, 422)
