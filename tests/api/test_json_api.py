"""The JSON API as an outside client sees it: bad numbers and dates are a 400 in the API's error
JSON (never a 500), every list takes exactly its FilterSet's parameters, and the OpenAPI document
at /api/openapi.json describes what the endpoints really answer."""

import re

import pytest

from chuangwen.api.main import api
from chuangwen.cases import services as cases
from chuangwen.cases.choices import Source
from chuangwen.cases.models import Category
from chuangwen.indicators.filters import IndicatorFilter
from chuangwen.indicators.services import load_evaluation_system
from chuangwen.inspections.filters import ActionFilter, NoticeFilter, PlanFilter
from chuangwen.org.actors import SYSTEM
from chuangwen.org.filters import GridFilter, PersonFilter, UnitFilter
from chuangwen.sites.filters import SiteFilter
from chuangwen.tasks.filters import TaskFilter

BIG = str(2**63)
HUGE = str(2**70)
CJK = re.compile(r"[\u4e00-\u9fff]")

# every paginated list and the FilterSet that serves it (the round-level lists have none)
LISTS = {
    "/api/org/units": UnitFilter,
    "/api/org/grids": GridFilter,
    "/api/org/people": PersonFilter,
    "/api/indicators/tree": IndicatorFilter,
    "/api/sites/sites": SiteFilter,
    "/api/tasks/": TaskFilter,
    "/api/inspections/plans": PlanFilter,
    "/api/inspections/notices": NoticeFilter,
    "/api/inspections/actions": ActionFilter,
}


@pytest.fixture
def city(small_city):
    load_evaluation_system(small_city.city, activate=True, acting_user=SYSTEM)
    cases.load_categories(small_city.city, acting_user=SYSTEM)
    return small_city


def assert_bad_request(r, *params: str) -> dict:
    assert r.status_code == 400, (r.status_code, r.content[:500])
    body = r.json()
    assert body["code"] == "invalid" and CJK.search(body["message"]), body
    for p in params:
        assert p in body["message"], (p, body)
    return body


def intake(city):
    return cases.intake_case(
        city.city,
        cases.IntakeData(
            source=Source.INSPECTION,
            description="路边有一堆暴露垃圾无人清理",
            category=Category.objects.get(city=city.city, code="SJ0102"),
            lon=113.005,
            lat=28.005,
        ),
        acting_user=city.office.user,
    ).case


# --- 1. numbers and dates ----------------------------------------------------------------------


@pytest.mark.parametrize("path", [*LISTS, "/api/cases/", "/api/assessment/rounds"])
@pytest.mark.parametrize(
    "query",
    [{"offset": BIG}, {"limit": BIG}, {"offset": "-1"}, {"limit": "0"}, {"limit": HUGE}],
    ids=["offset-2^63", "limit-2^63", "offset-negative", "limit-zero", "limit-2^70"],
)
def test_bad_page_numbers_are_400(city, client_for, path, query):
    r = client_for(city.office).get(path, query)
    assert_bad_request(r, next(iter(query)))


@pytest.mark.parametrize(
    "path,param",
    [
        ("/api/cases/", "unit"),
        ("/api/sites/sites", "unit"),
        ("/api/sites/sites", "district"),
        ("/api/sites/sites", "site_type"),
        ("/api/tasks/", "unit"),
        ("/api/org/people", "unit"),
        ("/api/org/grids", "unit"),
        ("/api/indicators/tree", "site_type"),
        ("/api/inspections/notices", "year"),
        ("/api/assessment/rounds", "year"),
    ],
)
@pytest.mark.parametrize("value", [BIG, HUGE, "-" + BIG, "1.5", "1e999"])
def test_out_of_range_id_filters_are_400(city, client_for, path, param, value):
    r = client_for(city.office).get(path, {param: value})
    assert_bad_request(r, param)


@pytest.mark.parametrize(
    "path,param",
    [("/api/cases/", "since"), ("/api/tasks/", "due_after"), ("/api/tasks/", "due_before")],
)
@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-45", "0000-01-01", "10000-01-01"])
def test_impossible_dates_in_filters_are_400(city, client_for, path, param, value):
    assert_bad_request(client_for(city.office).get(path, {param: value}), param)


