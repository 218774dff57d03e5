"""多城联创: systems of other titles, standards linked across systems, tasks serving several
systems, the battle map and the overview filtered by title."""

import json

import pytest

from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.core.models import AuditEvent
from chuangwen.indicators import services as ind
from chuangwen.indicators.choices import CityTitle
from chuangwen.indicators.models import EvaluationSystem, StandardLink
from chuangwen.tasks import services
from chuangwen.tasks.models import TaskStandard
from tests.indicators.helpers import node_row, xlsx

pytestmark = pytest.mark.django_db


def hygiene_xlsx() -> bytes:
    return xlsx(
        [
            node_row("H1", "", "测评项目", "市容环境卫生"),
            node_row("H1.1", "H1", "测评标准", "农贸市场卫生"),
            node_row("H1.2", "H1", "测评标准", "背街小巷卫生"),
            node_row("H2", "", "测评项目", "病媒生物防制"),
            node_row("H2.1", "H2", "测评标准", "鼠密度控制"),
        ]
    )


@pytest.fixture
def mt(tc):
    """TaskCity plus an adopted 国家卫生城市 system imported from Excel."""
    tc.hyg = ind.import_evaluation_system(
        tc.city,
        hygiene_xlsx(),
        fmt="xlsx",
        name="卫生城市测评（测试）",
        version_year=2026,
        title=CityTitle.HYGIENIC,
        acting_user=tc.office.user,
    )
    ind.adopt_system(tc.hyg, acting_user=tc.office.user)
    tc.hyg.refresh_from_db()
    tc.h = {n.code: n for n in tc.hyg.indicators.all()}
    return tc


def test_another_title_is_imported_next_to_the_civilized_one(mt):
    assert mt.hyg.status == "active" and mt.hyg.previous_id is None
    mt.system.refresh_from_db()
    assert mt.system.status == "active" and mt.system.title == CityTitle.CIVILIZED
    # a new version of the hygiene system archives only the hygiene system
    second = ind.import_evaluation_system(
        mt.city,
        hygiene_xlsx(),
        fmt="xlsx",
        name="卫生城市测评（新版）",
        version_year=2027,
        title=CityTitle.HYGIENIC,
        acting_user=mt.office.user,
    )
    assert second.previous_id == mt.hyg.pk
    ind.adopt_system(second, acting_user=mt.office.user)
    mt.system.refresh_from_db()
    mt.hyg.refresh_from_db()
    assert mt.system.status == "active" and mt.hyg.status == "archived"


def test_title_other_needs_a_name_and_minors_belong_to_the_civilized_title(mt):
    from chuangwen.core.errors import ImportFailed

    with pytest.raises(ImportFailed) as exc:
        ind.import_evaluation_system(
            mt.city,
            hygiene_xlsx(),
            fmt="xlsx",
            name="x",
            version_year=2026,
            title=CityTitle.OTHER,
            acting_user=mt.office.user,
        )
    assert "称号名称" in str(exc.value.errors[0].message)
    n = EvaluationSystem.objects.count()
    with pytest.raises(InvalidInput, match="属于全国文明城市"):
        minors = EvaluationSystem.objects.create(
            city=mt.city, name="m", kind="minors", version_year=2026
        )
        ind.set_system_title(minors, title=CityTitle.GARDEN, acting_user=mt.office.user)
    assert EvaluationSystem.objects.count() == n + 1
    other = ind.set_system_title(
        mt.hyg, title=CityTitle.OTHER, title_other="全国节水型城市", acting_user=mt.office.user
    )
    assert other.title_label == "全国节水型城市"
    with pytest.raises(InvalidInput, match="已有启用的同一称号"):
        ind.set_system_title(mt.hyg, title=CityTitle.CIVILIZED, acting_user=mt.office.user)
    with pytest.raises(PermissionDenied):
        ind.set_system_title(mt.hyg, title=CityTitle.GARDEN, acting_user=mt.leader.user)


