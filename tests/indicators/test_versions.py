from decimal import Decimal

import pytest

from chuangwen.core.errors import InvalidTransition, PermissionDenied
from chuangwen.core.models import AuditEvent
from chuangwen.core.xlsx import Sheet, read_rows
from chuangwen.indicators import services
from chuangwen.indicators.choices import ChangeKind, MatchKind, SystemStatus
from chuangwen.indicators.models import (
    CheckItem,
    EvaluationSystem,
    Indicator,
    IndicatorMapping,
    IndicatorMove,
    Metric,
)
from chuangwen.indicators.registry import (
    indicator_references,
    register_indicator_reference,
)
from chuangwen.indicators.services.parsing import CHECK_COLUMNS, TYPE_COLUMNS
from chuangwen.org.actors import SYSTEM

from .helpers import node_row, xlsx

pytestmark = pytest.mark.django_db

OLD = [
    node_row("A", "", "测评项目", "城市环境"),
    node_row("A.1", "A", "测评内容", "市容市貌"),
    node_row(
        "A.1.1", "A.1", "测评标准", "主次干道公益广告设置不少于3处", 测评方法="实地观察", 分值=2
    ),
    node_row(
        "A.1.2", "A.1", "测评标准", "背街小巷路灯亮灯率达到95%以上", 测评方法="实地观察", 分值=1
    ),
    node_row("A.2", "A", "测评内容", "市场秩序"),
    node_row("A.2.1", "A.2", "测评标准", "农贸市场分区经营划行归市", 测评方法="实地观察"),
    node_row("A.2.2", "A.2", "测评标准", "网吧不接纳未成年人并公示", 测评方法="实地调查"),
    node_row("B", "", "测评项目", "文明风尚"),
    node_row("B.1", "B", "测评内容", "志愿服务"),
    node_row(
        "B.1.1", "B.1", "测评标准", "注册志愿者占常住人口比例达到13%以上", 测评方法="材料审核"
    ),
]
NEW = [
    node_row("A", "", "测评项目", "城市环境"),
    node_row("A.1", "A", "测评内容", "市容市貌"),
    node_row(
        "A.1.1", "A.1", "测评标准", "主次干道公益广告设置不少于3处", 测评方法="实地观察", 分值=3
    ),
    node_row(
        "A.1.2", "A.1", "测评标准", "背街小巷路灯亮灯率达到98%以上", 测评方法="实地观察", 分值=1
    ),
    node_row("A.2", "A", "测评内容", "市场秩序"),
    node_row("B", "", "测评项目", "文明风尚"),
    node_row("B.1", "B", "测评内容", "志愿服务"),
    node_row("A.2.1", "B.1", "测评标准", "农贸市场分区经营划行归市", 测评方法="实地观察"),
    node_row(
        "B.1.5", "B.1", "测评标准", "注册志愿者占常住人口比例达到13%以上", 测评方法="材料审核"
    ),
    node_row("B.1.9", "B.1", "测评标准", "机动车礼让斑马线", 测评方法="实地观察"),
]
CHECKS = [
    Sheet("点位类型", TYPE_COLUMNS, [["ZC", "主次干道", ""]]),
    Sheet(
        "点位检查项",
        CHECK_COLUMNS,
        [["ZC-1", "ZC", "500米内至少3处公益广告", "按缺项扣分", "", 2, 6, "处", "A.1.1", ""]],
    ),
]


@pytest.fixture(autouse=True)
def _only_metrics(monkeypatch):
    """Other apps (built in parallel) register their references too; these tests exercise
    the mechanism on Metric alone so they do not depend on those apps' tables."""
    from chuangwen.indicators import registry

    monkeypatch.setattr(
        registry, "_references", [r for r in registry._references if r.model is Metric]
    )


@pytest.fixture
def versions(small_city):
    city = small_city.city
    old = services.import_evaluation_system(
        city, xlsx(OLD, CHECKS), name="旧版", version_year=2018, acting_user=SYSTEM
    )
    services.adopt_system(old, acting_user=SYSTEM)
    new = services.import_evaluation_system(
        city, xlsx(NEW), name="新版", version_year=2021, acting_user=SYSTEM
    )
    return small_city, EvaluationSystem.objects.get(pk=old.pk), new


