from decimal import Decimal

import pytest

from chuangwen.cases import services as case_services
from chuangwen.cases.choices import Source
from chuangwen.core.models import AuditEvent
from chuangwen.indicators.models import Metric, SiteType
from chuangwen.org.actors import SYSTEM
from chuangwen.sites import services as site_services
from chuangwen.tasks import formula, metrics
from chuangwen.tasks.formula import FormulaError, Quantity
from chuangwen.tasks.models import MetricValue

VOCAB = {
    "demo": {
        "n": Quantity(lambda ctx, v="2": Decimal(v), 0, 1, doc='demo.n("2")'),
        "zero": Quantity(lambda ctx: Decimal(0), 0, 0, doc="demo.zero()"),
    }
}


def ev(src: str) -> Decimal:
    return formula.evaluate(formula.parse(src, VOCAB), VOCAB, None)


@pytest.mark.parametrize(
    ("src", "value"),
    [
        ("1 + 2 * 3", Decimal("7")),
        ("(1 + 2) * 3", Decimal("9")),
        ("-demo.n() + 10", Decimal("8")),
        ('demo.n("7.5") / 3', Decimal("2.5")),
        ("0.1 + 0.2", Decimal("0.3")),  # Decimal, not float
        ("round(2 / 3, 2)", Decimal("0.67")),
        ("max(1, demo.n(), 0.5) - min(4, 3)", Decimal("-1")),
        ("abs(-3)", Decimal("3")),
    ],
)
def test_valid_formulas(src, value):
    assert ev(src) == value


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("1 +", "公式语法错误"),
        ("", "公式不能为空"),
        ("foo + 1", "未知的名称「foo」"),
        ("demo.nope()", "未知的名称「demo.nope」"),
        ("os.system('rm')", "未知的名称「os」"),
        ("__import__('os')", "未知的函数「__import__」"),
        ("demo.n.__class__", "须写成函数调用"),
        ("(1).__class__", "须写成函数调用"),
        ("2 ** 10", "不支持的运算「**」"),
        ("1 if 1 else 2", "不支持的写法"),
        ("[1, 2]", "不支持的写法"),
        ("lambda: 1", "不支持的写法"),
        ("'文字' + 1", "只能作为函数参数"),
        ("demo.n(1, 2)", "参数个数不对"),
        ("demo.n(x=1)", "没有参数「x」"),
        ("demo.n(demo.zero())", "参数只能是文字或数字"),
        ("round(1, 2, 3)", "参数个数不对"),
        ("True + 1", "不支持的常量"),
        ("1" + " + 1" * 400, "公式过"),
    ],
)
def test_invalid_formulas_in_chinese(src, message):
    with pytest.raises(FormulaError) as exc:
        formula.parse(src, VOCAB)
    assert message in str(exc.value.message)


def test_division_by_zero_is_a_chinese_error():
    with pytest.raises(FormulaError) as exc:
        ev("10 / demo.zero()")
    assert "除数为零" in str(exc.value.message) and "demo.zero()" in str(exc.value.message)
    with pytest.raises(FormulaError) as exc:
        ev("1 / (2 - 2)")
    assert "除数为零" in str(exc.value.message)


ROAD = {"type": "LineString", "coordinates": [[113.0, 28.005], [113.0102, 28.005]]}


@pytest.fixture
def metric_city(tc):
    types = {t.name: t for t in SiteType.objects.filter(city=tc.city)}
    site_services.create_sites(
        tc.city,
        [
            site_services.SiteSpec(
                code="R1",
                name="人民路",
                site_type=types["主次干道"],
                geometry=ROAD,
                attributes={"公益广告数": 12},
            ),
            site_services.SiteSpec(
                code="L1",
                name="小巷",
                site_type=types["背街小巷"],
                geometry={
                    "type": "LineString",
                    "coordinates": [[113.011, 28.001], [113.011, 28.006]],
                },
                attributes={"公益广告数": "3"},
            ),
            site_services.SiteSpec(
                code="M1",
                name="甲市场",
                site_type=types["农贸市场"],
                geometry={"type": "Point", "coordinates": [113.005, 28.005]},
            ),
            site_services.SiteSpec(
                code="M2",
                name="乙市场",
                site_type=types["农贸市场"],
                geometry={"type": "Point", "coordinates": [113.015, 28.005]},
            ),
        ],
        acting_user=SYSTEM,
    )
    return tc


