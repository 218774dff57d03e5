"""Adopting a new evaluation-system version moves many-to-many references too: a case
category's indicators (``Category.indicators``, registered by cases) follow the mapping, so the
cases a failed check opens keep their category's standards."""

import pytest

from chuangwen.cases import services as case_services
from chuangwen.cases.models import Category
from chuangwen.indicators import services
from chuangwen.indicators.models import (
    EvaluationSystem,
    Indicator,
    IndicatorMapping,
    IndicatorMove,
)
from chuangwen.indicators.registry import indicator_references
from chuangwen.org.actors import SYSTEM

from .helpers import xlsx
from .test_versions import CHECKS, NEW, OLD

pytestmark = pytest.mark.django_db


def _node(system, code):
    return Indicator.objects.get(system=system, code=code)


@pytest.fixture
def adopted_old(small_city):
    office = small_city.office.user
    city = small_city.city
    old = services.import_evaluation_system(
        city, xlsx(OLD, CHECKS), name="旧版", version_year=2018, acting_user=office
    )
    services.adopt_system(old, acting_user=office)
    case_services.load_categories(city, acting_user=SYSTEM)
    return small_city, EvaluationSystem.objects.get(pk=old.pk)


def test_category_indicators_are_registered():
    refs = {(r.label, r.field, r.many) for r in indicator_references()}
    assert ("cases.category", "indicators", True) in refs


def test_adoption_moves_a_categorys_indicators_along_the_mapping(adopted_old):
    sc, old = adopted_old
    office = sc.office.user
    garbage = Category.objects.get(city=sc.city, code="SJ0102")
    ads = Category.objects.get(city=sc.city, code="SJ0201")
    case_services.update_category(
        garbage,
        indicators=[_node(old, "A.1.1"), _node(old, "B.1.1"), _node(old, "A.2.2")],
        acting_user=office,
    )
    case_services.update_category(ads, indicators=[_node(old, "A.1.1")], acting_user=office)
    new = services.import_evaluation_system(
        sc.city, xlsx(NEW), name="新版", version_year=2021, acting_user=office
    )

    result = services.adopt_system(new, acting_user=office)

    # A.1.1 → A.1.1 (same code), B.1.1 → B.1.5 (similar text); A.2.2 has no new node yet
    assert set(garbage.indicators.values_list("system_id", "code")) == {
        (new.pk, "A.1.1"),
        (new.pk, "B.1.5"),
        (old.pk, "A.2.2"),
    }
    assert list(ads.indicators.values_list("system_id", "code")) == [(new.pk, "A.1.1")]
    assert result.moved["cases.category"] == 3
    assert ("A.2.2", {"cases.category": 1}) in [(i.code, r) for i, r in result.unmapped]
    moves = IndicatorMove.objects.filter(object_type="cases.category", object_id=str(garbage.pk))
    assert {(m.old.code, m.new.code, m.field) for m in moves} == {
        ("A.1.1", "A.1.1", "indicators"),
        ("B.1.1", "B.1.5", "indicators"),
    }

    # the office maps the removed standard onto one the category already has: merged, not twice

    mapping = IndicatorMapping.objects.get(system=new, old__code="A.2.2")
    services.set_mapping(mapping, _node(new, "A.1.1"), acting_user=office)
    again = services.move_attached(new, acting_user=office)
    assert again.moved == {"cases.category": 1} and again.unmapped == []
    assert sorted(garbage.indicators.values_list("code", flat=True)) == ["A.1.1", "B.1.5"]
    assert not garbage.indicators.filter(system=old).exists()