def test_path_ids_that_cannot_exist_are_404(city, client_for):
    c = client_for(city.office)
    for path in [
        "/api/cases/{}",
        "/api/tasks/{}",
        "/api/org/units/{}",
        "/api/sites/sites/{}",
        "/api/jobs/{}",
        "/api/assessment/rounds/{}/risks",
    ]:
        for value in (BIG, HUGE):
            r = c.get(path.format(value))
            assert r.status_code == 404, (path, value, r.status_code)
            assert CJK.search(r.json()["message"])
    # get_object_or_404 (Http404) answers in the same error JSON
    r = c.post(f"/api/cases/extensions/{BIG}/decide", {"approve": True}, "application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "deadline",
    [
        "2026-02-30T10:00:00+08:00",
        "2026-13-45T10:00:00",
        "2026-06-01T10:00:00+99:00",
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+14:00",
        "0001-01-01",
        "not a date",
    ],
)
def test_impossible_datetimes_in_bodies_are_400(city, client_for, deadline):
    case = intake(city)
    c = client_for(city.office)
    assert (
        c.post(f"/api/cases/{case.pk}/register", {}, content_type="application/json").status_code
        == 200
    )
    r = c.post(
        f"/api/cases/{case.pk}/dispatch", {"deadline": deadline}, content_type="application/json"
    )
    assert_bad_request(r, "deadline")
    r = c.post(
        f"/api/cases/{case.pk}/extensions",
        {"until": deadline, "reason": "协调中"},
        content_type="application/json",
    )
    assert r.status_code == 400, r.content


@pytest.mark.parametrize("value", [BIG, -1, 0, 1.5])
def test_out_of_range_ids_in_bodies_are_400(city, client_for, value):
    case = intake(city)
    c = client_for(city.office)
    r = c.post(
        f"/api/cases/{case.pk}/reject",
        {"reason": "重复", "duplicate_of": int(value) if value == BIG else value},
        content_type="application/json",
    )
    assert_bad_request(r, "duplicate_of")


def test_nul_characters_and_non_finite_numbers_are_400(city, client_for):
    c = client_for(city.office)
    r = c.post(
        "/api/cases/",
        {"source": "patrol", "description": "垃圾\x00", "lon": 113.005, "lat": 28.005},
        content_type="application/json",
    )
    assert_bad_request(r, "description")
    r = c.post(
        "/api/cases/",
        '{"source": "patrol", "description": "垃圾", "lon": NaN, "lat": 28.005}',
        content_type="application/json",
    )
    assert_bad_request(r, "lon")
    r = c.get("/api/org/locate", {"lon": "inf", "lat": "28"})
    assert_bad_request(r, "lon")
    assert_bad_request(c.get("/api/cases/", {"q": "a\x00b"}), "q")
    assert_bad_request(c.get("/api/org/locate", {"lon": 113, "lat": 28, "crs": "\x00"}), "crs")
    case = intake(city)
    r = c.post(f"/api/cases/{case.pk}/handle", {"note": "已清理\x00"})
    assert_bad_request(r, "note")


def test_compare_refuses_bad_round_lists(city, client_for):
    c = client_for(city.office)
    assert_bad_request(c.get("/api/assessment/compare", {"rounds": f"1,{HUGE}"}), "rounds")
    assert_bad_request(c.get("/api/assessment/compare", {"rounds": "1", "by": "bogus"}), "by")


def test_unauthenticated_is_401_in_the_error_json(city, client):
    r = client.get("/api/cases/")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthorized" and CJK.search(r.json()["message"])


# --- 2. one FilterSet per list -------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi():
    """The document exactly as /api/openapi.json renders it (status codes as strings)."""
    import json

    from ninja.responses import NinjaJSONEncoder

    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def _op(openapi, path: str, method: str = "get") -> dict:
    return openapi["paths"][path][method]


@pytest.mark.parametrize("path", [*LISTS, "/api/cases/", "/api/assessment/rounds"])
def test_list_parameters_are_the_filtersets(openapi, path):
    from chuangwen.assessment.filters import RoundFilter
    from chuangwen.cases.filters import CaseFilter

    fs = {**LISTS, "/api/cases/": CaseFilter, "/api/assessment/rounds": RoundFilter}[path]
    params = {p["name"]: p for p in _op(openapi, path)["parameters"] if p["in"] == "query"}
    own = {"system"} if path == "/api/indicators/tree" else set()  # the version, not a filter
    assert set(params) == {*fs.base_filters, "limit", "offset", *own}
    for name, f in fs.base_filters.items():
        assert params[name].get("description") == str(f.label), name
        if hasattr(f.extra.get("choices"), "__iter__"):
            assert set(params[name]["schema"]["enum"]) >= {str(v) for v, _ in f.extra["choices"]}


