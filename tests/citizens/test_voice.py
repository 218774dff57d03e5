from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chuangwen.cases import services as case_services
from chuangwen.cases.models import Case, Category, Report
from chuangwen.citizens.voice import services
from chuangwen.citizens.voice.models import (
    CategoryModel,
    Suggestion,
    SuggestionLike,
    SuggestionSource,
    Topic,
    TopicItem,
    TopicStatus,
)
from chuangwen.core.errors import ImportFailed, InvalidInput, PermissionDenied
from chuangwen.core.models import Job
from chuangwen.org.actors import PUBLIC, SYSTEM
from tests.parallel import run_parallel

from .conftest import xlsx

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs parallel writers: PostgreSQL"
)


# --- the category model: versions, activation, the job ----------------------------------------


def test_train_versions_and_activation(vc):
    vc.closed_cases()
    with pytest.raises(PermissionDenied):
        services.train_category_model(vc.city, acting_user=vc.liaison_a.user)
    v1 = services.train_category_model(vc.city, acting_user=vc.office.user)
    assert v1.version == 1 and v1.active  # the first version goes live at once
    assert v1.class_counts == {"SJ0102": 15, "SJ0201": 15, "BJ0112": 15}
    assert v1.n_train + v1.n_test == 45 and v1.n_test >= 3
    assert 0 < v1.macro_f1 <= 1
    v2 = services.train_category_model(vc.city, acting_user=vc.office.user)
    assert v2.version == 2 and not v2.active
    services.activate_category_model(v2, acting_user=vc.office.user)
    assert list(CategoryModel.objects.filter(city=vc.city, active=True)) == [v2]
    top = services.suggest(vc.city.pk, ["解放路的路灯坏了不亮"])[0]
    assert top[0][0] == "BJ0112" and len(top) == 3


def test_too_few_cases_refused(vc):
    with pytest.raises(InvalidInput):
        services.train_category_model(vc.city, acting_user=vc.office.user)
    assert not CategoryModel.objects.exists()


def test_training_runs_as_a_visible_job(vc, client_for, django_capture_on_commit_callbacks):
    vc.closed_cases()
    c = client_for(vc.office)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/citizens/models/train/")
    job = Job.objects.get(kind="citizens.train_model")
    assert r.status_code == 302 and job.status == "succeeded", job.error
    assert "v1" in job.result["message"]
    page = c.get("/citizens/models/").content.decode()
    assert "v1" in page and "使用中" in page and "现有 45 件" in page
    # each category by its name, the weakest (lowest held-out F1) first
    m = CategoryModel.objects.get(city=vc.city)
    names = dict(Category.objects.filter(city=vc.city).values_list("code", "name"))
    f1 = m.per_class_f1
    weakest_first = sorted(f1, key=lambda code: (f1[code], -m.class_counts[code], code))
    at = [page.index(f'{names[code]} <span class="text-muted">{code}</span>') for code in f1]
    assert [code for _, code in sorted(zip(at, f1, strict=True))] == weakest_first
    assert client_for(vc.liaison_a).get("/citizens/models/").status_code == 403


# --- suggestions where cases are filed --------------------------------------------------------


def test_public_report_page_suggests_categories_with_units(vc, client):
    vc.closed_cases()
    services.train_category_model(vc.city, acting_user=vc.office.user)
    r = client.get(f"/cases/report/{vc.city.code}/suggest/", {"text": "芙蓉路的路灯晚上不亮"})
    assert r.status_code == 200
    first = r.json()["suggestions"][0]
    assert first["code"] == "BJ0112" and first["unit"] == "城管局"
    assert 0 < first["confidence"] <= 1
    assert client.get(f"/cases/report/{vc.city.code}/suggest/", {"text": "短"}).json() == {
        "suggestions": []
    }
    page = client.get(f"/cases/report/{vc.city.code}/").content.decode()
    assert 'data-testid="category-suggest"' in page


