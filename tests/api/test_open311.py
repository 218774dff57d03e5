"""Open311 GeoReport v2 through HTTP: discovery, services, filing with a client's real form
payload, reading back, tokens, and following the status through the case loop."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from chuangwen.api.models import Open311Submission
from chuangwen.cases import services as cases
from chuangwen.cases.choices import Source, State
from chuangwen.cases.models import Case, Report
from chuangwen.core.models import AuditEvent
from chuangwen.org.actors import SYSTEM

from .conftest import IN_A, jpeg

BASE = "/open311/v2"
FORM = "application/x-www-form-urlencoded"


def xml(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def payload(oc, **over):
    """What an Open311 client (FixMyStreet, a 12345 adapter …) sends: form-encoded, with
    attribute[code] and attribute[code][] for a multivaluelist."""
    fields = {
        "api_key": oc.key,
        "jurisdiction_id": oc.city.code,
        "service_code": "SJ0102",
        "lat": str(IN_A[1]),
        "long": str(IN_A[0]),
        "address_string": "甲社区幸福路 12 号门口",
        "email": "li@example.com",
        "device_id": "ios-3F2504E0",
        "account_id": "acct-778",
        "first_name": "小明",
        "last_name": "李",
        "phone": "13800001234",
        "description": "路边有一堆暴露垃圾无人清理，联系 13900001111",
        "media_url": "https://img.example.com/reports/778.jpg",
        "attribute[volume]": "large",
        "attribute[kinds][]": ["household", "bulky"],
        "attribute[bags]": "3",
        "attribute[seen_at]": "2026-11-25T08:30:00+08:00",
    }
    for key, value in over.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return urlencode(fields, doseq=True)


def post(oc, fmt="json", client=None, **over):
    client = client or Client(enforce_csrf_checks=True)
    return client.post(f"{BASE}/requests.{fmt}", payload(oc, **over), content_type=FORM)


def errors_of(response):
    data = response.json()
    assert isinstance(data, list) and data
    assert all(set(e) == {"code", "description"} for e in data)
    assert all(e["code"] == response.status_code for e in data)
    return [e["description"] for e in data]


# --- discovery and services -----------------------------------------------------------------


@pytest.mark.django_db
def test_discovery_json_and_xml(oc):
    data = Client().get(f"{BASE}/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert data["changeset"].endswith("+08:00")
    root = xml(Client().get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_json(oc):
    response = Client().get(f"{BASE}/services.json", {"jurisdiction_id": oc.city.code})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    rows = {r["service_code"]: r for r in response.json()}
    garbage = rows["SJ0102"]
    assert garbage["service_name"] == oc.garbage.name
    assert garbage["group"] == oc.garbage.major_name
    assert garbage["metadata"] is True and garbage["type"] == "realtime"
    assert oc.garbage.major_name in garbage["keywords"]
    assert rows["SJ0201"]["metadata"] is False
    assert set(garbage) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }


def test_services_xml_and_definition(oc):
    root = xml(Client().get(f"{BASE}/services.xml"))  # no jurisdiction: the only city
    assert root.tag == "services"
    first = root.find("service")
    assert [c.tag for c in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    by_code = {s.findtext("service_code"): s for s in root.findall("service")}
    assert by_code["SJ0102"].findtext("metadata") == "true"

    root = xml(Client().get(f"{BASE}/services/SJ0102.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "SJ0102"
    attrs = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attrs] == ["volume", "kinds", "bags", "seen_at"]
    volume = attrs[0]
    assert volume.findtext("variable") == "true"
    assert volume.findtext("datatype") == "singlevaluelist"
    assert volume.findtext("required") == "true"
    assert volume.findtext("order") == "1"
    assert volume.findtext("description") == "垃圾大约有多少？"
    assert [(v.findtext("key"), v.findtext("name")) for v in volume.findall("values/value")] == [
        ("small", "一袋以内"),
        ("large", "成堆"),
    ]

    data = Client().get(f"{BASE}/services/SJ0102.json").json()
    assert data["service_code"] == "SJ0102"
    kinds = data["attributes"][1]
    assert kinds["datatype"] == "multivaluelist" and kinds["required"] is False
    assert kinds["datatype_description"] is None
    assert [v["key"] for v in kinds["values"]] == ["household", "construction", "bulky"]
    assert "values" not in data["attributes"][2]


def test_unknown_service_and_jurisdiction_404(oc):
    response = Client().get(f"{BASE}/services/XX9999.json")
    assert response.status_code == 404 and "XX9999" in errors_of(response)[0]
    response = Client().get(f"{BASE}/services.xml", {"jurisdiction_id": "nowhere"})
    assert response.status_code == 404
    root = xml(response)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"
    assert "jurisdiction_id" in root.findtext("error/description")


# --- POST requests --------------------------------------------------------------------------


def test_post_with_a_client_payload_files_a_case(oc):
    response = post(oc)
    assert response.status_code == 201, response.content
    rows = response.json()
    assert len(rows) == 1 and set(rows[0]) == {
        "service_request_id",
        "service_notice",
        "account_id",
    }
    assert rows[0]["account_id"] == "acct-778"
    case = Case.objects.get()
    assert rows[0]["service_request_id"] == case.number
    assert case.source == Source.OPEN311 and case.state == State.REPORTED
    assert case.category == oc.garbage and case.grid_id == oc.grid_a.pk
    assert case.address == "甲社区幸福路 12 号门口"
    report = Report.objects.get(case=case)
    assert report.reporter_name == "李小明" and report.reporter_phone == "13800001234"
    assert report.reporter_email == "li@example.com"
    assert report.tracking_code in rows[0]["service_notice"]
    sub = Open311Submission.objects.get(report=report)
    assert sub.client == oc.client
    assert sub.media_url == "https://img.example.com/reports/778.jpg"
    assert sub.device_id == "ios-3F2504E0" and sub.account_id == "acct-778"
    assert sub.attributes == {
        "volume": "large",
        "kinds": ["household", "bulky"],
        "bags": "3",
        "seen_at": "2026-11-25T08:30:00+08:00",
    }
    assert AuditEvent.objects.filter(code="api.open311.request_filed", city=oc.city).exists()


def test_post_xml_answer(oc):
    response = post(oc, fmt="xml", **{"attribute[kinds][]": None})
    assert response.status_code == 201
    root = xml(response)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == Case.objects.get().number
    assert root.find("request/service_notice") is not None


def test_post_by_address_only(oc):
    response = post(oc, lat=None, long=None, address_string="乙社区菜市场东门")
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.lon is None and case.area_unit_id == oc.community_b.pk


def test_post_needs_a_valid_key(oc):
    response = post(oc, api_key=None)
    assert response.status_code == 403
    assert errors_of(response) == ["缺少 api_key"]
    response = post(oc, fmt="xml", api_key="o311_wrong")
    assert response.status_code == 403
    root = xml(response)
    assert root.tag == "errors" and root.findtext("error/code") == "403"
    from chuangwen.api.open311.services import revoke_client

    revoke_client(oc.client, acting_user=SYSTEM)
    assert post(oc).status_code == 403
    assert not Case.objects.exists()


def test_post_key_of_another_jurisdiction(oc):
    from tests import factories

    other = factories.city(code="other")
    assert post(oc, jurisdiction_id=other.code).status_code == 403
    assert post(oc, jurisdiction_id="nowhere").status_code == 404


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"service_code": None}, "service_code 不能为空"),
        (
            {"lat": None, "long": None, "address_string": None},
            "必须提供位置：lat 和 long，或 address_string，或 address_id",
        ),
        ({"long": None}, "lat 和 long 必须同时提供"),
        ({"lat": "north"}, "lat 必须是数字（WGS-84 十进制度）"),
        ({"address_id": "999999"}, "address_id「999999」不存在"),
        ({"media_url": "ftp://x/y.jpg"}, "media_url 必须是 http 或 https 链接"),
        ({"email": "not-an-email"}, "email「not-an-email」格式不正确"),
        ({"attribute[volume]": None}, "attribute[volume]（垃圾大约有多少？）：必须填写"),
        ({"attribute[volume]": "huge"}, "「huge」不是可选值"),
        ({"attribute[kinds][]": ["household", "glass"]}, "「glass」不是可选值"),
        ({"attribute[bags]": "three"}, "attribute[bags]（袋数）：必须是数字"),
        ({"attribute[seen_at]": "yesterday"}, "必须是 ISO 8601 日期时间"),
        ({"phone": "12345"}, "联系电话「12345」格式不正确"),
    ],
)
def test_post_bad_input_400(oc, over, expected):
    response = post(oc, **over)
    assert response.status_code == 400, response.content
    assert any(expected in d for d in errors_of(response)), errors_of(response)
    assert not Case.objects.exists() and not Open311Submission.objects.exists()


def test_post_lists_every_problem(oc):
    response = post(
        oc, fmt="xml", **{"attribute[volume]": None, "attribute[bags]": "x", "email": "bad"}
    )
    assert response.status_code == 400
    root = xml(response)
    assert len(root.findall("error")) == 3
    assert {e.findtext("code") for e in root.findall("error")} == {"400"}


def test_get_only_views_refuse_post(oc):
    response = Client().post(f"{BASE}/services.json", {"api_key": oc.key})
    assert response.status_code == 405 and response["Allow"] == "GET"


# --- GET requests, requests/{id}, tokens ----------------------------------------------------


def _file(oc, **over):
    response = post(oc, **over)
    assert response.status_code == 201, response.content
    return response.json()[0]["service_request_id"]


def test_read_back_one_request(oc):
    number = _file(oc)
    response = Client().get(f"{BASE}/requests/{number}.json")
    assert response.status_code == 200
    (row,) = response.json()
    assert list(row) == [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]
    assert row["service_request_id"] == number and row["status"] == "open"
    assert row["service_code"] == "SJ0102" and row["service_name"] == oc.garbage.name
    assert row["lat"] == IN_A[1] and row["long"] == IN_A[0]
    assert row["media_url"] == "https://img.example.com/reports/778.jpg"
    assert row["requested_datetime"].endswith("+08:00")
    assert row["agency_responsible"] is None  # not dispatched yet
    assert row["expected_datetime"].endswith("+08:00")  # the category's time limit
    # public: the reporter's mobile number typed into the text is masked
    assert "13900001111" not in row["description"] and "139****1111" in row["description"]

    root = xml(Client().get(f"{BASE}/requests/{number}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == number
    assert root.findtext("request/status") == "open"
    assert root.findtext("request/zipcode") == ""

    assert Client().get(f"{BASE}/requests/2026010199999.json").status_code == 404
    assert Client().get(f"{BASE}/requests/nonsense.xml").status_code == 404


def test_get_requests_filters(oc):
    first = _file(oc)
    second = _file(
        oc,
        service_code="SJ0201",
        description="电线杆上贴满小广告",
        **{
            "attribute[volume]": None,
            "attribute[kinds][]": None,
            "attribute[bags]": None,
            "attribute[seen_at]": None,
        },
    )
    old = cases.intake_case(
        oc.city,
        cases.IntakeData(
            source=Source.CITIZEN,
            description="很早以前的问题",
            category=oc.ads,
            lon=IN_A[0],
            lat=IN_A[1],
            reported_at=timezone.now() - timedelta(days=200),
        ),
        acting_user=SYSTEM,
    ).case
    c = Client()
    numbers = lambda r: [x["service_request_id"] for x in r.json()]  # noqa: E731
    # default: the last 90 days, newest first
    assert numbers(c.get(f"{BASE}/requests.json")) == [second, first]
    # by id list (other filters ignored), in the order asked
    response = c.get(
        f"{BASE}/requests.json",
        {"service_request_id": f"{old.number},{first},20200101999", "status": "closed"},
    )
    assert numbers(response) == [old.number, first]
    assert numbers(c.get(f"{BASE}/requests.json", {"service_code": "SJ0201"})) == [second]
    assert numbers(c.get(f"{BASE}/requests.json", {"status": "open"})) == [second, first]
    assert numbers(c.get(f"{BASE}/requests.json", {"status": "closed"})) == []
    # a window in the past finds the old case
    when = timezone.localtime(old.reported_at)
    response = c.get(
        f"{BASE}/requests.json",
        {
            "start_date": (when - timedelta(days=1)).isoformat(),
            "end_date": (when + timedelta(days=1)).isoformat(),
        },
    )
    assert numbers(response) == [old.number]
    # dates as plain days, and the XML list
    root = xml(c.get(f"{BASE}/requests.xml", {"start_date": timezone.localdate().isoformat()}))
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [second, first]
    # bad input
    assert c.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400
    assert c.get(f"{BASE}/requests.json", {"start_date": "last week"}).status_code == 400
    response = c.get(
        f"{BASE}/requests.json", {"start_date": "2026-01-01", "end_date": "2026-06-30"}
    )
    assert response.status_code == 400 and "90" in errors_of(response)[0]


def test_token_answers_the_request_id(oc):
    number = _file(oc)
    code = Report.objects.get().tracking_code
    (row,) = Client().get(f"{BASE}/tokens/{code}.json").json()
    assert row == {"service_request_id": number, "token": code}
    root = xml(Client().get(f"{BASE}/tokens/{code}.xml"))
    assert root.findtext("request/service_request_id") == number
    assert root.findtext("request/token") == code
    assert Client().get(f"{BASE}/tokens/NOSUCHCODE.json").status_code == 404


def test_list_query_count_is_flat(oc, django_assert_max_num_queries):
    for _ in range(6):
        _file(oc, description=f"问题 {_}", lat=str(IN_A[1] + 0.001 * _))
    with django_assert_max_num_queries(6):
        response = Client().get(f"{BASE}/requests.json")
    assert len(response.json()) == 6


# --- following the status: the round trip ---------------------------------------------------


def test_round_trip_follow_status_to_closed(oc):
    number = _file(oc)
    case = Case.objects.get()
    office, liaison, worker = oc.office.user, oc.liaison_a.user, oc.grid_worker_a.user
    cases.register_case(case, acting_user=office)
    case = cases.dispatch_case(case, acting_user=office)

    (row,) = Client().get(f"{BASE}/requests/{number}.json").json()
    assert row["status"] == "open"
    assert row["agency_responsible"] == oc.community_a.name == case.unit.name
    assert row["expected_datetime"] == timezone.localtime(case.deadline).isoformat(
        timespec="seconds"
    )

    cases.accept_case(case, acting_user=liaison)
    cases.handle_case(case, note="已清运完毕", photos=[jpeg()], acting_user=liaison)
    cases.verify_case(
        case, passed=True, photos=[jpeg()], lon=IN_A[0], lat=IN_A[1], acting_user=worker
    )
    cases.close_case(case, acting_user=office)

    (row,) = Client().get(f"{BASE}/requests/{number}.json").json()
    assert row["status"] == "closed"
    assert "已解决" in row["status_notes"]
    assert (
        Client().get(f"{BASE}/requests.json", {"status": "closed"}).json()[0]["service_request_id"]
        == number
    )

    updates = (
        Client().get(f"{BASE}/servicerequestupdates.json", {"service_request_id": number}).json()
    )
    # the public steps (as on the tracking page), newest first: 签收 is internal; the statuses
    # are FixMyStreet's extended ones
    assert [u["status"] for u in updates] == [
        "fixed",  # 结案 (fixed)
        "fixed",  # 核查通过
        "in_progress",  # 处置反馈
        "action_scheduled",  # 派遣
        "investigating",  # 立案
        "open",  # 上报
    ]
    updates.reverse()
    assert all(u["service_request_id"] == number for u in updates)
    assert set(updates[0]) == {
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
    }
    assert updates[0]["media_url"] == "https://img.example.com/reports/778.jpg"
    assert updates[2]["description"].startswith("派遣")
    assert all(u["updated_datetime"].endswith("+08:00") for u in updates)
    assert len({u["update_id"] for u in updates}) == 6

    root = xml(Client().get(f"{BASE}/servicerequestupdates.xml"))
    assert root.tag == "service_request_updates"
    items = root.findall("request_update")
    assert items[0].findtext("status") == "fixed"
    assert items[0].findtext("update_id") == updates[-1]["update_id"]


def test_rejected_request_is_closed_with_reason(oc):
    number = _file(oc)
    cases.reject_case(Case.objects.get(), reason="不属于城市管理问题", acting_user=oc.office.user)
    (row,) = Client().get(f"{BASE}/requests/{number}.json").json()
    assert row["status"] == "closed"
    updates = Client().get(f"{BASE}/servicerequestupdates.json").json()
    # newest first; never "closed" (FixMyStreet reads a bare closed as fixed)
    assert updates[0]["status"] == "not_councils_responsibility"
    assert "不属于城市管理问题" in updates[0]["description"]


def test_updates_window(oc):
    _file(oc)
    later = (timezone.now() + timedelta(days=1)).isoformat()
    response = Client().get(f"{BASE}/servicerequestupdates.json", {"start_date": later})
    assert response.status_code == 200 and response.json() == []
    response = Client().get(f"{BASE}/servicerequestupdates.json", {"end_date": "soon"})
    assert response.status_code == 400
    # an old request: outside the default 90 days, but its own history is all there
    old = cases.intake_case(
        oc.city,
        cases.IntakeData(
            source=Source.CITIZEN,
            description="很早以前的问题",
            category=oc.ads,
            address="甲社区",
            reported_at=timezone.now() - timedelta(days=200),
        ),
        acting_user=SYSTEM,
    ).case
    recent = Client().get(f"{BASE}/servicerequestupdates.json").json()
    assert old.number not in {u["service_request_id"] for u in recent}
    history = (
        Client()
        .get(f"{BASE}/servicerequestupdates.json", {"service_request_id": old.number})
        .json()
    )
    assert [u["service_request_id"] for u in history] == [old.number]


def test_merged_report_answers_with_its_own_id(oc):
    first = _file(oc)
    second = _file(oc, description="路边暴露垃圾无人清理")
    assert second != first and second.startswith("R")
    assert Report.objects.count() == 2 and Case.objects.count() == 1
    (row,) = Client().get(f"{BASE}/requests/{second}.json").json()
    assert row["service_request_id"] == second and row["status"] == "open"
    assert first in row["service_notice"]
    assert row["description"] == "路边暴露垃圾无人清理"


def test_unknown_service_code_on_post_is_404(oc):
    response = post(oc, service_code="XX9999")
    assert response.status_code == 404
    assert errors_of(response) == ["service_code「XX9999」不存在"]
    assert not Case.objects.exists()


def test_csrf_is_not_required(oc):
    # a browser session does not matter either: the key is the credential
    client = Client(enforce_csrf_checks=True)
    client.force_login(oc.office.user)
    assert post(oc, client=client).status_code == 201


def test_each_key_files_in_its_own_city(oc):
    from chuangwen.api.open311.services import create_client
    from tests import factories

    other = factories.city(code="yy", name="乙市")
    cases.load_categories(other, acting_user=SYSTEM)
    _client, key_b = create_client(other, "乙市 12345", acting_user=SYSTEM)
    body = payload(
        oc,
        api_key=key_b,
        jurisdiction_id=None,
        lat=None,
        long=None,
        address_string="乙市人民路",
        **{
            "attribute[volume]": None,
            "attribute[kinds][]": None,
            "attribute[bags]": None,
            "attribute[seen_at]": None,
        },
    )
    response = Client().post(f"{BASE}/requests.json", body, content_type=FORM)
    assert response.status_code == 201, response.content
    number = response.json()[0]["service_request_id"]
    assert Case.objects.get().city == other
    # reading: the jurisdiction given, or the key's city; without either the first city
    c = Client()
    assert c.get(f"{BASE}/requests/{number}.json", {"jurisdiction_id": "yy"}).status_code == 200
    assert c.get(f"{BASE}/requests/{number}.json", {"api_key": key_b}).status_code == 200
    assert c.get(f"{BASE}/requests/{number}.json").status_code == 404
    assert c.get(f"{BASE}/requests.json").json() == []
    # 乙市 has no attributes defined: metadata false everywhere
    services_b = c.get(f"{BASE}/services.json", {"jurisdiction_id": "yy"}).json()
    assert services_b and not any(s["metadata"] for s in services_b)
