"""结对共建 and 六联 activities: services, scope, pages, API, export, bad input refused."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.core.models import AuditEvent
from chuangwen.org import services as org
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import Pair
from chuangwen.volunteers.pairs import selectors, services
from chuangwen.volunteers.pairs.models import PairActivity, PairActivityPhoto
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def pc(small_city):
    """SmallCity with a village and two pairs: 城管局 ↔ 甲社区 (scope of 甲区) and
    城管局 ↔ 乙社区 (scope of 乙区)."""
    c = small_city
    c.village = factories.unit(c.city, UnitKind.VILLAGE, parent=c.street_b, name="乙村")
    c.pair_a = org.create_pair(
        c.city,
        unit=c.dept,
        community=c.community_a,
        mechanisms=["civility", "hygiene"],
        started_on=TODAY - dt.timedelta(days=30),
        acting_user=c.office.user,
    )
    c.pair_b = org.create_pair(
        c.city,
        unit=c.dept,
        community=c.community_b,
        mechanisms=["security"],
        started_on=TODAY - dt.timedelta(days=400),
        acting_user=c.office.user,
    )
    return c


def record(c, pair, actor=None, **kw):
    args = {
        "kind": "civility",
        "held_on": TODAY,
        "title": "文明实践进社区",
        "participants": 12,
        "result": "好",
        **kw,
    }
    return services.record_activity(pair, acting_user=actor or c.office.user, **args)


# --- services ----------------------------------------------------------------------------------


def test_pair_with_a_village_edit_and_end_are_audited(pc):
    pair = org.create_pair(
        pc.city,
        unit=pc.district_a,
        community=pc.village,
        mechanisms=["prosperity"],
        acting_user=pc.office.user,
    )
    org.update_pair(
        pair,
        unit=pc.district_a,
        community=pc.village,
        mechanisms=["prosperity", "hardship"],
        started_on=TODAY,
        note="乡村振兴",
        acting_user=pc.office.user,
    )
    pair.refresh_from_db()
    assert pair.mechanism_labels() == ["致富联带", "困难联帮"]
    org.end_pair(pair, ended_on=None, reason="任务完成", acting_user=pc.office.user)
    pair.refresh_from_db()
    assert pair.ended_on == TODAY and pair.end_reason == "任务完成"
    codes = list(
        AuditEvent.objects.filter(object_id=str(pair.pk), object_type="org.pair").values_list(
            "code", flat=True
        )
    )
    assert sorted(codes) == ["org.pair.created", "org.pair.ended", "org.pair.updated"]
    # ended: they may pair again, the old pair stays on record
    again = org.create_pair(
        pc.city, unit=pc.district_a, community=pc.village, mechanisms=[], acting_user=SYSTEM
    )
    assert again.pk != pair.pk and Pair.objects.filter(community=pc.village).count() == 2


def test_ending_an_ended_pair_is_refused_and_changes_nothing(pc):
    org.end_pair(
        pc.pair_a, ended_on=TODAY - dt.timedelta(days=1), reason="调整", acting_user=SYSTEM
    )
    n_audit = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition, match=r"该结对已于 .* 结束"):
        org.end_pair(pc.pair_a, ended_on=TODAY, reason="再次结束", acting_user=pc.office.user)
    pc.pair_a.refresh_from_db()
    assert pc.pair_a.ended_on == TODAY - dt.timedelta(days=1) and pc.pair_a.end_reason == "调整"
    assert AuditEvent.objects.count() == n_audit
    with pytest.raises(InvalidTransition, match="已结束，不能修改"):
        org.update_pair(
            pc.pair_a,
            unit=pc.dept,
            community=pc.community_a,
            mechanisms=[],
            started_on=None,
            note="",
            acting_user=pc.office.user,
        )


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"reason": ""}, "请填写结束原因"),
        ({"ended_on": TODAY + dt.timedelta(days=1)}, "不能晚于今天"),
        ({"ended_on": TODAY - dt.timedelta(days=31)}, "不能早于开始日期"),
    ],
)
def test_end_pair_bad_input(pc, kw, message):
    args = {"ended_on": None, "reason": "原因", **kw}
    with pytest.raises(InvalidInput, match=message):
        org.end_pair(pc.pair_a, acting_user=pc.office.user, **args)
    pc.pair_a.refresh_from_db()
    assert pc.pair_a.ended_on is None


def test_only_the_office_writes_pairs(pc):
    with pytest.raises(PermissionDenied):
        org.end_pair(pc.pair_a, ended_on=None, reason="x", acting_user=pc.liaison_a.user)
    with pytest.raises(PermissionDenied):
        org.create_pair(
            pc.city,
            unit=pc.dept,
            community=pc.village,
            mechanisms=[],
            acting_user=pc.dept_liaison.user,
        )


def test_record_activity_with_photos_and_scope(pc):
    a = record(pc, pc.pair_a, actor=pc.liaison_a.user, photos=[jpeg(), jpeg()])
    assert a.photos.count() == 2 and a.recorded_by == pc.liaison_a.user
    assert AuditEvent.objects.filter(code="volunteers.pair_activity.recorded").count() == 1
    record(pc, pc.pair_a, actor=pc.dept_liaison.user, kind="hygiene")  # the unit side too
    with pytest.raises(PermissionDenied):
        record(pc, pc.pair_a, actor=pc.liaison_b.user)
    with pytest.raises(PermissionDenied):
        record(pc, pc.pair_a, actor=pc.leader.user)


def test_unknown_kind_refused_nothing_written(pc):
    with pytest.raises(InvalidInput, match="未知的六联类别"):
        record(pc, pc.pair_a, kind="magic")
    assert PairActivity.objects.count() == 0


def test_photo_that_is_not_an_image_refused_nothing_written(pc):
    with pytest.raises(InvalidInput, match="无法识别的图片文件"):
        record(pc, pc.pair_a, photos=[jpeg(), b"%PDF-1.4 not an image"])
    assert PairActivity.objects.count() == 0 and PairActivityPhoto.objects.count() == 0


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"participants": 0}, "参与人数"),
        ({"held_on": TODAY + dt.timedelta(days=1)}, "不能晚于今天"),
        ({"held_on": TODAY - dt.timedelta(days=60)}, "早于结对开始日期"),
        ({"title": "  "}, "请填写活动名称"),
    ],
)
def test_activity_bad_input(pc, kw, message):
    with pytest.raises(InvalidInput, match=message):
        record(pc, pc.pair_a, **kw)
    assert PairActivity.objects.count() == 0


def test_activity_after_the_end_refused(pc):
    org.end_pair(pc.pair_a, ended_on=TODAY - dt.timedelta(days=5), reason="x", acting_user=SYSTEM)
    with pytest.raises(InvalidTransition, match="结束"):
        record(pc, pc.pair_a)
    record(pc, pc.pair_a, held_on=TODAY - dt.timedelta(days=6))  # before the end: still allowed


def test_inactive_flag_follows_the_city_setting(pc):
    record(pc, pc.pair_b, held_on=TODAY - dt.timedelta(days=100))
    scope = factories_scope(pc.office)
    rows = {p.pk: p for p in selectors.pair_list_qs(scope, selectors.inactive_cutoff(pc.city.pk))}
    assert rows[pc.pair_b.pk].inactive and rows[pc.pair_b.pk].n_activities == 1
    assert not rows[pc.pair_a.pk].inactive  # started 30 days ago: not yet due
    services.set_inactive_months(pc.city, months=6, acting_user=pc.office.user)
    rows = {p.pk: p for p in selectors.pair_list_qs(scope, selectors.inactive_cutoff(pc.city.pk))}
    assert not rows[pc.pair_b.pk].inactive
    with pytest.raises(InvalidInput, match="1 至 24"):
        services.set_inactive_months(pc.city, months=0, acting_user=pc.office.user)
    with pytest.raises(PermissionDenied):
        services.set_inactive_months(pc.city, months=2, acting_user=pc.liaison_a.user)


def test_months_before_clamps_to_the_month_end():
    assert selectors.months_before(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)
    assert selectors.months_before(dt.date(2026, 1, 15), 3) == dt.date(2025, 10, 15)


def factories_scope(person):
    from chuangwen.org.scope import scope_for_user

    return scope_for_user(person.user)


# --- pages -------------------------------------------------------------------------------------


def test_list_is_scoped_and_flags_inactive(pc, client_for, django_assert_max_num_queries):
    record(pc, pc.pair_b, held_on=TODAY - dt.timedelta(days=200))
    office = client_for(pc.office)
    with django_assert_max_num_queries(14):
        r = office.get("/volunteers/pairs/")
    body = r.content.decode()
    assert r.status_code == 200 and body.count('data-testid="pair-row"') == 2
    assert body.count('data-testid="inactive-badge"') == 1
    r = client_for(pc.liaison_a).get("/volunteers/pairs/")
    body = r.content.decode()
    assert body.count('data-testid="pair-row"') == 1 and "甲社区" in body and "乙社区" not in body
    r = client_for(pc.office).get("/volunteers/pairs/?inactive=true")
    assert r.content.decode().count('data-testid="pair-row"') == 1
    assert client_for(pc.liaison_a).get(f"/volunteers/pairs/{pc.pair_b.pk}/").status_code == 404
    r = client_for(pc.dept_liaison).get("/volunteers/pairs/")  # the unit side sees both
    assert r.content.decode().count('data-testid="pair-row"') == 2


def test_create_edit_end_over_pages_with_the_search_picker(pc, client_for):
    c = client_for(pc.office)
    r = c.get("/volunteers/pairs/units/community/?q=乙")
    body = r.content.decode()
    assert 'type="radio" name="community"' in body and "乙村" in body and "乙社区" in body
    assert "乙区" not in body.split("乙村")[0]  # districts are not offered on the community side
    r = c.get("/volunteers/pairs/units/unit/?q_unit=城管")
    assert f'value="{pc.dept.pk}"' in r.content.decode()
    r = c.post(
        "/volunteers/pairs/new/",
        {"unit": pc.district_a.pk, "community": pc.village.pk, "mechanisms": ["emergency"]},
    )
    assert r.status_code == 302
    pair = Pair.objects.get(community=pc.village)
    assert pair.mechanisms == ["emergency"]
    r = c.post(
        f"/volunteers/pairs/{pair.pk}/edit/",
        {"unit": pc.district_a.pk, "community": pc.village.pk, "note": "改"},
    )
    assert r.status_code == 302
    pair.refresh_from_db()
    assert pair.note == "改" and pair.mechanisms == []
    # a district is not a community: refused with the form back, nothing made
    r = c.post("/volunteers/pairs/new/", {"unit": pc.dept.pk, "community": pc.district_b.pk})
    assert r.status_code == 400 and "请从搜索结果中选择社区或行政村" in r.content.decode()
    r = c.post(f"/volunteers/pairs/{pair.pk}/end/", {"reason": "完成"})
    assert r.status_code == 302
    r = c.post(f"/volunteers/pairs/{pair.pk}/end/", {"reason": "再来"})
    assert r.status_code == 409 and "已于" in r.content.decode()
    # units may not write pairs
    r = client_for(pc.liaison_a).post(f"/volunteers/pairs/{pc.pair_a.pk}/end/", {"reason": "x"})
    assert r.status_code == 403


def test_record_activity_over_the_page(pc, client_for):
    c = client_for(pc.liaison_a)
    url = f"/volunteers/pairs/{pc.pair_a.pk}/activities/"
    data = {
        "kind": "hygiene",
        "held_on": TODAY.isoformat(),
        "title": "背街小巷大扫除",
        "participants": "20",
        "result": "清理垃圾 3 车",
    }
    photo = SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")
    r = c.post(url, {**data, "photos": [photo]})
    assert r.status_code == 302
    a = PairActivity.objects.get()
    assert a.kind == "hygiene" and a.photos.count() == 1
    r = c.get(f"/volunteers/pairs/{pc.pair_a.pk}/")
    assert 'data-testid="activity"' in r.content.decode()
    assert c.get(f"/volunteers/pairs/photos/{a.photos.get().pk}/").status_code == 200
    assert (
        client_for(pc.liaison_b).get(f"/volunteers/pairs/photos/{a.photos.get().pk}/").status_code
        == 404
    )
    bad = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    r = c.post(url, {**data, "photos": [bad]})
    assert r.status_code == 400 and "无法识别的图片文件" in r.content.decode()
    r = c.post(url, {**data, "kind": "magic"})
    assert r.status_code == 400 and "未知的六联类别" in r.content.decode()
    assert PairActivity.objects.count() == 1
    r = client_for(pc.leader).post(url, data)
    assert r.status_code == 403


def test_export(pc, client_for):
    record(pc, pc.pair_a)
    r = client_for(pc.office).get("/volunteers/pairs/export.xlsx?status=running")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("共建单位", "结对社区/村")
    assert {r[1] for r in rows[1:]} == {"甲社区", "乙社区"}
    by_community = {r[1]: r for r in rows[1:]}
    assert by_community["甲社区"][7] == 1 and by_community["乙社区"][9] == "是"


def test_settings_page(pc, client_for):
    r = client_for(pc.office).post("/volunteers/pairs/settings/", {"inactive_months": "5"})
    assert r.status_code == 302 and selectors.inactive_months(pc.city.pk) == 5
    r = client_for(pc.office).post("/volunteers/pairs/settings/", {"inactive_months": "99"})
    assert r.status_code == 400 and selectors.inactive_months(pc.city.pk) == 5


# --- API ---------------------------------------------------------------------------------------


def test_api(pc, client_for):
    c = client_for(pc.office)
    r = c.post(
        "/api/pairs",
        {"unit_id": pc.hq.pk, "community_id": pc.village.pk, "mechanisms": ["civility"]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert r.json()["inactive"] is False  # no start date, no activity: counts from today
    r = c.post(
        f"/api/pairs/{pid}/activities",
        {"kind": "civility", "held_on": TODAY.isoformat(), "title": "宣讲", "participants": 9},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    aid = r.json()["id"]
    r = c.post(
        f"/api/pairs/activities/{aid}/photos",
        {"files": [SimpleUploadedFile("p.png", b"GIF89a nope", content_type="image/png")]},
    )
    assert r.status_code == 400 and "无法识别" in r.json()["message"]
    r = c.post(
        f"/api/pairs/activities/{aid}/photos",
        {"files": [SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")]},
    )
    assert r.status_code == 200 and len(r.json()["photo_ids"]) == 1
    r = c.get(f"/api/pairs/{pid}")
    assert r.json()["n_activities"] == 1 and r.json()["inactive"] is False
    r = c.post(
        f"/api/pairs/{pid}/activities",
        {"kind": "magic", "held_on": TODAY.isoformat(), "title": "x", "participants": 1},
        content_type="application/json",
    )
    assert r.status_code == 400 and "kind" in r.content.decode()
    r = c.post(f"/api/pairs/{pid}/end", {"reason": "完成"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["ended_on"] == TODAY.isoformat()
    r = c.post(f"/api/pairs/{pid}/end", {"reason": "again"}, content_type="application/json")
    assert r.status_code == 409 and "已于" in r.json()["message"]
    r = c.get("/api/pairs?inactive=maybe")
    assert r.status_code == 400
    r = c.get("/api/pairs?status=ended")
    assert [p["id"] for p in r.json()["items"]] == [pid]
    r = client_for(pc.liaison_b).get("/api/pairs")
    assert {p["community_name"] for p in r.json()["items"]} == {"乙社区", "乙村"}
    r = client_for(pc.liaison_b).get(f"/api/pairs/{pc.pair_a.pk}")
    assert r.status_code == 404
    r = client_for(pc.liaison_a).post(
        "/api/pairs",
        {"unit_id": pc.hq.pk, "community_id": pc.community_b.pk},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = c.get("/api/pairs/activities?kind=hygiene")
    assert r.status_code == 200 and r.json()["count"] == 0


def test_demo_flags_some_pairs(db):
    from chuangwen.org.demo import build_demo_city
    from chuangwen.volunteers.demo import build_demo

    s = build_demo_city(seed=7)
    build_demo(s.city, 7, lambda _m: None)
    scope_qs = selectors.with_stats(
        Pair.objects.filter(city=s.city), selectors.inactive_cutoff(s.city.pk)
    )
    flagged = scope_qs.filter(inactive=True).count()
    assert 10 <= flagged <= 30
    assert PairActivity.objects.filter(city=s.city).count() > 300
    assert Pair.objects.filter(city=s.city, ended_on__isnull=False).count() == 3