def test_public_suggest_endpoint_is_rate_limited(vc, client, monkeypatch):
    from chuangwen.cases import views

    monkeypatch.setattr(views, "SUGGEST_LIMIT", (3, 60))
    url = f"/cases/report/{vc.city.code}/suggest/"
    codes = [client.get(url, {"text": "路灯不亮了"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_no_model_no_suggestion(vc, client):
    r = client.get(f"/cases/report/{vc.city.code}/suggest/", {"text": "芙蓉路的路灯晚上不亮"})
    assert r.json() == {"suggestions": []}


def test_register_form_shows_the_suggestion(vc, client_for):
    vc.closed_cases()
    services.train_category_model(vc.city, acting_user=vc.office.user)
    case = case_services.intake_case(
        vc.city,
        case_services.IntakeData(source="inspection", description="建设路有一盏路灯一直不亮"),
        acting_user=SYSTEM,
    ).case
    page = client_for(vc.office).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="category-hints"' in page and "BJ0112" in page and "城管局" in page


def test_public_report_may_take_a_suggested_category(vc, client):
    from chuangwen.core import submissions

    r = client.post(
        f"/cases/report/{vc.city.code}/",
        {
            "description": "芙蓉路路灯不亮很久了",
            "address": "芙蓉路",
            "phone": "13800138000",
            "category": "BJ0112",
            "token": submissions.issue("cases.public_report"),
        },
    )
    assert r.status_code == 302
    assert Report.objects.get().case.category.code == "BJ0112"


# --- suggestions: intake, bad input, likes -----------------------------------------------------


def test_public_suggestion_page(vc, client, client_for):
    url = f"/citizens/s/{vc.city.code}/"
    assert client.get(url).status_code == 200
    r = client.post(
        url, {"phone": "13912345678", "text": "建议在人民路增加公共自行车停放点", "place": "人民路"}
    )
    assert r.status_code == 302
    s = Suggestion.objects.get()
    assert s.source == SuggestionSource.PUBLIC and s.contact_phone == "13912345678"
    page = client.get(url).content.decode()
    assert "公共自行车" in page and "13912345678" not in page and "139****5678" not in page
    # a number written into the text itself is masked for the public too
    client.post(url, {"phone": "13912345678", "text": "路灯坏了，请联系我 13811112222"})
    page = client.get(url).content.decode()
    assert "138****2222" in page and "13811112222" not in page
    office = client_for(vc.office).get("/citizens/suggestions/").content.decode()
    assert "139****5678" in office and "13912345678" not in office
    detail = client_for(vc.office).get(f"/citizens/suggestions/{s.pk}/").content.decode()
    assert "13912345678" not in detail
    assert client_for(vc.liaison_a).get(f"/citizens/suggestions/{s.pk}/").status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {"phone": "13912345678", "text": ""},
        {"phone": "13912345678", "text": "   "},
        {"phone": "", "text": "建议多种树多种花"},
        {"phone": "12345", "text": "建议多种树多种花"},
        {"phone": "13912345678", "text": "长" * (10 * 1024 * 1024)},
    ],
)
def test_bad_public_suggestions_are_refused(vc, client, data):
    r = client.post(f"/citizens/s/{vc.city.code}/", data)
    assert r.status_code in (200, 400)  # the form again with its message; 10 MB: 400
    assert not Suggestion.objects.exists()


def test_script_is_stripped_and_escaped(vc, client):
    url = f"/citizens/s/{vc.city.code}/"
    client.post(
        url, {"phone": "13912345678", "text": "<script>alert(1)</script>路边的树该修剪了<b>x</b>"}
    )
    s = Suggestion.objects.get()
    assert "<script>" not in s.text and "路边的树该修剪了" in s.text
    page = client.get(url).content.decode()
    assert "<script>alert" not in page


def test_service_refuses_empty_and_huge_text(vc):
    for text in ["", "<p></p>", "字" * 10_000_000]:
        with pytest.raises(InvalidInput):
            services.submit_suggestion(
                vc.city, text=text, contact_phone="13912345678", acting_user=PUBLIC
            )
    with pytest.raises(PermissionDenied):  # only the office files other sources
        services.submit_suggestion(
            vc.city, text="建议", source=SuggestionSource.OFFICE, acting_user=PUBLIC
        )
    assert not Suggestion.objects.exists()


def test_public_suggestions_are_rate_limited(vc, client, monkeypatch):
    from chuangwen.citizens.voice import views

    monkeypatch.setattr(views, "PUBLIC_LIMIT", (2, 3600))
    url = f"/citizens/s/{vc.city.code}/"
    for i in range(4):
        client.post(url, {"phone": "13912345678", "text": f"第{i}条建议：多建口袋公园"})
    assert Suggestion.objects.count() == 2


def _suggestion(vc, text="建议在解放路增设人行横道", **kw):
    return services.submit_suggestion(
        vc.city, text=text, contact_phone=kw.pop("phone", "13912345678"), acting_user=PUBLIC, **kw
    )


def test_one_like_per_device_and_per_phone(vc, client):
    s = _suggestion(vc)
    assert services.like_suggestion(s, device="device-aaaa-1", acting_user=PUBLIC)
    assert not services.like_suggestion(s, device="device-aaaa-1", acting_user=PUBLIC)
    assert services.like_suggestion(
        s, device="device-bbbb-2", phone="13800000001", acting_user=PUBLIC
    )
    # the same phone on another device
    assert not services.like_suggestion(
        s, device="device-cccc-3", phone="13800000001", acting_user=PUBLIC
    )
    s.refresh_from_db()
    assert s.like_count == 2 == SuggestionLike.objects.count()
    url = f"/citizens/s/{vc.city.code}/{s.pk}/like/"
    r = client.post(url, {"device": "device-dddd-4"})
    assert r.json() == {"counted": True, "likes": 3, "message": ""}
    r = client.post(url, {"device": "device-dddd-4"})
    assert r.json()["counted"] is False and r.json()["likes"] == 3
    assert client.post(url, {"device": "x"}).status_code == 400


@postgres_only
def test_concurrent_likes_count_once(transactional_db):
    from tests import factories

    city = factories.city()
    s = services.submit_suggestion(
        city, text="建议增加公交线路", contact_phone="13912345678", acting_user=PUBLIC
    )

    def work(i):
        return services.like_suggestion(
            Suggestion.objects.get(pk=s.pk),
            device="same-device-xyz" if i % 2 else f"device-{i:04d}-x",
            phone="13800000009",
            acting_user=PUBLIC,
        )

    results = run_parallel(8, work)
    assert sum(r is True for r in results) == 1, results
    s.refresh_from_db()
    assert s.like_count == 1 == SuggestionLike.objects.filter(suggestion=s).count()


# --- imports -----------------------------------------------------------------------------------


def test_hotline_orders_that_are_suggestions_become_suggestions(vc):
    data = xlsx(
        ["工单编号", "诉求内容", "诉求类型", "问题地址", "联系电话", "来电时间"],
        [
            [
                "GD001",
                "建议在五一大道增设公交专用道",
                "建议",
                "五一大道",
                "13900000001",
                "2026-01-05 10:00",
            ],
            ["GD002", "芙蓉路有暴露垃圾", "投诉", "芙蓉路", "13900000002", "2026-01-05 11:00"],
        ],
    )
    results = case_services.import_hotline_orders(vc.city, data, acting_user=vc.office.user)
    assert len(results) == 1 and Case.objects.count() == 1
    s = Suggestion.objects.get()
    assert (
        s.source == SuggestionSource.HOTLINE and s.external_id == "GD001" and s.place == "五一大道"
    )
    with pytest.raises(ImportFailed):  # the same order again: all or nothing
        case_services.import_hotline_orders(vc.city, data, acting_user=vc.office.user)
    assert Suggestion.objects.count() == 1 and Case.objects.count() == 1


def test_hotline_import_message_counts_the_orders_that_became_suggestions(vc, client_for):
    import io

    rows = [
        ["GD101", "建议在五一大道增设公交专用道", "建议", "五一大道", "13900000001"],
        ["GD102", "建议湘江边多设垃圾桶", "建议", "湘江边", ""],
        ["GD103", "芙蓉路有暴露垃圾", "投诉", "芙蓉路", "13900000002"],
    ]
    f = io.BytesIO(xlsx(["工单编号", "诉求内容", "诉求类型", "问题地址", "联系电话"], rows))
    f.name = "orders.xlsx"
    response = client_for(vc.office).post("/cases/import/", {"file": f}, follow=True)
    page = response.content.decode()
    assert "导入成功：3 张工单，新建案件 1 件，并单 0 件，「建议」类 2 张转为意见建议" in page
    assert Suggestion.objects.count() == 2 and Case.objects.count() == 1
    # only suggestions: not "0 张工单"
    f = io.BytesIO(xlsx(["工单编号", "诉求内容", "诉求类型"], [["GD104", "建议多种树", "建议"]]))
    f.name = "more.xlsx"
    page = client_for(vc.office).post("/cases/import/", {"file": f}, follow=True)
    assert "导入成功：1 张工单，新建案件 0 件，并单 0 件，「建议」类 1 张转为意见建议" in (
        page.content.decode()
    )
    done = case_services.import_hotline(
        vc.city,
        xlsx(["工单编号", "诉求内容", "诉求类型"], [["GD105", "建议路灯早点亮", "建议"]]),
        acting_user=vc.office.user,
    )
    assert done.cases == [] and done.handed == {"建议": 1} and done.orders == 1


def test_survey_import(vc, client_for):
    good = xlsx(
        ["编号", "内容", "地点", "联系电话", "提交时间"],
        [
            ["Q1", "希望多建停车场", "人民路", "13900000011", "2026-01-02"],
            ["Q2", "公园厕所要干净", "", "", None],
        ],
    )
    assert services.import_survey(vc.city, good, acting_user=vc.office.user) == 2
    bad = xlsx(["编号", "内容"], [["Q3", ""], ["Q4", "好"]])
    with pytest.raises(ImportFailed):
        services.import_survey(vc.city, bad, acting_user=vc.office.user)
    assert Suggestion.objects.filter(source=SuggestionSource.SURVEY).count() == 2
    with pytest.raises(PermissionDenied):
        services.import_survey(vc.city, good, acting_user=vc.liaison_a.user)
    r = client_for(vc.office).get("/citizens/suggestions/export.xlsx", {"source": "survey"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")


# --- hot topics ---------------------------------------------------------------------------------


def _topic_data(vc):
    now = timezone.now()
    for i in range(4):
        _suggestion(
            vc,
            text=f"幸福小区门口烧烤摊油烟扰民，晚上噪音很大{i}",
            phone=f"1390000010{i}",
            submitted_at=now - timedelta(days=i),
        )
    for i in range(3):
        _suggestion(
            vc,
            text=f"光明路公交站没有遮雨棚，下雨天等车淋雨{i}",
            phone=f"1390000020{i}",
            submitted_at=now - timedelta(days=i),
        )
    _suggestion(vc, text="建议图书馆延长开放时间", phone="13900000300")


def test_topics_group_and_rank(vc):
    _topic_data(vc)
    res = services.recompute_topics(vc.city, acting_user=vc.office.user)
    assert res["topics"] == 2
    topics = list(Topic.objects.filter(city=vc.city).order_by("-heat"))
    assert topics[0].people == 4 and "幸福小区" in (topics[0].name + topics[0].place)
    assert topics[1].people == 3 and "光明路" in (topics[1].name + topics[1].place)
    assert topics[0].heat > topics[1].heat
    # keywords say what the problem is, not how big or when (很大, 晚上)
    assert "油烟" in topics[0].keywords and "淋雨" in topics[1].keywords
    assert not {"很大", "晚上", "没有"} & set(topics[0].keywords + topics[1].keywords)


def test_office_edits_survive_a_recompute(vc, client_for):
    _topic_data(vc)
    services.recompute_topics(vc.city, acting_user=vc.office.user)
    smoke, bus = Topic.objects.filter(city=vc.city).order_by("-heat")
    services.rename_topic(smoke, name="幸福小区烧烤油烟", acting_user=vc.office.user)
    services.discard_topic(bus, acting_user=vc.office.user)
    services.recompute_topics(vc.city, acting_user=vc.office.user)
    assert Topic.objects.filter(city=vc.city).count() == 2  # nothing re-mined from them
    smoke.refresh_from_db()
    bus.refresh_from_db()
    assert smoke.name == "幸福小区烧烤油烟" and smoke.messages == 4
    assert bus.status == TopicStatus.DISCARDED and bus.items.count() == 3
    # split two messages off, merge them back, all kept across recomputes
    ids = list(smoke.items.order_by("id").values_list("pk", flat=True)[:2])
    new = services.split_topic(smoke, item_ids=ids, name="噪音", acting_user=vc.office.user)
    services.recompute_topics(vc.city, acting_user=vc.office.user)
    assert new.items.count() == 2 and smoke.items.count() == 2
    services.merge_topics(smoke, [new], acting_user=vc.office.user)
    services.recompute_topics(vc.city, acting_user=vc.office.user)
    new.refresh_from_db()
    smoke.refresh_from_db()
    assert new.status == TopicStatus.MERGED and new.merged_into_id == smoke.pk
    assert smoke.items.count() == 4 and smoke.people == 4
    with pytest.raises(InvalidInput):  # all of it: that is a rename
        services.split_topic(
            smoke,
            item_ids=list(smoke.items.values_list("pk", flat=True)),
            name="x",
            acting_user=vc.office.user,
        )
    with pytest.raises(PermissionDenied):
        services.rename_topic(smoke, name="y", acting_user=vc.liaison_a.user)
    # the pages
    c = client_for(vc.office)
    page = c.get("/citizens/topics/").content.decode()
    assert "幸福小区烧烤油烟" in page and "10×ln(1+提出人数)" in page
    assert c.get(f"/citizens/topics/{smoke.pk}/").status_code == 200
    r = c.post(f"/citizens/topics/{smoke.pk}/rename/", {"name": "<b>改名</b>"})
    smoke.refresh_from_db()
    assert r.status_code == 302 and smoke.name == "改名"


def test_topics_include_cases(vc):
    now = timezone.now()
    for i in range(3):
        case_services.intake_case(
            vc.city,
            case_services.IntakeData(
                source="inspection",
                description=f"幸福小区门口烧烤摊油烟扰民，晚上噪音很大，第{i}次反映",
                reported_at=now - timedelta(days=i),
            ),
            acting_user=SYSTEM,
        )
    _suggestion(vc, text="幸福小区门口烧烤摊油烟扰民，晚上噪音很大")
    services.recompute_topics(vc.city, acting_user=vc.office.user)
    t = Topic.objects.get(city=vc.city)
    assert t.messages == 4
    assert TopicItem.objects.filter(topic=t, case__isnull=False).count() == 3


def test_topics_recompute_job(vc, client_for, django_capture_on_commit_callbacks):
    _topic_data(vc)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(vc.office).post("/citizens/topics/recompute/")
    job = Job.objects.get(kind="citizens.topics")
    assert job.status == "succeeded", job.error
    assert Topic.objects.filter(city=vc.city).count() == 2


# --- API -----------------------------------------------------------------------------------------


def test_api(vc, client_for):
    _topic_data(vc)
    services.recompute_topics(vc.city, acting_user=vc.office.user)
    c = client_for(vc.office)
    r = c.get("/api/citizens/voice/suggestions")
    assert r.status_code == 200 and r.json()["count"] == 8
    assert all("****" in s["contact_phone"] for s in r.json()["items"])
    assert c.get("/api/citizens/voice/suggestions", {"source": "bogus"}).status_code == 400
    r = c.post(
        "/api/citizens/voice/suggestions",
        {"text": "建议增加垃圾分类宣传"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["number"].startswith("YJ")
    r = c.post("/api/citizens/voice/suggestions", {"text": ""}, content_type="application/json")
    assert r.status_code in (400, 422)
    topics = c.get("/api/citizens/voice/topics").json()["items"]
    assert len(topics) == 2
    t = topics[0]
    r = c.get(f"/api/citizens/voice/topics/{t['id']}")
    assert r.status_code == 200 and len(r.json()["items"]) == t["messages"]
    r = c.post(
        f"/api/citizens/voice/topics/{t['id']}/rename",
        {"name": "新名称"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["locked"] is True
    other = client_for(vc.liaison_a)
    assert other.get("/api/citizens/voice/suggestions").status_code == 404
    assert other.get(f"/api/citizens/voice/topics/{t['id']}").status_code == 404
    assert c.get("/api/citizens/voice/models").json() == []
