"""Idempotency-Key on Open311 and API POSTs: a client that retries a request whose answer it
never got (database restart, dropped connection) files its report exactly once."""

import uuid
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client

from chuangwen.api.open311 import services as o311
from chuangwen.api.services import issue_api_token
from chuangwen.cases import services as cases
from chuangwen.cases.models import Case, Report
from chuangwen.core.models import IdempotentRequest
from tests.factories import SmallCity
from tests.parallel import run_parallel

FORM = "application/x-www-form-urlencoded"
URL = "/open311/v2/requests.json"


@pytest.fixture
def keyed(small_city):
    cases.load_categories(small_city.city, acting_user=small_city.office.user)
    _client, key = o311.create_client(
        small_city.city, "12345 热线平台", acting_user=small_city.office.user
    )
    return small_city, key


def form(api_key: str, text: str = "幸福路口有暴露垃圾", **over: str) -> str:
    fields = {
        "api_key": api_key,
        "service_code": "SJ0102",
        "lat": "28.005",
        "long": "113.005",
        "description": text,
        **over,
    }
    return urlencode(fields)


def post(body: str, key: str | None = None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return Client().post(URL, body, content_type=FORM, headers=headers)


@pytest.mark.django_db
def test_without_a_key_a_retry_files_the_report_twice(keyed):
    """Why the key is needed: the duplicate check merges the retry into the same case, but the
    retried report is still stored a second time."""
    _sc, api_key = keyed
    first, second = post(form(api_key)), post(form(api_key))
    assert first.status_code == second.status_code == 201
    assert Report.objects.count() == 2 and Case.objects.count() == 1


@pytest.mark.django_db
def test_a_retry_with_the_same_key_gets_the_same_answer_and_writes_nothing(keyed):
    _sc, api_key = keyed
    key = str(uuid.uuid4())
    first = post(form(api_key), key)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    counts = (Report.objects.count(), Case.objects.count())

    again = post(form(api_key), key)

    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]
    assert (Report.objects.count(), Case.objects.count()) == counts == (1, 1)
    # a new key is a new report
    assert post(form(api_key), str(uuid.uuid4())).status_code == 201
    assert Report.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_for_a_different_request_is_refused(keyed):
    _sc, api_key = keyed
    post(form(api_key), "k-1")
    other = post(form(api_key, text="另一处：公交站牌小广告"), "k-1")
    assert other.status_code == 422
    assert "已用于内容不同的另一个请求" in other.json()[0]["description"]
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_request_keeps_no_key_so_its_corrected_retry_runs(keyed):
    _sc, api_key = keyed
    bad = post(form(api_key, service_code="NOPE"), "k-2")
    assert bad.status_code == 404  # unknown service_code
    assert not IdempotentRequest.objects.exists()
    good = post(form(api_key), "k-2")
    assert good.status_code == 201 and "Idempotent-Replayed" not in good
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_sender(keyed):
    sc, api_key = keyed
    _other, other_key = o311.create_client(sc.city, "城管 App", acting_user=sc.office.user)
    assert post(form(api_key), "same").status_code == 201
    theirs = post(form(other_key), "same")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Report.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 101, "键"])
def test_a_malformed_key_is_a_400(keyed, key):
    _sc, api_key = keyed
    r = post(form(api_key), key)
    assert r.status_code == 400 and "Idempotency-Key" in r.json()[0]["description"]
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_the_json_api_honours_the_key_per_token(keyed):
    sc, _api_key = keyed
    _token, raw = issue_api_token(
        sc.grid_worker_a.user, name="巡查终端", acting_user=sc.office.user
    )
    auth = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "device-42-0001"}
    body = {"source": "patrol", "description": "井盖缺失", "lon": 113.005, "lat": 28.005}

    first = Client().post("/api/cases/", body, content_type="application/json", headers=auth)
    again = Client().post("/api/cases/", body, content_type="application/json", headers=auth)

    assert first.status_code == again.status_code == 201, first.content
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1 and Report.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_file_one_report():
    sc = SmallCity()
    cases.load_categories(sc.city, acting_user=sc.office.user)
    _client, api_key = o311.create_client(sc.city, "并发", acting_user=sc.office.user)
    body = form(api_key)

    def send(_i):
        r = post(body, "race-1")
        return r.status_code, r.json()[0]["service_request_id"]

    answers = run_parallel(4, send)

    assert len(answers) == 4 and {status for status, _n in answers} == {201}
    assert len({number for _s, number in answers}) == 1
    assert Report.objects.count() == 1 and IdempotentRequest.objects.count() == 1