def _node(system, code):
    return Indicator.objects.get(system=system, code=code)


def test_import_next_to_active_maps_by_code_then_similarity(versions):
    _, old, new = versions
    assert new.previous == old and new.status == SystemStatus.DRAFT
    rows = {
        m.old.code: (m.new.code if m.new else None, m.match)
        for m in IndicatorMapping.objects.filter(system=new).select_related("old", "new")
    }
    assert rows["A.1.1"] == ("A.1.1", MatchKind.CODE)
    assert rows["A.2.1"] == ("A.2.1", MatchKind.CODE)
    assert rows["B.1.1"] == ("B.1.5", MatchKind.SIMILAR)
    assert rows["A.2.2"] == (None, MatchKind.UNMATCHED)
    assert len(rows) == len(OLD)


def test_similarity_threshold_and_one_to_one():
    old = [{"id": 1, "code": "x", "title": "背街小巷路灯亮灯率", "text": "", "clauses": []}]
    new = [
        {"id": 10, "code": "y", "title": "背街小巷路灯亮灯率达标", "text": "", "clauses": []},
        {"id": 11, "code": "z", "title": "背街小巷路灯", "text": "", "clauses": []},
    ]
    assert services.match_nodes(old, new)[1][:2] == (10, MatchKind.SIMILAR)
    assert services.match_nodes(old, new, threshold=0.99)[1][:2] == (None, MatchKind.UNMATCHED)
    assert services.similarity("完全不同的文字", "背街小巷") == 0


def test_diff_lists_every_kind_of_change(versions):
    _, _old, new = versions
    report = services.diff_report(new)
    got = {
        (r.kind, r.old.code if r.old else None, r.new.code if r.new else None) for r in report.rows
    }
    assert got == {
        (ChangeKind.POINTS, "A.1.1", "A.1.1"),
        (ChangeKind.REWORDED, "A.1.2", "A.1.2"),
        (ChangeKind.MOVED, "A.2.1", "A.2.1"),
        (ChangeKind.REMOVED, "A.2.2", None),
        (ChangeKind.ADDED, None, "B.1.9"),
    }
    points = next(r for r in report.rows if r.kind == ChangeKind.POINTS)
    assert points.detail == "分值 2 → 3"
    moved = next(r for r in report.rows if r.kind == ChangeKind.MOVED)
    assert moved.detail == "上级 A.2 → B.1"
    rows = [r for _, r in read_rows(services.diff_xlsx(report), ["变化", "原编号", "新编号"])]
    assert {(r["变化"], r["原编号"], r["新编号"]) for r in rows} == {
        ("分值变化", "A.1.1", "A.1.1"),
        ("文字修改", "A.1.2", "A.1.2"),
        ("位置调整", "A.2.1", "A.2.1"),
        ("删除", "A.2.2", None),
        ("新增", None, "B.1.9"),
    }


def test_office_corrects_the_mapping(versions):
    sc, _old, new = versions
    mapping = IndicatorMapping.objects.get(system=new, old__code="A.2.2")
    with pytest.raises(PermissionDenied):
        services.set_mapping(mapping, _node(new, "B.1.9"), acting_user=sc.liaison_a.user)
    services.set_mapping(mapping, _node(new, "B.1.9"), acting_user=sc.office.user)
    mapping.refresh_from_db()
    assert mapping.match == MatchKind.MANUAL and mapping.reviewed
    kinds = {(r.kind, r.old.code if r.old else None) for r in services.diff_report(new).rows}
    assert (ChangeKind.REMOVED, "A.2.2") not in kinds
    assert (ChangeKind.ADDED, None) not in kinds
    # a rebuild keeps what the office reviewed
    services.build_mapping(new)
    assert IndicatorMapping.objects.get(system=new, old__code="A.2.2").new.code == "B.1.9"
    assert AuditEvent.objects.filter(code="indicators.mapping.set").count() == 1


