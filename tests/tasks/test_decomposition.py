import datetime as dt

import pytest

from chuangwen.core.errors import ImportFailed, InvalidInput, PermissionDenied
from chuangwen.core.models import AuditEvent
from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.indicators import services as ind_services
from chuangwen.indicators.models import CheckItem, EvaluationSystem, IndicatorMove, SiteType
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import UnitKind
from chuangwen.org.scope import scope_for_user
from chuangwen.sites import services as site_services
from chuangwen.tasks import decomposition, selectors, services
from chuangwen.tasks.choices import LeadMode, SupportFromSites, TaskSource, TaskStatus
from chuangwen.tasks.models import Task, TaskSupport
from tests import factories
from tests.indicators.helpers import node_row, xlsx
from tests.tasks.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db


def _market_standards(system):
    market = SiteType.objects.get(city=system.city, name="农贸市场")
    ids = set(
        CheckItem.standards.through.objects.filter(
            checkitem__system=system, checkitem__site_type=market
        ).values_list("indicator_id", flat=True)
    )
    return market, ids


def test_rules_over_the_full_shipped_system(tc):
    regulator = factories.unit(tc.city, UnitKind.DEPARTMENT, parent=tc.hq, name="市场监管局")
    market, market_ids = _market_standards(tc.system)
    assert market_ids  # the seed links standards to the market checklist
    # a market in community A (street A): its street supports; none in street B
    site_services.create_site(
        tc.city,
        site_services.SiteSpec(
            code="M1",
            name="甲菜市场",
            site_type=market,
            geometry={"type": "Point", "coordinates": [113.005, 28.005]},
        ),
        acting_user=SYSTEM,
    )
    r_market = decomposition.create_rule(
        tc.city,
        name="农贸市场标准由市场监管局牵头",
        site_type=market,
        lead_unit=regulator,
        supporting_units=[tc.dept],
        support_from_sites=SupportFromSites.SITE_STREET,
        content="按农贸市场检查项整治",
        deadline=dt.date(2026, 6, 30),
        acting_user=tc.office.user,
    )
    r_streets = decomposition.create_rule(
        tc.city,
        name="市容环境标准由每个街道牵头",
        code_prefix="6.1",
        lead_mode=LeadMode.EACH_OF_KIND,
        lead_kind=UnitKind.STREET,
        acting_user=tc.office.user,
    )
    r_docs = decomposition.create_rule(
        tc.city,
        name="材料审核标准由城管局牵头",
        method="document",
        lead_unit=tc.dept,
        acting_user=tc.office.user,
    )
    result = decomposition.apply_rules(tc.system, acting_user=tc.office.user)
    # every standard matched by each rule, derived independently from the tree
    all_std = tc.standards
    code61 = [s for s in all_std if s.code.startswith("6.1.")]
    docs = [s for s in all_std if "|document|" in s.method_tags]
    assert result.matched == {
        r_market.pk: len(market_ids),
        r_streets.pk: len(code61),
        r_docs.pk: len(docs),
    }
    expected = (
        {(i, regulator.pk) for i in market_ids}
        | {(s.pk, st.pk) for s in code61 for st in (tc.street_a, tc.street_b)}
        | {(s.pk, tc.dept.pk) for s in docs}
    )
    got = set(Task.objects.filter(city=tc.city).values_list("indicator_id", "lead_unit_id"))
    assert got == expected
    assert result.created == len(expected) and result.existing == 0
    assert result.warnings == []
    t = Task.objects.get(indicator_id=next(iter(market_ids)), lead_unit=regulator)
    assert t.source == TaskSource.RULE and t.rule == r_market
    assert t.deadline == dt.date(2026, 6, 30) and t.content == "按农贸市场检查项整治"
    assert set(t.supporting_units.all()) == {tc.dept, tc.street_a}
    # idempotent: a second application creates nothing, an office edit survives
    services.update_task(t, content="办公室改过", acting_user=tc.office.user)
    again = decomposition.apply_rules(tc.system, acting_user=tc.office.user)
    assert again.created == 0 and again.existing == len(expected)
    t.refresh_from_db()
    assert t.content == "办公室改过"
    assert AuditEvent.objects.filter(code="tasks.rules.applied").count() == 2
    # district A sees its street's 6.1 tasks and the market tasks its street supports
    seen = selectors.tasks_for_user(scope_for_user(tc.liaison_a.user))
    assert {x.lead_unit_id for x in seen} == {tc.street_a.pk, regulator.pk}
    assert seen.filter(lead_unit=regulator).count() == len(market_ids)
    seen_b = selectors.tasks_for_user(scope_for_user(tc.liaison_b.user))
    assert {x.lead_unit_id for x in seen_b} == {tc.street_b.pk}