def test_every_filter_is_applied_and_checked(city, client_for):
    c = client_for(city.office)
    # parameters the hand-copied lists had dropped now work …
    assert c.get("/api/sites/sites", {"active": "false"}).json()["count"] == 0
    assert c.get("/api/indicators/tree", {"city_added": "true"}).json()["count"] == 0
    assert c.get("/api/indicators/tree", {"retired": "false"}).json()["count"] > 0
    # … and bad values are refused, naming the parameter, instead of silently ignored
    assert_bad_request(c.get("/api/sites/sites", {"geometry_kind": "bogus"}), "geometry_kind")
    assert_bad_request(c.get("/api/org/units", {"kind": "bogus"}), "kind")
    body = assert_bad_request(
        c.get("/api/tasks/", {"status": "bogus", "due_after": "2026-02-30"}), "status", "due_after"
    )
    assert {e["param"] for e in body["errors"]} == {"status", "due_after"}
    assert_bad_request(c.get("/api/inspections/actions", {"overdue": "maybe"}), "overdue")


# --- 3. the OpenAPI document ---------------------------------------------------------------------


def _models_of_api():
    """Every pydantic model the API's operations use (responses, bodies, parameters), with the
    models nested in them."""
    from pydantic import BaseModel

    seen: dict[type, None] = {}

    def walk(tp) -> None:
        import typing

        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                return
            seen[tp] = None
            for f in tp.model_fields.values():
                walk(f.annotation)
            return
        for arg in typing.get_args(tp):
            walk(arg)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                for model in op.response_models.values():
                    walk(model)
                for model in op.models:
                    walk(model)
    return list(seen)


def test_schema_component_names_are_unique(openapi):
    by_name: dict[str, set] = {}
    for model in _models_of_api():
        title = model.model_config.get("title") or model.__name__
        by_name.setdefault(title, set()).add(f"{model.__module__}.{model.__qualname__}")
    components = openapi["components"]["schemas"]
    dupes = {n: sorted(c) for n, c in by_name.items() if len(c) > 1 and n in components}
    assert not dupes, f"schemas sharing one OpenAPI component name: {dupes}"


def test_case_detail_is_documented_with_the_cases_shape(openapi):
    schemas = openapi["components"]["schemas"]
    detail = _op(openapi, "/api/cases/{case_id}")["responses"]["200"]["content"]
    ref = detail["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    reports = schemas[ref]["properties"]["reports"]["items"]["$ref"].rsplit("/", 1)[1]
    assert "masked_phone" in schemas[reports]["properties"]
    task_reports = _op(openapi, "/api/tasks/{task_id}/reports")["responses"]["200"]["content"]
    item = task_reports["application/json"]["schema"]["items"]["$ref"].rsplit("/", 1)[1]
    assert "review_comment" in schemas[item]["properties"]


def _types(schema: dict) -> set:
    if "anyOf" in schema:
        return set().union(*(_types(s) for s in schema["anyOf"]))
    return {schema.get("type")}


def test_points_and_scores_are_numbers(openapi, city, client_for):
    schemas = openapi["components"]["schemas"]
    offenders = [
        f"{name}.{prop}"
        for name, s in schemas.items()
        for prop, p in s.get("properties", {}).items()
        if "string" in _types(p) and "number" in _types(p)
    ]
    assert not offenders, f"decimals documented as number-or-string: {offenders}"
    r = client_for(city.office).post(
        "/api/tasks/formula/check",
        {"formula": "(cases.open() + 3) / 2"},
        content_type="application/json",
    )
    assert r.json() == {"valid": True, "message": "", "value": 1.5}


ERROR_CODES = {"400", "401", "403", "404"}


def test_every_operation_documents_its_errors_and_every_response_has_a_schema(openapi):
    schemas = openapi["components"]["schemas"]
    assert "ErrorOut" in schemas
    assert {"code", "message"} <= set(schemas["ErrorOut"]["properties"])
    missing, bare = [], []
    for path, methods in openapi["paths"].items():
        for method, op in methods.items():
            responses = op["responses"]
            want = ERROR_CODES | ({"409"} if method != "get" else set())
            if not want <= set(responses):
                missing.append(f"{method} {path}: {sorted(want - set(responses))}")
            for status, resp in responses.items():
                schema = resp.get("content", {}).get("application/json", {}).get("schema")
                if not schema:
                    bare.append(f"{method} {path} {status}")
                elif status in ERROR_CODES | {"409"}:
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (path, status)
    assert not missing, missing
    assert not bare, bare