def test_links_bad_input_refused_nothing_changed(mt):
    link = ind.link_standards(
        mt.h["H1.1"], mt.std["4.2.1"], note="农贸市场", acting_user=mt.office.user
    )
    assert link.a_id < link.b_id
    assert AuditEvent.objects.filter(code="indicators.link.created").count() == 1
    with pytest.raises(InvalidInput, match="同一测评体系"):
        ind.link_standards(mt.std["6.1.1"], mt.std["6.1.2"], acting_user=mt.office.user)
    with pytest.raises(InvalidInput, match="已建立对应"):  # either direction is a duplicate
        ind.link_standards(mt.std["4.2.1"], mt.h["H1.1"], acting_user=mt.office.user)
    with pytest.raises(InvalidInput, match="不是测评标准"):
        ind.link_standards(mt.h["H1"], mt.std["4.2.1"], acting_user=mt.office.user)
    with pytest.raises(PermissionDenied):
        ind.link_standards(mt.h["H1.2"], mt.std["6.1.2"], acting_user=mt.liaison_a.user)
    assert StandardLink.objects.count() == 1
    assert AuditEvent.objects.filter(code="indicators.link.created").count() == 1


def test_a_task_serves_several_systems(mt):
    ind.link_standards(mt.h["H1.1"], mt.std["4.2.1"], acting_user=mt.office.user)
    task = mt.task("4.2.1")
    assert [i.code for i in services.proposed_standards(task)] == ["H1.1"]
    services.set_task_standards(
        task, indicators=[mt.h["H1.1"], mt.h["H2.1"]], acting_user=mt.office.user
    )
    rows = {r.indicator.code: r.from_link for r in TaskStandard.objects.select_related("indicator")}
    assert rows == {"H1.1": True, "H2.1": False}
    assert services.proposed_standards(task) == []
    task.refresh_from_db()
    assert task.indicator == mt.std["4.2.1"]  # the primary link stays
    with pytest.raises(InvalidInput, match="同一体系"):
        services.set_task_standards(task, indicators=[mt.std["6.1.1"]], acting_user=mt.office.user)
    with pytest.raises(PermissionDenied):
        services.set_task_standards(task, indicators=[], acting_user=mt.liaison_a.user)
    assert TaskStandard.objects.filter(task=task).count() == 2
    services.set_task_standards(task, indicators=[], acting_user=mt.office.user)
    assert TaskStandard.objects.filter(task=task).count() == 0


def test_apply_links_and_the_title_filter(mt, client_for):
    ind.link_standards(mt.h["H1.2"], mt.std["6.1.2"], acting_user=mt.office.user)
    served = mt.task("6.1.2")
    other = mt.task("6.1.1")
    assert services.apply_links_to_tasks(mt.city, acting_user=mt.office.user) == 1
    assert services.apply_links_to_tasks(mt.city, acting_user=mt.office.user) == 0
    c = client_for(mt.office)
    r = c.get("/api/tasks/?title=hygienic")
    assert [t["id"] for t in r.json()["items"]] == [served.pk]
    r = c.get("/api/tasks/?title=civilized")
    assert {t["id"] for t in r.json()["items"]} == {served.pk, other.pk}
    assert c.get("/api/tasks/?title=nonsense").status_code == 400
    r = c.get("/tasks/battle-map/?title=hygienic")
    assert r.status_code == 200 and 'name="title"' in r.content.decode()
    r = c.get("/tasks/titles/")
    body = r.content.decode()
    assert r.status_code == 200 and body.count('data-testid="title-card"') == 2
    assert "国家卫生城市" in body
    r = client_for(mt.leader).get("/tasks/titles/?title=hygienic")
    assert r.content.decode().count('data-testid="title-card"') == 1
    assert '<dd class="col-5" data-testid="title-tasks">1</dd>' in r.content.decode()
    assert client_for(mt.leader).get("/tasks/titles/?title=zzz").status_code == 400