def test_rule_application_query_count_does_not_grow(tc, django_assert_max_num_queries):
    for k in range(6):
        factories.unit(tc.city, UnitKind.COMMUNITY, parent=tc.street_a, name=f"新社区{k}")
    decomposition.create_rule(
        tc.city,
        name="每个社区",
        method="field",
        lead_mode=LeadMode.EACH_OF_KIND,
        lead_kind=UnitKind.COMMUNITY,
        supporting_units=[tc.dept, tc.street_a],
        acting_user=SYSTEM,
    )
    with django_assert_max_num_queries(20):
        result = decomposition.apply_rules(tc.system, acting_user=SYSTEM)
    assert result.created == 8 * result.matched[next(iter(result.matched))] > 0
    assert TaskSupport.objects.count() == 2 * result.created


def test_rule_validation(tc):
    with pytest.raises(InvalidInput) as exc:
        decomposition.create_rule(tc.city, name="无条件", lead_unit=tc.dept, acting_user=SYSTEM)
    assert exc.value.code == "no_criteria"
    with pytest.raises(InvalidInput):
        decomposition.create_rule(
            tc.city, name="x", code_prefix="6", lead_mode=LeadMode.EACH_OF_KIND, acting_user=SYSTEM
        )
    with pytest.raises(InvalidInput):
        decomposition.create_rule(
            tc.city, name="x", method="magic", lead_unit=tc.dept, acting_user=SYSTEM
        )
    with pytest.raises(PermissionDenied):
        decomposition.create_rule(
            tc.city, name="x", code_prefix="6", lead_unit=tc.dept, acting_user=tc.liaison_a.user
        )


def _table(rows):
    return write_workbook([Sheet("任务分解", decomposition.IMPORT_COLUMNS, rows)])


def test_import_table_creates_and_updates(tc):
    data = _table(
        [
            [
                "6.1.1",
                tc.dept.code,
                f"{tc.street_a.name}、{tc.street_b.code}",
                "清扫保洁",
                "无暴露垃圾",
                "2026-06-30",
            ],
            ["6.1.2", "甲区", "", "背街小巷整治", "", "2026年7月1日"],
        ]
    )
    assert decomposition.import_decomposition(tc.system, data, acting_user=tc.office.user) == 2
    t = Task.objects.get(indicator=tc.std["6.1.1"], lead_unit=tc.dept)
    assert t.source == TaskSource.IMPORT and t.deadline == dt.date(2026, 6, 30)
    assert set(t.supporting_units.all()) == {tc.street_a, tc.street_b}
    t2 = Task.objects.get(indicator=tc.std["6.1.2"])
    assert t2.lead_unit == tc.district_a and t2.deadline == dt.date(2026, 7, 1)
    # the same table again updates in place
    data = _table([["6.1.1", tc.dept.code, "", "改", "", "2026/8/1"]])
    decomposition.import_decomposition(tc.system, data, acting_user=tc.office.user)
    t.refresh_from_db()
    assert Task.objects.count() == 2 and t.content == "改" and t.deadline == dt.date(2026, 8, 1)
    assert not t.supporting_units.exists()
    # export has the import's columns: round trip
    out = decomposition.export_decomposition(Task.objects.all())
    assert decomposition.import_decomposition(tc.system, out, acting_user=SYSTEM) == 2


def test_import_errors_in_chinese_and_nothing_written(tc):
    data = _table(
        [
            ["6.1.1", tc.dept.code, "", "ok", "", "2026-06-30"],
            ["9.9.9", tc.dept.code, "", "", "", ""],
            ["6", tc.dept.code, "", "", "", ""],
            ["6.1.2", "不存在的局", "甲街道、火星街道", "", "", "明年"],
            ["", "", "", "", "", ""],
            [None, tc.dept.code, "", "", "", ""],
            ["6.1.1", tc.dept.code, "", "dup", "", ""],
        ]
    )
    with pytest.raises(ImportFailed) as exc:
        decomposition.import_decomposition(tc.system, data, acting_user=tc.office.user)
    messages = [(e.row, e.column, e.message) for e in exc.value.errors]
    assert (3, "指标编号", f"「9.9.9」不在「{tc.system.name}」中") in messages
    assert (4, "指标编号", "「6」不是测评标准，只能分解到测评标准") in messages
    assert (5, "牵头单位", "单位「不存在的局」不存在") in messages
    assert (5, "配合单位", "单位「火星街道」不存在") in messages
    assert (5, "完成时限", "「明年」不是有效日期（如 2026-06-30）") in messages
    assert (7, "指标编号", "不能为空") in messages
    assert (8, "牵头单位", "与第 2 行的指标和牵头单位重复") in messages
    assert str(exc.value.errors[0]).startswith("工作表「任务分解」 第 3 行 「指标编号」列：")
    assert not Task.objects.exists()
    with pytest.raises(ImportFailed) as exc:
        decomposition.import_decomposition(tc.system, b"not excel", acting_user=tc.office.user)
    assert "Excel" in exc.value.errors[0].message
    missing = write_workbook([Sheet("x", ["指标编号"], [["6.1.1"]])])
    with pytest.raises(ImportFailed) as exc:
        decomposition.import_decomposition(tc.system, missing, acting_user=tc.office.user)
    assert exc.value.errors[0].column == "牵头单位" and exc.value.errors[0].message == "缺少必填列"


