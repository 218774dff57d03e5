"""FixMyStreet's own Open311 client (perllib/Open311.pm) against /open311/v2/: every request is
shaped the way that client builds it — ``.xml`` endpoints; a form-encoded POST of
``_populate_service_request_params`` (extended description "title\\n\\ndetail\\n\\nurl\\n",
first_name/last_name from ``split_name``, email, lat/long truncated to 6 places, media_url —
repeated with ``multi_photos`` — ``attribute[…]`` and always ``attribute[uprn]``) with
``jurisdiction_id`` and ``api_key`` added by ``_request``; GET servicerequestupdates with its
key and a W3CDTF window; POST servicerequestupdates from
``_populate_service_request_update_params``. Answers are read the way it reads them
(XML::Simple with the ``request`` / ``request_update`` / ``error`` group tags)."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from chuangwen.api.models import Open311Submission, Open311Update
from chuangwen.api.open311 import services as o311
from chuangwen.cases import services as cases
from chuangwen.cases.choices import Channel, Resolution, Source
from chuangwen.cases.models import Case, Report
from chuangwen.core.models import AuditEvent
from chuangwen.org.actors import SYSTEM

from .conftest import IN_A, IN_B, jpeg

ENDPOINT = "/open311/v2/"
FORM = "application/x-www-form-urlencoded"


def w3cdtf(when: datetime) -> str:
    """DateTime::Format::W3CDTF->format_datetime of a UTC DateTime."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def split_name(name: str) -> tuple[str, str]:
    """Open311.pm ``split_name``: the first word, and the rest."""
    parts = name.split(None, 1)
    return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "")


class FixMyStreet:
    """The calls Open311.pm makes, with a body's endpoint, jurisdiction and key."""

    def __init__(self, oc, *, multi_photos: bool = False) -> None:
        self.oc = oc
        self.http = Client(enforce_csrf_checks=True)
        self.multi_photos = multi_photos

    def _post(self, path: str, params: dict) -> tuple[int, ET.Element]:
        params = {**params, "jurisdiction_id": self.oc.city.code, "api_key": self.oc.key}
        response = self.http.post(ENDPOINT + path, urlencode(params, doseq=True), content_type=FORM)
        assert response["Content-Type"].startswith("text/xml"), response.content[:300]
        return response.status_code, ET.fromstring(response.content)

    def _get(self, path: str, params: dict) -> tuple[int, ET.Element]:
        params = {**params, "jurisdiction_id": self.oc.city.code}
        response = self.http.get(ENDPOINT + path, params)
        assert response["Content-Type"].startswith("text/xml"), response.content[:300]
        return response.status_code, ET.fromstring(response.content)

    def problem_params(self, **problem) -> dict:
        first, last = split_name(problem.get("name", "李小明"))
        photos = problem.get("photos", ["https://fms.example.org/photo/1.full.jpeg"])
        params = {
            "description": (
                f"{problem.get('title', '路边垃圾')}\n\n"
                f"{problem.get('detail', '幸福路口有一堆垃圾三天没人清理了')}\n\n"
                f"https://fms.example.org/report/{problem.get('id', 101)}\n"
            ),
            "service_code": problem.get("service_code", "SJ0201"),
            "first_name": first,
            "last_name": last,
            "email": problem.get("email", "citizen@example.org"),
            "lat": f"{problem.get('lat', IN_A[1]):.6f}",
            "long": f"{problem.get('lon', IN_A[0]):.6f}",
            "media_url": photos if self.multi_photos else photos[0],
            "attribute[uprn]": problem.get("uprn", "100090215480"),
        }
        params.update(problem.get("extra", {}))
        return params

    def send_service_request(self, **problem) -> tuple[int, ET.Element]:
        return self._post("requests.xml", self.problem_params(**problem))

    def get_service_requests(self, report_ids: list[str]) -> tuple[int, ET.Element]:
        return self._get("requests.xml", {"service_request_id": ",".join(report_ids)})

    def get_service_request_updates(self, start: datetime, end: datetime) -> ET.Element:
        status, root = self._get(
            "servicerequestupdates.xml",
            {"api_key": self.oc.key, "start_date": w3cdtf(start), "end_date": w3cdtf(end)},
        )
        assert status == 200, ET.tostring(root)
        return root

    def post_service_request_update(self, **comment) -> tuple[int, ET.Element]:
        first, last = split_name(comment.get("name", ""))
        params = {
            "updated_datetime": w3cdtf(comment.get("confirmed", timezone.now())),
            "service_request_id": comment["external_id"],
            "status": comment.get("status", "OPEN"),
            "description": comment.get("text", "还没有清理，垃圾更多了"),
            "last_name": last or "-",
            "first_name": first,
            "email": comment.get("email", "citizen@example.org"),
            "update_id": comment.get("id", 501),
        }
        if "photo" in comment:
            params["media_url"] = comment["photo"]
        return self._post("servicerequestupdates.xml", params)


