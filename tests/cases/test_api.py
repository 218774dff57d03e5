import io

from chuangwen.cases.choices import State
from chuangwen.cases.models import Case, Extension

from .conftest import IN_A, IN_B, jpeg


def test_api_list_scoped_filtered_and_query_count(cc, client_for, django_assert_max_num_queries):
    for i in range(6):
        cc.intake(f"甲区问题{i}号各不相同{i * 13}", point=(IN_A[0] + i * 0.001, IN_A[1]))
    cc.intake("乙区的问题", point=IN_B)
    c = client_for(cc.office)
    with django_assert_max_num_queries(10):
        r = c.get("/api/cases/")
    data = r.json()
    assert r.status_code == 200 and data["count"] == 7 and len(data["items"]) == 7
    assert data["items"][0]["category_code"] == "SJ0102"
    r = client_for(cc.liaison_b).get("/api/cases/")
    assert [i["description"] for i in r.json()["items"]] == ["乙区的问题"]
    r = c.get("/api/cases/", {"q": "乙区"})
    assert r.json()["count"] == 1
    assert c.get("/api/cases/", {"state": "bogus"}).status_code == 400


def test_api_detail_and_404(cc, client_for):
    case = cc.intake(photos=[jpeg()], reporter_phone="13812345678").case
    r = client_for(cc.office).get(f"/api/cases/{case.pk}")
    body = r.json()
    assert body["events"][0]["action"] == "intake" and body["photos"][0]["kind"] == "before"
    assert body["reports"][0]["masked_phone"] == "138****5678"
    assert "13812345678" not in r.content.decode()
    assert client_for(cc.liaison_b).get(f"/api/cases/{case.pk}").status_code == 404


def test_api_intake_and_every_transition(cc, client_for):
    office, liaison, worker = (
        client_for(cc.office),
        client_for(cc.liaison_a),
        client_for(cc.grid_worker_a),
    )
    r = worker.post(
        "/api/cases/",
        {
            "source": "patrol",
            "description": "暴露垃圾",
            "category": "SJ0102",
            "lon": IN_A[0],
            "lat": IN_A[1],
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    cid = r.json()["case_id"]
    j = lambda cl, path, body=None: cl.post(  # noqa: E731
        f"/api/cases/{cid}/{path}", body or {}, content_type="application/json"
    )
    assert j(liaison, "register").status_code == 403
    assert j(office, "accept").status_code == 409
    assert j(office, "register").json()["state"] == "registered"
    assert j(office, "dispatch", {"note": "请处理"}).json()["state"] == "dispatched"
    assert j(client_for(cc.liaison_b), "accept").status_code == 404
    assert j(liaison, "return", {"reason": "不是我们"}).json()["state"] == "returned"
    assert j(office, "dispatch", {"unit_id": cc.community_a.pk}).json()["state"] == "dispatched"
    assert j(liaison, "accept").json()["state"] == "in_progress"
    deadline = Case.objects.get(pk=cid).deadline
    r = j(
        liaison,
        "extensions",
        {"until": (deadline.replace(year=deadline.year + 1)).isoformat(), "reason": "协调中"},
    )
    assert r.status_code == 200
    ext = Extension.objects.get()
    r = office.post(
        f"/api/cases/extensions/{ext.pk}/decide", {"approve": True}, content_type="application/json"
    )
    assert r.json()["status"] == "approved"
    r = liaison.post(f"/api/cases/{cid}/handle", {"note": "已清理", "photos": [io.BytesIO(jpeg())]})
    assert r.json()["state"] == "handled", r.content
    r = liaison.post(f"/api/cases/{cid}/verify", {"passed": True, "photos": [io.BytesIO(jpeg())]})
    assert r.status_code == 403  # the handler may not verify
    r = worker.post(
        f"/api/cases/{cid}/verify",
        {
            "passed": False,
            "note": "没清干净",
            "photos": [io.BytesIO(jpeg())],
            "lon": IN_A[0],
            "lat": IN_A[1],
        },
    )
    assert r.json()["state"] == "rework" and r.json()["rework_count"] == 1
    liaison.post(f"/api/cases/{cid}/handle", {"note": "重新清理"})
    r = worker.post(
        f"/api/cases/{cid}/verify",
        {"passed": True, "photos": [io.BytesIO(jpeg())], "no_location_reason": "手机定位失败"},
    )
    assert r.json()["state"] == "verified"
    assert j(office, "close", {"resolution": "fixed"}).json()["state"] == "closed"
    r = office.post(f"/api/cases/{cid}/photos", {"files": [io.BytesIO(jpeg())]})
    assert r.status_code == 200 and len(r.json()) == 1
    report = Case.objects.get(pk=cid).reports.get()
    r = office.post(
        f"/api/cases/reports/{report.pk}/rate", {"rating": 5}, content_type="application/json"
    )
    assert r.status_code == 200 and Case.objects.get(pk=cid).state == State.RATED


def test_api_reject_inbox_summary_categories(cc, client_for):
    a = cc.intake("东门垃圾").case
    b = cc.intake("完全不同的描述", category=cc.other_event).case
    office = client_for(cc.office)
    r = office.post(
        f"/api/cases/{b.pk}/reject",
        {"reason": "重复", "duplicate_of": a.pk},
        content_type="application/json",
    )
    assert r.json()["state"] == "rejected" and r.json()["resolution"] == "duplicate"
    inbox = office.get("/api/cases/inbox").json()
    assert inbox["to_dispatch"] == 1 and inbox["to_handle"] == 0
    rows = office.get("/api/cases/summary/units").json()
    assert {r["unit"]: r["states"] for r in rows}["甲社区"] == {"reported": 1, "rejected": 1}
    assert client_for(cc.liaison_b).get("/api/cases/summary/units").json() == []
    cats = office.get("/api/cases/categories").json()
    assert len(cats) > 100 and {"BJ", "SJ"} == {c["code"][:2] for c in cats}


def test_api_token_auth(cc, client_for):
    from django.test import Client

    from chuangwen.api.services import issue_api_token

    _token, raw = issue_api_token(cc.office.user, name="t", acting_user=cc.office.user)
    cc.intake()
    r = Client().get("/api/cases/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200 and r.json()["count"] == 1
    assert Client().get("/api/cases/").status_code == 401
