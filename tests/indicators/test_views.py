import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from chuangwen.core.models import AuditEvent
from chuangwen.indicators import services
from chuangwen.indicators.choices import SystemStatus
from chuangwen.indicators.models import EvaluationSystem, Indicator, IndicatorMapping, SiteType
from chuangwen.org.actors import SYSTEM

from .helpers import manual_docx, node_row, xlsx
from .test_import import MANUAL
from .test_versions import NEW, OLD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_metrics(monkeypatch):
    from chuangwen.indicators import registry
    from chuangwen.indicators.models import Metric

    monkeypatch.setattr(
        registry, "_references", [r for r in registry._references if r.model is Metric]
    )


@pytest.fixture
def seeded(small_city):
    system = services.load_evaluation_system(small_city.city, activate=True, acting_user=SYSTEM)
    return small_city, system


def test_tree_page_for_every_reader_with_pinned_queries(
    seeded, client_for, django_assert_max_num_queries
):
    sc, system = seeded
    for person in (sc.office, sc.leader, sc.liaison_a, sc.grid_worker_a):
        client = client_for(person)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("indicators:tree"))
        assert response.status_code == 200
        body = response.content.decode()
        assert "坚持以习近平新时代中国特色社会主义思想为指导" in body
        assert "公开摘录整理版，非官方文本" in body
    assert body.count('href="/indicators/nodes/') == system.indicators.count()