def request_id(root: ET.Element) -> str:
    """``$obj->{request}->[0]->{service_request_id}``"""
    return root.find("request").findtext("service_request_id")


@pytest.fixture
def fms(oc):
    return FixMyStreet(oc)


def test_send_files_a_case_and_keeps_what_fms_sent(oc):
    fms = FixMyStreet(oc, multi_photos=True)
    photos = [
        "https://fms.example.org/photo/101.0.full.jpeg",
        "https://fms.example.org/photo/101.1.full.jpeg",
    ]
    status, root = fms.send_service_request(
        photos=photos, extra={"deviceid": "street-lighting"}, name="李小明"
    )
    assert status == 201 and root.tag == "service_requests", ET.tostring(root)
    number = request_id(root)
    case = Case.objects.get()
    assert number == case.number and case.source == Source.OPEN311
    report = Report.objects.get()
    assert report.reporter_name == "李小明" and report.reporter_email == "citizen@example.org"
    assert "https://fms.example.org/report/101" in report.description
    sub = Open311Submission.objects.get()
    assert sub.media_urls == photos and sub.media_url == photos[0]
    assert sub.device_id == "street-lighting"
    # the unknown attribute FixMyStreet always sends is kept with the report
    assert sub.attributes == {"uprn": "100090215480"}
    # and it reads back the way FixMyStreet asks
    status, root = fms.get_service_requests([number])
    assert status == 200 and request_id(root) == number
    assert root.find("request").findtext("status") == "open"


def test_unknown_attribute_next_to_the_service_s_own(oc, fms):
    extra = {"attribute[volume]": "small", "attribute[bags]": "2"}
    status, root = fms.send_service_request(service_code="SJ0102", extra=extra)
    assert status == 201, ET.tostring(root)
    assert Open311Submission.objects.get().attributes == {
        "uprn": "100090215480",
        "volume": "small",
        "bags": "2",
    }
    # a bad value of an attribute the service does define is still refused, in its shape
    extra = {"attribute[volume]": "small", "attribute[seen_at]": "2026-02-30T08:00:00Z"}
    status, root = fms.send_service_request(service_code="SJ0102", extra=extra, lat=28.0051)
    assert status == 400 and root.tag == "errors"
    assert "attribute[seen_at]" in root.find("error").findtext("description")


def test_merged_send_gets_its_own_id_that_follows_the_case(oc, fms):
    status, root = fms.send_service_request(id=101)
    first = request_id(root)
    status, root = fms.send_service_request(id=102, name="王 芳")
    assert status == 201
    second = request_id(root)
    assert second != first and second.startswith("R")
    assert Case.objects.count() == 1 and Report.objects.count() == 2
    assert Open311Submission.objects.filter(merged=True).count() == 1

    case = Case.objects.get()
    cases.register_case(case, acting_user=oc.office.user)
    status, root = fms.get_service_requests([second])
    assert status == 200
    row = root.find("request")
    assert row.findtext("service_request_id") == second
    assert row.findtext("status") == "open" and "立案" in row.findtext("status_notes")
    assert first in row.findtext("service_notice")
    # the id alone, as a fetch of one request
    response = Client().get(f"{ENDPOINT}requests/{second}.xml")
    assert response.status_code == 200
    assert ET.fromstring(response.content).find("request/service_request_id").text == second

    cases.close_case(
        case, resolution=Resolution.NOT_OURS, note="属省管道路", acting_user=oc.office.user
    )
    status, root = fms.get_service_requests([first, second])
    assert [r.findtext("status") for r in root.findall("request")] == ["closed", "closed"]
    # the updates feed speaks to both ids, and never says fixed
    root = fms.get_service_request_updates(
        timezone.now() - timedelta(hours=2), timezone.now() + timedelta(minutes=1)
    )
    by_id: dict[str, list[str]] = {}
    for u in root.findall("request_update"):
        by_id.setdefault(u.findtext("service_request_id"), []).append(u.findtext("status"))
    assert by_id[first][0] == by_id[second][0] == "not_councils_responsibility"
    assert "fixed" not in by_id[first] + by_id[second]
    ids = [u.findtext("update_id") for u in root.findall("request_update")]
    assert len(ids) == len(set(ids))