def test_adoption_moves_attached_objects_and_lists_the_unmapped(versions):
    sc, old, new = versions
    city = sc.city
    m_same = Metric.objects.create(city=city, indicator=_node(old, "A.1.1"), name="公益广告数")
    m_similar = Metric.objects.create(
        city=city, indicator=_node(old, "B.1.1"), name="注册率", target=Decimal("13")
    )
    m_lost = Metric.objects.create(city=city, indicator=_node(old, "A.2.2"), name="网吧检查")
    with pytest.raises(PermissionDenied):
        services.adopt_system(new, acting_user=sc.leader.user)
    result = services.adopt_system(new, acting_user=sc.office.user)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (SystemStatus.ARCHIVED, SystemStatus.ACTIVE)
    for metric, code in ((m_same, "A.1.1"), (m_similar, "B.1.5")):
        metric.refresh_from_db()
        assert metric.indicator == _node(new, code)
    m_lost.refresh_from_db()
    assert m_lost.indicator == _node(old, "A.2.2")  # waits for a decision
    assert result.moved == {"indicators.metric": 2}
    assert [(i.code, refs) for i, refs in result.unmapped] == [("A.2.2", {"indicators.metric": 1})]
    history = IndicatorMove.objects.get(
        object_type="indicators.metric", object_id=str(m_similar.pk)
    )
    assert (history.old.code, history.new.code, history.old.system_id) == ("B.1.1", "B.1.5", old.pk)
    event = AuditEvent.objects.get(code="indicators.system.adopted", object_id=str(new.pk))
    assert event.after["moved"] == {"indicators.metric": 2}
    assert event.after["unmapped"] == [_node(old, "A.2.2").pk]
    # the checklist came along, linked to the new standard
    item = CheckItem.objects.get(system=new, code="ZC-1")
    assert list(item.standards.values_list("code", "system")) == [("A.1.1", new.pk)]
    assert CheckItem.objects.get(system=old, code="ZC-1").standards.get().system_id == old.pk
    # the office decides on the unmapped one, and it moves too
    mapping = IndicatorMapping.objects.get(system=new, old__code="A.2.2")
    services.set_mapping(mapping, _node(new, "A.2.1"), acting_user=sc.office.user)
    again = services.move_attached(new, acting_user=sc.office.user)
    m_lost.refresh_from_db()
    assert m_lost.indicator == _node(new, "A.2.1")
    assert again.moved == {"indicators.metric": 1} and again.unmapped == []
    with pytest.raises(InvalidTransition):
        services.adopt_system(new, acting_user=SYSTEM)


def test_registry_accepts_only_foreign_keys_to_indicators():
    with pytest.raises(ValueError):
        register_indicator_reference(Metric, "city")
    register_indicator_reference(Metric, "indicator")  # idempotent
    assert [r.label for r in indicator_references()].count("indicators.metric") == 1


def test_city_additions_to_the_catalogue_are_marked_and_audited(small_city):
    city = small_city.city
    system = services.import_evaluation_system(
        city, xlsx(OLD), name="旧版", version_year=2018, acting_user=SYSTEM
    )
    with pytest.raises(PermissionDenied):
        services.create_site_type(city, code="YS", name="夜市", acting_user=small_city.leader.user)
    night = services.create_site_type(
        city, code="YS", name="夜市", acting_user=small_city.office.user
    )
    item = services.create_check_item(
        system,
        night,
        code="YS-1",
        text="每 100 米设置 1 处垃圾桶",
        rule="deduct",
        deduct="0.5",
        cap="2",
        unit_label="处",
        standards=[_node(system, "A.1.1")],
        acting_user=small_city.office.user,
    )
    assert night.city_added and item.city_added
    assert item.rule_summary() == "每缺 1 处扣 0.5 分，最多扣 2 分"
    from chuangwen.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.create_check_item(
            system, night, code="YS-2", text="x", rule="deduct", acting_user=SYSTEM
        )
    assert AuditEvent.objects.filter(code="indicators.check_item.created").count() == 1