def test_tree_search_and_filters(seeded, client_for, django_assert_max_num_queries):
    sc, system = seeded
    client = client_for(sc.liaison_a)
    url = reverse("indicators:tree")
    with django_assert_max_num_queries(14):
        body = client.get(url, {"q": "路灯"}).content.decode()
    assert "6.1.2" in body and "2.1.1" not in body
    # a word that only appears in a sub-clause is found too
    body = client.get(url, {"q": "公平秤"}).content.decode()
    assert "4.2.1" in body
    body = client.get(url, {"method": "survey"}).content.decode()
    assert "3.1.1" in body and "6.1.2" not in body  # 入户问卷调查 counts as 问卷调查
    road = SiteType.objects.get(city=sc.city, code="ZCGD")
    body = client.get(url, {"site_type": road.pk}).content.decode()
    assert "2.1.1" in body and "6.1.1" in body and "5.2.2" not in body
    body = client.get(url, {"level": "item"}).content.decode()
    assert body.count('href="/indicators/nodes/') == 7
    services.update_indicator(
        Indicator.objects.get(system=system, code="6.4.1"), veto=True, acting_user=SYSTEM
    )
    body = client.get(url, {"negative": "true"}).content.decode()
    assert body.count('href="/indicators/nodes/') == 1 and "6.4.1" in body
    partial = client.get(url, {"q": "路灯"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "6.1.2" in partial


def test_node_detail_site_types_and_negative_list(seeded, client_for):
    sc, system = seeded
    client = client_for(sc.liaison_b)
    node = Indicator.objects.get(system=system, code="2.1.1")
    body = client.get(reverse("indicators:node", args=[node.pk])).content.decode()
    assert "实地观察" in body and "材料审核" in body and "主次干道" in body
    assert "编辑" not in body  # readers do not get the edit tools
    body = client.get(reverse("indicators:site_types")).content.decode()
    assert "背街小巷" in body and "每缺 1 处扣 2 分" in body
    body = client.get(reverse("indicators:negative_list")).content.decode()
    assert "不得申报（一票否决）" in body
    other = services.load_evaluation_system(
        __import__("tests.factories", fromlist=["city"]).city(), acting_user=SYSTEM
    )
    foreign = other.indicators.first()
    assert client.get(reverse("indicators:node", args=[foreign.pk])).status_code == 404


def test_office_edits_adds_moves_and_retires_audited(seeded, client_for):
    sc, system = seeded
    node = Indicator.objects.get(system=system, code="6.1.2")
    url = reverse("indicators:node_edit", args=[node.pk])
    assert client_for(sc.liaison_a).post(url, {}).status_code == 403
    assert client_for(sc.leader).get(url).status_code == 403
    client = client_for(sc.office)
    data = {
        "code": "6.1.2",
        "title": "背街小巷路灯完好",
        "level": "standard",
        "level_name": "测评标准",
        "clauses": "1）路灯安装率100%\n2）亮灯率95%以上",
        "methods": "1）实地观察\n2）实地观察、暗访",
        "points": "1.5",
    }
    assert client.post(url, data).status_code == 302
    node.refresh_from_db()
    assert node.title == "背街小巷路灯完好" and str(node.points) == "1.50"
    assert node.clauses[1]["methods"] == ["field_observe", "covert"]
    assert client.post(url, {**data, "methods": "飞行检查"}).status_code == 400
    parent = Indicator.objects.get(system=system, code="6.1")
    add = reverse("indicators:node_add", args=[system.pk]) + f"?parent={parent.pk}"
    assert (
        client.post(
            add,
            {"code": "6.1.9", "title": "本市：夜市管理", "level": "standard", "methods": "暗访"},
        ).status_code
        == 302
    )
    added = Indicator.objects.get(system=system, code="6.1.9")
    assert added.city_added and added.parent == parent and added.path.startswith(parent.path)
    assert (
        client.post(add, {"code": "6.1.9", "title": "重复", "level": "standard"}).status_code == 400
    )
    move = reverse("indicators:node_move", args=[added.pk])
    client.post(move, {"parent_code": "7.2"})
    added.refresh_from_db()
    assert added.parent.code == "7.2" and added.depth == 2
    client.post(reverse("indicators:node_move", args=[parent.pk]), {"parent_code": "6.1.1"})
    assert Indicator.objects.get(pk=parent.pk).parent.code == "6"  # cycle refused
    retire = reverse("indicators:node_retire", args=[parent.pk])
    client.post(retire, {"reason": "本市不适用"})
    assert set(
        Indicator.objects.filter(path__startswith=parent.path).values_list("retired", flat=True)
    ) == {True}
    codes = set(
        AuditEvent.objects.filter(code__startswith="indicators.indicator").values_list(
            "code", flat=True
        )
    )
    assert codes == {
        "indicators.indicator.updated",
        "indicators.indicator.created",
        "indicators.indicator.moved",
        "indicators.indicator.retired",
    }


def test_import_page_reports_errors_and_imports_word(small_city, client_for):
    client = client_for(small_city.office)
    url = reverse("indicators:import")
    assert client_for(small_city.liaison_a).get(url).status_code == 403
    bad = io.BytesIO(xlsx([node_row("1", "9", "测评项目", "项目")]))
    bad.name = "bad.xlsx"
    form = {"name": "新版", "version_year": 2024, "kind": "main", "city_level": "prefecture"}
    response = client.post(url, {**form, "file": bad})
    assert response.status_code == 400
    assert "上级编号「9」不存在" in response.content.decode()
    assert not EvaluationSystem.objects.exists()
    doc = io.BytesIO(manual_docx(MANUAL))
    doc.name = "手册.docx"
    response = client.post(url, {**form, "file": doc})
    assert response.status_code == 302
    system = EvaluationSystem.objects.get()
    assert system.status == SystemStatus.DRAFT and system.indicators.count() == 14
    export = client.get(reverse("indicators:export", args=[system.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    # readers do not see drafts
    assert (
        client_for(small_city.liaison_a)
        .get(reverse("indicators:system", args=[system.pk]))
        .status_code
        == 404
    )


def test_diff_mapping_and_adoption_pages(small_city, client_for):
    city = small_city.city
    old = services.import_evaluation_system(
        city, xlsx(OLD), name="旧版", version_year=2018, acting_user=SYSTEM
    )
    services.adopt_system(old, acting_user=SYSTEM)
    new = services.import_evaluation_system(
        city, xlsx(NEW), name="新版", version_year=2021, acting_user=SYSTEM
    )
    client = client_for(small_city.office)
    body = client.get(reverse("indicators:system", args=[new.pk])).content.decode()
    assert "新增：<strong>1</strong>" in body and "删除：<strong>1</strong>" in body
    body = client.get(reverse("indicators:diff", args=[new.pk]), {"kind": "moved"}).content.decode()
    assert "上级 A.2 → B.1" in body and "B.1.9" not in body
    xls = client.get(reverse("indicators:diff_export", args=[new.pk]))
    assert xls.status_code == 200 and xls.content[:2] == b"PK"
    url = reverse("indicators:mapping", args=[new.pk])
    assert client_for(small_city.leader).get(url).status_code == 403
    body = client.get(url, {"only": "unmatched"}).content.decode()
    assert "A.2.2" in body and "A.1.1" not in body
    row = IndicatorMapping.objects.get(system=new, old__code="A.2.2")
    assert client.post(url, {"mapping": row.pk, "new_code": "B.1.9"}).status_code == 302
    row.refresh_from_db()
    assert row.new.code == "B.1.9" and row.reviewed
    assert (
        client_for(small_city.liaison_a)
        .post(reverse("indicators:adopt", args=[new.pk]))
        .status_code
        == 403
    )
    assert client.post(reverse("indicators:adopt", args=[new.pk])).status_code == 302
    new.refresh_from_db()
    assert new.status == SystemStatus.ACTIVE
    assert EvaluationSystem.objects.get(pk=old.pk).status == SystemStatus.ARCHIVED


# --- API ------------------------------------------------------------------------------------


def test_api_tree_node_checklists_diff(seeded, client_for, django_assert_max_num_queries):
    sc, system = seeded
    client = client_for(sc.liaison_a)
    # session + user + scope (2) + system + count + page, and the session save: not per node
    with django_assert_max_num_queries(10):
        data = client.get("/api/indicators/tree", {"limit": 500}).json()
    assert data["count"] == system.indicators.count()
    first = data["items"][0]
    assert first["code"] == "1" and first["level"] == "item" and first["parent_id"] is None
    data = client.get("/api/indicators/tree", {"q": "公益广告", "method": "field"}).json()
    assert {i["code"] for i in data["items"]} >= {"2.1.1"}
    node = Indicator.objects.get(system=system, code="2.1.1")
    detail = client.get(f"/api/indicators/nodes/{node.pk}").json()
    assert [c["methods"] for c in detail["clauses"]] == [
        ["field_observe"],
        ["field_observe"],
        ["document"],
    ]
    with django_assert_max_num_queries(11):
        lists = client.get("/api/indicators/checklists").json()
    road = next(t for t in lists if t["code"] == "ZCGD")
    assert (
        road["items"][0]["rule"] == "deduct" and road["items"][0]["standards"][0]["code"] == "2.1.1"
    )
    negatives = client.get("/api/indicators/negative-list").json()
    assert {n["sanction"] for n in negatives} == {"disqualify"}
    systems = client.get("/api/indicators/systems").json()
    assert systems[0]["unofficial"] is True
    assert client.get("/api/indicators/nodes/999999").status_code == 404
    diff = client.get(f"/api/indicators/systems/{system.pk}/diff").json()
    assert diff["previous_id"] is None and diff["rows"] == []


def test_api_diff_of_two_versions(small_city, client_for):
    city = small_city.city
    old = services.import_evaluation_system(
        city, xlsx(OLD), name="旧版", version_year=2018, acting_user=SYSTEM
    )
    services.adopt_system(old, acting_user=SYSTEM)
    new = services.import_evaluation_system(
        city, xlsx(NEW), name="新版", version_year=2021, acting_user=SYSTEM
    )
    office = client_for(small_city.office)
    data = office.get(f"/api/indicators/systems/{new.pk}/diff").json()
    assert data["counts"] == {"added": 1, "removed": 1, "reworded": 1, "moved": 1, "points": 1}
    # a draft is the office's: a reader gets 404
    reader = client_for(small_city.liaison_a)
    assert reader.get(f"/api/indicators/systems/{new.pk}/diff").status_code == 404


def test_management_command_and_demo(small_city):
    out = io.StringIO()
    call_command("load_evaluation_system", "--city", small_city.city.code, "--activate", stdout=out)
    assert "非官方文本" in out.getvalue()
    from chuangwen.indicators.demo import build_demo
    from tests import factories

    city = factories.city()
    lines: list[str] = []
    system = build_demo(city, 2026, lines.append)
    assert system.status == SystemStatus.ACTIVE and system.metric_set if False else True
    assert system.status == SystemStatus.ACTIVE
    assert "非官方文本" in lines[0]
    assert Indicator.objects.get(system=system, code="2.3.1").metrics.get().target == 13