def test_update_feed_as_fixmystreet_reads_it(oc, fms):
    _s, root = fms.send_service_request(id=201)
    number = request_id(root)
    case = Case.objects.get()
    office, liaison, worker = oc.office.user, oc.liaison_a.user, oc.grid_worker_a.user
    cases.register_case(case, acting_user=office)
    case = cases.dispatch_case(case, acting_user=office)
    cases.accept_case(case, acting_user=liaison)
    cases.handle_case(case, note="已清理", photos=[jpeg()], acting_user=liaison)
    cases.verify_case(
        case, passed=True, photos=[jpeg()], lon=case.lon, lat=case.lat, acting_user=worker
    )
    cases.close_case(case, acting_user=office)
    # another request, rejected: never reported as fixed
    _s, root = fms.send_service_request(id=202, lat=IN_B[1], lon=IN_B[0], detail="非城管问题")
    rejected = request_id(root)
    cases.reject_case(
        Case.objects.get(source=Source.OPEN311, pk__gt=case.pk),
        reason="属于物业管理范围",
        acting_user=office,
    )

    root = fms.get_service_request_updates(
        timezone.now() - timedelta(hours=2), timezone.now() + timedelta(minutes=1)
    )
    assert root.tag == "service_request_updates"
    updates = root.findall("request_update")
    assert all(u.findtext("update_id") for u in updates)
    mine = [u for u in updates if u.findtext("service_request_id") == number]
    # newest first: the first update FixMyStreet sees is the latest state
    assert [u.findtext("status") for u in mine] == [
        "fixed",
        "fixed",
        "in_progress",
        "action_scheduled",
        "investigating",
        "open",
    ]
    times = [u.findtext("updated_datetime") for u in updates]
    assert times == sorted(times, reverse=True)
    other = [u for u in updates if u.findtext("service_request_id") == rejected]
    assert other[0].findtext("status") == "not_councils_responsibility"
    assert "属于物业管理范围" in other[0].findtext("description")
    # the key FixMyStreet sends with every read may even be empty or stale: still answered
    response = Client().get(
        f"{ENDPOINT}servicerequestupdates.xml", {"api_key": "o311_revoked-long-ago"}
    )
    assert response.status_code == 200


def test_newest_updates_are_never_dropped(oc, fms, monkeypatch):
    from chuangwen.api.open311 import selectors

    monkeypatch.setattr(selectors, "MAX_RESULTS", 3)
    _s, root = fms.send_service_request(id=301)
    case = Case.objects.get()
    cases.register_case(case, acting_user=oc.office.user)
    cases.dispatch_case(case, acting_user=oc.office.user)
    cases.return_case(case, reason="不属于本社区", acting_user=oc.liaison_a.user)
    cases.dispatch_case(case, unit=oc.community_b, acting_user=oc.office.user)
    root = fms.get_service_request_updates(
        timezone.now() - timedelta(hours=2), timezone.now() + timedelta(minutes=1)
    )
    statuses = [u.findtext("status") for u in root.findall("request_update")]
    assert len(statuses) == 3 and statuses[0] == "action_scheduled"  # the latest dispatch


def test_post_update_as_fixmystreet_sends_it(oc, fms):
    _s, root = fms.send_service_request(id=401)
    number = request_id(root)
    status, root = fms.post_service_request_update(
        external_id=number,
        id=9001,
        name="李小明",
        text="又多了两袋，电话 138 0013 8000",
        photo="https://fms.example.org/photo/c9001.full.jpeg",
    )
    assert status == 201, ET.tostring(root)
    assert root.tag == "service_request_updates"
    update_id = root.find("request_update").findtext("update_id")
    assert update_id
    kept = Open311Update.objects.get()
    assert kept.case == Case.objects.get() and kept.client == oc.client
    assert kept.external_id == "9001" and kept.status == "open"
    assert kept.name == "李小明"  # last_name "-" is FixMyStreet's placeholder
    assert kept.media_urls == ["https://fms.example.org/photo/c9001.full.jpeg"]
    assert kept.updated_at_client is not None
    assert AuditEvent.objects.filter(code="api.open311.update_received").count() == 1
    # FixMyStreet retries a comment it did not hear back about: same answer, nothing new
    status, root = fms.post_service_request_update(external_id=number, id=9001, name="李小明")
    assert status == 200 and root.find("request_update").findtext("update_id") == update_id
    assert Open311Update.objects.count() == 1
    # the citizen's update never moves the case
    fms.post_service_request_update(external_id=number, id=9002, status="FIXED")
    assert Case.objects.get().state == "reported"
    # an unknown request: 404 in the spec's shape
    status, root = fms.post_service_request_update(external_id="2026010100000999", id=9003)
    assert status == 404 and root.tag == "errors"
    # without the key: 403
    response = Client().post(
        f"{ENDPOINT}servicerequestupdates.xml",
        urlencode({"service_request_id": number, "description": "x"}),
        content_type=FORM,
    )
    assert response.status_code == 403


