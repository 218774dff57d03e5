import pytest
from django.urls import reverse

from chuangwen.core.errors import InvalidTransition
from chuangwen.inspections import sampling, services
from chuangwen.inspections.choices import PlanKind
from chuangwen.inspections.models import InspectionPlan, PlanSample
from chuangwen.org.actors import SYSTEM
from chuangwen.org.models import Unit
from chuangwen.org.services import update_unit
from chuangwen.sites.services import SiteSpec, create_sites
from tests.factories import SmallCity
from tests.inspections.helpers import InspectionCity, point

pytestmark = pytest.mark.django_db


def test_allocate_is_proportional_with_one_per_stratum():
    assert sampling.allocate(12, {"a": 40, "b": 20}) == {"a": 8, "b": 4}
    assert sampling.allocate(3, {"a": 100, "b": 1, "c": 1}) == {"a": 1, "b": 1, "c": 1}
    assert sampling.allocate(10, {"a": 3, "b": 2}) == {"a": 3, "b": 2}  # never more than exist
    assert sampling.allocate(1, {"a": 5, "b": 9}) == {"a": 0, "b": 1}
    assert sum(sampling.allocate(7, {"a": 10, "b": 10, "c": 10}).values()) == 7


def _with_markets(ic):
    """40 markets in 甲区 and 20 in 乙区 on top of the helper's sites."""
    specs = [
        SiteSpec(f"SCA{k:02d}", f"甲区市场{k}", ic.sc_type, point(113.001 + k * 0.0002, 28.002))
        for k in range(40)
    ] + [
        SiteSpec(f"SCB{k:02d}", f"乙区市场{k}", ic.sc_type, point(113.011 + k * 0.0004, 28.002))
        for k in range(20)
    ]
    create_sites(ic.city, specs, acting_user=SYSTEM)
    return ic


@pytest.fixture
def many(ic):
    return _with_markets(ic)


def _plan(ic, seed, sizes=None):
    return services.create_plan(
        ic.city,
        kind=PlanKind.MOCK,
        title=f"模拟测评 {seed}",
        seed=seed,
        sample_sizes=sizes or {"SC": 12, "ZD": 2},
        acting_user=ic.office.user,
    )


def _drawn(plan):
    return list(
        PlanSample.objects.filter(plan=plan)
        .order_by("stratum", "rank")
        .values_list("site_id", flat=True)
    )


def test_sampling_is_stratified_reproducible_and_recorded(many):
    ic = many
    plan = _plan(ic, 20260101)
    rows = services.sample_plan(plan, acting_user=ic.office.user)
    assert len(rows) == 14
    by_district = {}
    for s in PlanSample.objects.filter(plan=plan, site_type=ic.sc_type):
        by_district[s.district_id] = by_district.get(s.district_id, 0) + 1
    # 42 markets in 甲区 (40 + 2), 21 in 乙区 (20 + 1): 12 → 8 + 4
    assert by_district == {ic.district_a.pk: 8, ic.district_b.pk: 4}
    plan.refresh_from_db()
    record = plan.sampling["types"]["SC"]
    assert plan.sampling["seed"] == 20260101 and record["population"] == 63
    assert sorted(s["drawn"] for s in record["strata"]) == [4, 8]
    assert services.verify_sampling(plan)

    # the same seed in another plan draws the same sites; another seed draws others
    same = _plan(ic, 20260101)
    services.sample_plan(same, acting_user=SYSTEM)
    assert _drawn(same) == _drawn(plan)
    other = _plan(ic, 7)
    services.sample_plan(other, acting_user=SYSTEM)
    assert _drawn(other) != _drawn(plan)

    # re-drawing the same plan gives the same rows again
    first = _drawn(plan)
    services.sample_plan(plan, acting_user=ic.office.user)
    assert _drawn(plan) == first


def test_the_same_city_draws_the_same_sites_whatever_its_primary_keys(many):
    """Another database (or a rebuilt demo) numbers the same city's rows differently: the same
    plan and seed still draw the same sites, a stratum being known by its district's code."""
    again = _with_markets(InspectionCity(SmallCity()))
    # the factory numbers unit codes across the run: the city built again takes the first one's
    codes = dict(Unit.objects.filter(city=many.city).values_list("name", "code"))
    for unit in Unit.objects.filter(city=again.city):
        update_unit(unit, code=codes[unit.name], acting_user=SYSTEM)
    assert again.district_a.pk != many.district_a.pk
    plans = [_plan(c, 20260101) for c in (many, again)]
    for plan in plans:
        services.sample_plan(plan, acting_user=SYSTEM)
    drawn = [
        list(
            PlanSample.objects.filter(plan=plan)
            .order_by("stratum", "rank")
            .values_list("stratum", "rank", "site__code")
        )
        for plan in plans
    ]
    assert len(drawn[0]) == 14
    assert drawn[0] == drawn[1]
    # and the records kept on the plans (population hashes, drawn sites) read the same too
    records = [InspectionPlan.objects.get(pk=plan.pk).sampling["types"] for plan in plans]
    assert records[0] == records[1]
    assert f"SC/{many.district_a.code}" in {stratum for stratum, _, _ in drawn[0]}
    for plan in plans:
        plan.refresh_from_db()
        assert services.verify_sampling(plan)


def test_changed_population_is_detected(many):
    ic = many
    plan = _plan(ic, 99)
    services.sample_plan(plan, acting_user=SYSTEM)
    create_sites(
        ic.city,
        [SiteSpec("SCA99", "新市场", ic.sc_type, point(113.0015, 28.0015))],
        acting_user=SYSTEM,
    )
    assert services.verify_sampling(plan) is False


def test_a_sample_of_an_older_algorithm_is_not_called_changed(many, client):
    ic = many
    plan = _plan(ic, 98)
    services.sample_plan(plan, acting_user=SYSTEM)
    InspectionPlan.objects.filter(pk=plan.pk).update(
        sampling={**plan.sampling, "algorithm": "stratified-proportional-v1"}
    )
    plan.refresh_from_db()
    assert services.verify_sampling(plan) is None
    client.force_login(ic.office.user)
    page = client.get(reverse("inspections:plan", args=[plan.pk])).content.decode()
    assert "旧版抽样算法" in page and "点位库已变化" not in page


def test_no_resampling_after_results(ic):
    plan = _plan(ic, 5, {"SC": 3})
    services.sample_plan(plan, acting_user=SYSTEM)
    sample = plan.samples.first()
    services.submit_check(
        plan,
        services.CheckData(
            uuid="0f4d8e6e-7a39-4c3a-9a53-0d1d5f3b3a01",
            sample_id=sample.pk,
            check_item_id=ic.items["SC-1"].pk,
            passed=True,
        ),
        acting_user=ic.office.user,
    )
    with pytest.raises(InvalidTransition):
        services.sample_plan(plan, acting_user=SYSTEM)


def test_unknown_type_and_missing_sizes_refused(ic):
    from chuangwen.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        _plan(ic, 1, {"NOPE": 3})
    with pytest.raises(InvalidInput):
        _plan(ic, 1, {"SC": 0})