def test_link_pages_and_picker(mt, client_for):
    c = client_for(mt.office)
    r = c.get("/indicators/standards/pick/?name=a&q=农贸")
    body = r.content.decode()
    assert f'value="{mt.h["H1.1"].pk}"' in body and f'value="{mt.std["4.2.1"].pk}"' in body
    assert 'type="radio" name="a"' in body
    r = c.get(
        f"/indicators/standards/pick/?name=standards&multiple=on&q=农贸&exclude={mt.system.pk}"
    )
    assert f'value="{mt.std["4.2.1"].pk}"' not in r.content.decode()
    r = c.post("/indicators/links/new/", {"a": mt.h["H1.1"].pk, "b": mt.std["4.2.1"].pk})
    assert r.status_code == 302
    r = c.post("/indicators/links/new/", {"a": mt.std["4.2.1"].pk, "b": mt.h["H1.1"].pk})
    assert r.status_code == 400 and "已建立对应" in r.content.decode()
    r = c.post("/indicators/links/new/", {"a": mt.std["6.1.1"].pk, "b": mt.std["6.1.2"].pk})
    assert r.status_code == 400 and "同一测评体系" in r.content.decode()
    assert StandardLink.objects.count() == 1
    r = client_for(mt.leader).get("/indicators/links/")
    assert r.content.decode().count('data-testid="link-row"') == 1
    assert client_for(mt.leader).post("/indicators/links/new/", {}).status_code == 403
    # the task page proposes the linked standard; saving attaches it
    task = mt.task("4.2.1")
    r = c.get(f"/tasks/{task.pk}/")
    assert 'data-testid="proposed"' in r.content.decode()
    r = c.post(f"/tasks/{task.pk}/standards/", {"standards": [mt.h["H1.1"].pk]})
    assert r.status_code == 302 and TaskStandard.objects.get(task=task).from_link
    r = c.post(f"/tasks/{task.pk}/standards/", {"standards": ["x"]})
    assert r.status_code == 400
    r = c.post(f"/indicators/systems/{mt.hyg.pk}/title/", {"title": "garden"})
    assert r.status_code == 302
    mt.hyg.refresh_from_db()
    assert mt.hyg.title == "garden"
    link = StandardLink.objects.get()
    assert c.post(f"/indicators/links/{link.pk}/delete/").status_code == 302
    assert StandardLink.objects.count() == 0


def test_api(mt, client_for):
    c = client_for(mt.office)
    r = c.post(
        "/api/indicators/links",
        {"a_id": mt.h["H1.1"].pk, "b_id": mt.std["4.2.1"].pk, "note": "农贸"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert {r.json()["a"]["system_title"], r.json()["b"]["system_title"]} == {
        "hygienic",
        "civilized",
    }
    r = c.post(
        "/api/indicators/links",
        {"a_id": mt.h["H1.1"].pk, "b_id": mt.std["4.2.1"].pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "已建立对应" in r.json()["message"]
    r = c.post(
        "/api/indicators/links",
        {"a_id": mt.h["H1.1"].pk, "b_id": mt.h["H1.2"].pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "同一测评体系" in r.json()["message"]
    r = c.get("/api/indicators/links?title=hygienic")
    assert r.json()["count"] == 1
    r = c.get("/api/indicators/systems")
    assert {s["title"] for s in r.json()} == {"civilized", "hygienic"}
    task = mt.task("4.2.1")
    r = c.put(
        f"/api/tasks/{task.pk}/standards",
        {"indicator_ids": [mt.h["H1.1"].pk]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()[0]["code"] == "H1.1"
    r = c.put(
        f"/api/tasks/{task.pk}/standards",
        {"indicator_ids": list(range(1, 60))},
        content_type="application/json",
    )
    assert r.status_code == 400
    link_id = StandardLink.objects.get().pk
    assert client_for(mt.leader).delete(f"/api/indicators/links/{link_id}").status_code == 403
    r = c.delete(f"/api/indicators/links/{link_id}")
    assert r.status_code == 200 and r.json()["id"] == link_id
    assert not StandardLink.objects.exists()


def test_demo_sample_is_marked_and_linked(tc):
    from chuangwen.indicators.demo import SAMPLE_NOTE, build_sample_title_system

    sample = build_sample_title_system(tc.city, tc.system)
    assert sample.unofficial and SAMPLE_NOTE in sample.name
    assert all(SAMPLE_NOTE in n.text for n in sample.indicators.all())
    assert StandardLink.objects.filter(city=tc.city).count() == 4
    assert json.dumps(sample.source, ensure_ascii=False).count("不是任何官方标准") == 1
    assert tc.system.status == "active"