def test_post_update_to_a_merged_report(oc, fms):
    fms.send_service_request(id=501)
    _s, root = fms.send_service_request(id=502)
    merged = request_id(root)
    status, root = fms.post_service_request_update(external_id=merged, id=9101)
    assert status == 201
    kept = Open311Update.objects.get()
    assert kept.report == Report.objects.order_by("id").last()


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("小明", "李", "李小明"),  # the spec's fields: family name in last_name, first
        ("李小明", "", "李小明"),  # FixMyStreet's split of a name typed without a space
        ("欧阳 娜娜", "-", "欧阳娜娜"),
        ("John", "Smith", "John Smith"),
        ("Anna", "-", "Anna"),
    ],
)
def test_names_are_joined_properly(oc, fms, first, last, expected):
    params = fms.problem_params()
    params.update(first_name=first, last_name=last)
    status, _root = fms._post("requests.xml", params)
    assert status == 201
    assert Report.objects.get().reporter_name == expected


def test_description_up_to_4000_characters(oc, fms):
    long_text = "垃" * 4000
    status, root = fms._post("requests.xml", {**fms.problem_params(), "description": long_text})
    assert status == 201, ET.tostring(root)
    assert len(Case.objects.get().description) == 4000
    status, root = fms._post(
        "requests.xml", {**fms.problem_params(), "description": long_text + "圾"}
    )
    assert status == 400
    assert "4000" in root.find("error").findtext("description")


def test_filters_combine_and_date_only_end(oc, fms):
    _s, a = fms.send_service_request(id=601)
    _s, b = fms.send_service_request(
        id=602,
        service_code="SJ0102",
        lat=IN_B[1],
        lon=IN_B[0],
        extra={"attribute[volume]": "small"},
    )
    a, b = request_id(a), request_id(b)
    cases.reject_case(Case.objects.get(pk=int(b[8:])), reason="重复", acting_user=oc.office.user)
    c = Client()

    def numbers(query: str) -> list[str]:
        root = ET.fromstring(c.get(f"{ENDPOINT}requests.xml?{query}").content)
        return [r.findtext("service_request_id") for r in root.findall("request")]

    assert numbers("status=open&status=closed") == [b, a]
    assert numbers("status=open,closed") == [b, a]
    assert numbers("status=closed") == [b]
    assert numbers("service_code=SJ0201&service_code=SJ0102") == [b, a]
    assert numbers("service_code=SJ0201,XX0000") == [a]
    today = timezone.localdate().isoformat()
    assert numbers(f"start_date={today}&end_date={today}") == [b, a]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert numbers(f"end_date={yesterday}") == []


def test_public_feed_lists_only_the_office_s_public_sources(oc, fms):
    _s, root = fms.send_service_request(
        id=701, detail="身份证 43010219900101123X，座机 0731-8888 8888"
    )
    mine = request_id(root)
    inspection = cases.intake_case(
        oc.city,
        cases.IntakeData(
            source=Source.INSPECTION,
            description="暗访：某局门前垃圾，联系人王科长 13912345678",
            category=oc.ads,
            lon=IN_B[0],
            lat=IN_B[1],
        ),
        acting_user=SYSTEM,
        channel=Channel.INSPECTION,
    ).case
    c = Client()
    listed = [r["service_request_id"] for r in c.get(f"{ENDPOINT}requests.json").json()]
    assert listed == [mine]
    assert c.get(f"{ENDPOINT}requests/{inspection.number}.json").status_code == 404
    updates = c.get(f"{ENDPOINT}servicerequestupdates.json").json()
    assert {u["service_request_id"] for u in updates} == {mine}
    # personal numbers in the public text are masked
    (row,) = c.get(f"{ENDPOINT}requests/{mine}.json").json()
    assert (
        "43010219900101123X" not in row["description"]
        and "430***********123X" in row["description"]
    )
    assert "8888 8888" not in row["description"] and "073*****8888" in row["description"]

    # the office makes inspections public: audited, and listed from then on
    o311.set_public_sources(
        oc.city, ["citizen", "open311", "inspection"], acting_user=oc.office.user
    )
    event = AuditEvent.objects.get(code="api.open311_settings.saved")
    assert event.actor == oc.office.user and "inspection" in event.after["public_sources"]
    listed = [r["service_request_id"] for r in c.get(f"{ENDPOINT}requests.json").json()]
    assert set(listed) == {mine, inspection.number}
    (row,) = c.get(f"{ENDPOINT}requests/{inspection.number}.json").json()
    assert "13912345678" not in row["description"] and "139****5678" in row["description"]
    # only the office may choose
    from chuangwen.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        o311.set_public_sources(oc.city, ["hotline"], acting_user=oc.liaison_a.user)