def test_platform_quantities(metric_city):
    tc = metric_city
    from chuangwen.sites.models import Site

    km = sum(Decimal(str(s.length_m)) for s in Site.objects.filter(geometry_kind="line")) / 1000
    assert km > Decimal("1.4")
    ads = metrics.evaluate_formula(
        '(sites.sum("主次干道", "公益广告数") + sites.sum("背街小巷", "公益广告数"))'
        ' / (sites.sum("主次干道", "length_km") + sites.sum("背街小巷", "length_km"))',
        tc.city.pk,
    )
    assert abs(ads - Decimal(15) / km) < Decimal("0.0001")
    share = 'sites.without_open_cases("农贸市场") / sites.count("农贸市场") * 100'
    assert metrics.evaluate_formula(share, tc.city.pk) == Decimal(100)
    case_services.load_categories(tc.city, acting_user=SYSTEM)
    case_services.intake_case(
        tc.city,
        case_services.IntakeData(
            source=Source.INSPECTION,
            description="市场内垃圾",
            category="SJ0102",
            lon=113.005,
            lat=28.005,
        ),
        acting_user=SYSTEM,
    )
    assert metrics.evaluate_formula(share, tc.city.pk) == Decimal(50)
    assert metrics.evaluate_formula("cases.open() + cases.closed()", tc.city.pk) == 1
    with pytest.raises(FormulaError) as exc:
        metrics.evaluate_formula('sites.count("火星基地")', tc.city.pk)
    assert "点位类型「火星基地」不存在" in str(exc.value.message)
    with pytest.raises(FormulaError) as exc:
        metrics.evaluate_formula('tasks.done_ratio("6.1")', tc.city.pk)
    assert "完成率无法计算" in str(exc.value.message)
    tc.task("6.1.1")
    tc.task("6.1.2")
    assert metrics.evaluate_formula('tasks.done_ratio("6.1") * 100', tc.city.pk) == 0
    assert metrics.evaluate_formula('tasks.count("6.1", "not_started")', tc.city.pk) == 2


def test_metric_saved_only_with_a_valid_formula_and_recomputed(metric_city):
    tc = metric_city
    std = tc.std["4.2.1"]
    with pytest.raises(FormulaError):
        metrics.create_metric(
            tc.city,
            indicator=std,
            name="坏",
            formula_text="sites.cuont()",
            acting_user=tc.office.user,
        )
    assert not Metric.objects.filter(name="坏").exists()
    good = metrics.create_metric(
        tc.city,
        indicator=std,
        name="无问题农贸市场占比",
        formula_text='sites.without_open_cases("农贸市场") / sites.count("农贸市场") * 100',
        unit_label="%",
        target=Decimal(95),
        acting_user=tc.office.user,
    )
    Metric.objects.create(city=tc.city, indicator=std, name="只有目标", target=Decimal(1))
    broken = metrics.create_metric(
        tc.city,
        indicator=std,
        name="无学校",
        formula_text='10 / sites.count("学校周边")',
        acting_user=SYSTEM,
    )
    assert AuditEvent.objects.filter(code="tasks.metric.created").count() == 2
    result = metrics.recompute_metrics(tc.city)
    assert (result.computed, result.failed) == (1, 1)
    assert MetricValue.objects.get(metric=good).value == Decimal(100)
    err = MetricValue.objects.get(metric=broken)
    assert err.value is None and "除数为零" in err.error
    with pytest.raises(FormulaError):
        metrics.update_metric(good, formula="1 +", acting_user=tc.office.user)
    metrics.update_metric(good, formula="42", acting_user=tc.office.user)
    metrics.recompute_metrics(tc.city)
    trend = [v.value for v in MetricValue.objects.filter(metric=good).order_by("at", "id")]
    assert trend == [Decimal(100), Decimal(42)]