OLD = [
    node_row("A", "", "测评项目", "城市环境"),
    node_row("A.1", "A", "测评内容", "市容市貌"),
    node_row("A.1.1", "A.1", "测评标准", "主次干道公益广告设置不少于3处", 测评方法="实地观察"),
    node_row("A.1.2", "A.1", "测评标准", "网吧不接纳未成年人并公示", 测评方法="实地调查"),
]
NEW = [
    node_row("A", "", "测评项目", "城市环境"),
    node_row("A.1", "A", "测评内容", "市容市貌"),
    node_row("A.1.7", "A.1", "测评标准", "主次干道公益广告设置不少于3处", 测评方法="实地观察"),
    node_row("A.1.9", "A.1", "测评标准", "机动车礼让斑马线", 测评方法="实地观察"),
]


def test_adoption_moves_tasks_and_lists_the_stranded(small_city):
    sc = small_city
    old = ind_services.import_evaluation_system(
        sc.city, xlsx(OLD), name="旧版", version_year=2018, acting_user=SYSTEM
    )
    ind_services.adopt_system(old, acting_user=SYSTEM)
    moved = services.create_task(
        sc.city, indicator=old.indicators.get(code="A.1.1"), lead_unit=sc.dept, acting_user=SYSTEM
    )
    gone = services.create_task(
        sc.city, indicator=old.indicators.get(code="A.1.2"), lead_unit=sc.dept, acting_user=SYSTEM
    )
    services.report_progress(moved, text="进展", files=[("a.pdf", PDF_BYTES)], acting_user=SYSTEM)
    new = ind_services.import_evaluation_system(
        sc.city, xlsx(NEW), name="新版", version_year=2021, acting_user=SYSTEM
    )
    result = ind_services.adopt_system(new, acting_user=SYSTEM)
    assert result.moved["tasks.task"] == 1 and result.moved["tasks.evidence"] == 1
    moved.refresh_from_db()
    gone.refresh_from_db()
    assert moved.indicator.system_id == new.pk and moved.indicator.code == "A.1.7"
    assert moved.evidence.get().indicator_id == moved.indicator_id
    assert IndicatorMove.objects.filter(object_type="tasks.task", object_id=str(moved.pk)).exists()
    assert gone.indicator.system_id == old.pk
    stranded = list(selectors.stranded_tasks(scope_for_user(sc.office.user)))
    assert stranded == [gone]
    # nothing new is decomposed onto the archived version
    with pytest.raises(InvalidInput) as exc:
        services.create_task(
            sc.city,
            indicator=old.indicators.get(code="A.1.2"),
            lead_unit=sc.dept,
            acting_user=SYSTEM,
        )
    assert exc.value.code == "inactive_system"
    with pytest.raises(InvalidInput):
        decomposition.apply_rules(EvaluationSystem.objects.get(pk=old.pk), acting_user=SYSTEM)
    # the office moves it by hand (its evidence follows), or closes it; it leaves the list
    services.report_progress(
        gone, text="x", files=[("b.pdf", PDF_BYTES + b"% y\n")], acting_user=SYSTEM
    )
    services.update_task(
        gone, indicator=new.indicators.get(code="A.1.9"), acting_user=sc.office.user
    )
    assert gone.evidence.get().indicator.code == "A.1.9"
    assert not selectors.stranded_tasks(scope_for_user(sc.office.user)).exists()
    assert EvaluationSystem.objects.get(pk=old.pk).status == "archived"
    assert set(Task.objects.values_list("status", flat=True)) == {TaskStatus.IN_PROGRESS}
