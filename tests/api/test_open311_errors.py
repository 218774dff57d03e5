"""Open311 never answers a 500 or an HTML page: every refusal is a GeoReport v2 error list
(``[{"code": 400, "description": "…"}]`` in JSON, ``<errors><error>…`` in XML)."""

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.db import OperationalError
from django.test import Client

from chuangwen.api.open311 import services as o311
from chuangwen.cases.models import Case
from chuangwen.core.errors import Busy

from .test_open311 import BASE, FORM, payload, post


def json_errors(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert isinstance(data, list) and data
    assert all(set(e) == {"code", "description"} and e["code"] == status for e in data)
    return [e["description"] for e in data]


def xml_errors(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert {e.findtext("code") for e in root.findall("error")} == {str(status)}
    return [e.findtext("description") for e in root.findall("error")]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("requests", {"start_date": "2026-13-45T00:00:00Z"}),
        ("requests", {"start_date": "2026-02-30"}),
        ("requests", {"end_date": "2026-02-30"}),
        ("requests", {"start_date": "2026-11-01T00:00:00+99:00"}),
        ("requests", {"start_date": "0001-01-01"}),
        ("requests", {"end_date": "0001-01-01T00:00:00Z"}),
        ("requests", {"start_date": "9999-12-31"}),
        ("requests", {"end_date": "9999-12-31"}),
        ("servicerequestupdates", {"start_date": "2026-13-45T00:00:00Z"}),
        ("servicerequestupdates", {"end_date": "9999-12-31"}),
        ("requests", {"service_request_id": "2026010199999999999999999999"}),
        ("servicerequestupdates", {"service_request_id": "2026010199999999999999999999"}),
    ],
)
def test_impossible_values_on_gets_are_400(oc, path, params):
    for fmt, errors in (("json", json_errors), ("xml", xml_errors)):
        response = Client().get(f"{BASE}/{path}.{fmt}", params)
        descriptions = errors(response, 400)
        assert all(descriptions)


def test_huge_request_id_in_path_is_400(oc):
    response = Client().get(f"{BASE}/requests/2026010199999999999999999999.json")
    assert "2026010199999999999999999999" in json_errors(response, 400)[0]
    response = Client().get(f"{BASE}/requests/R2026010199999999999999999999.xml")
    xml_errors(response, 400)


def test_bad_datetime_attribute_value_is_400(oc):
    response = post(oc, **{"attribute[seen_at]": "2026-13-45T00:00:00Z"})
    assert any("attribute[seen_at]" in d for d in json_errors(response, 400))
    response = post(oc, **{"attribute[seen_at]": "2026-11-01T00:00:00+99:00"})
    assert any("attribute[seen_at]" in d for d in json_errors(response, 400))
    response = post(oc, **{"attribute[bags]": "1e999"})
    assert any("attribute[bags]" in d for d in json_errors(response, 400))
    assert not Case.objects.exists()


def test_unknown_format_and_path_answer_open311_errors(oc):
    response = Client().get(f"{BASE}/requests.yaml")
    assert "yaml" in xml_errors(response, 400)[0]
    response = Client().get(f"{BASE}/services/SJ0102.html")
    xml_errors(response, 400)
    response = Client().get(f"{BASE}/nothing-here.json")
    json_errors(response, 404)
    response = Client().post(f"{BASE}/requests.csv", payload(oc), content_type=FORM)
    xml_errors(response, 400)
    assert not Case.objects.exists()


def test_oversized_body_is_refused_in_open311_shape(oc, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = payload(oc, description="很长" * 10_000)
    response = Client().post(f"{BASE}/requests.json", body, content_type=FORM)
    json_errors(response, 413)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = payload(oc) + "&" + urlencode({f"x{i}": i for i in range(50)})
    response = Client().post(f"{BASE}/requests.xml", body, content_type=FORM)
    xml_errors(response, 400)
    assert not Case.objects.exists()


def test_non_utf8_body_and_query_are_400(oc):
    body = payload(oc).encode() + b"&first_name=%C0%AF%FF"
    response = Client().post(f"{BASE}/requests.json", body, content_type=FORM)
    assert "UTF-8" in json_errors(response, 400)[0]
    body = "description=路边垃圾".encode("gbk") + b"&" + payload(oc).encode()
    response = Client().post(f"{BASE}/requests.json", body, content_type=FORM)
    assert "UTF-8" in json_errors(response, 400)[0]
    response = Client().get(f"{BASE}/requests.json?status=%FF%FE")
    json_errors(response, 400)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "failure", [Busy(), OperationalError("database is locked")], ids=["busy", "operational"]
)
def test_a_write_that_cannot_proceed_is_503_with_retry_after(oc, monkeypatch, failure):
    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(o311.cases, "intake_case", fail)
    response = post(oc)
    assert json_errors(response, 503)
    assert int(response["Retry-After"]) > 0
    response = post(oc, fmt="xml")
    assert xml_errors(response, 503)
    assert response["Retry-After"]


def test_read_that_hits_a_locked_database_is_503(oc, monkeypatch):
    from chuangwen.api.open311 import selectors

    def fail(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(selectors, "service_rows", fail)
    response = Client().get(f"{BASE}/services.xml")
    xml_errors(response, 503)
    assert response["Retry-After"]


def test_invalid_key_on_a_get_is_ignored(oc):
    response = Client().get(f"{BASE}/services.json", {"api_key": "o311_not-a-key"})
    assert response.status_code == 200 and response.json()
    response = Client().get(f"{BASE}/servicerequestupdates.xml", {"api_key": ""})
    assert response.status_code == 200
