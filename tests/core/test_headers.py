"""Security headers: a Content-Security-Policy on every page without inline scripts,
``no-store`` on logged-in pages and downloads, and the API docs behind the login."""

import io
import re
from pathlib import Path

import pytest
from django.http import FileResponse, HttpResponse
from django.test import Client, RequestFactory

from chuangwen.core.headers import SecurityHeadersMiddleware, tile_origin
from tests.test_every_view import all_routes

ROOT = Path(__file__).resolve().parents[2] / "chuangwen"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def check_policy(response) -> None:
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # never 'unsafe-inline' or 'unsafe-eval'
    assert csp["frame-ancestors"] == ["'none'"]
    assert {"'self'", "data:", "blob:"} <= set(csp["img-src"])


@pytest.mark.django_db
def test_every_page_has_the_policy_and_no_inline_script(small_city, client_for):
    client = client_for(small_city.office)
    pages = 0
    for param in all_routes():
        path, name, _callback = param.values
        if path.startswith("/api/") or name == "logout":
            continue
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        check_policy(response)
        assert response["Cache-Control"] == "no-store", path
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html), (path, INLINE_SCRIPT.search(html))
            assert not INLINE_HANDLER.search(html), (path, INLINE_HANDLER.search(html))
            pages += 1
    assert pages > 20


def test_no_template_has_an_inline_script_or_event_handler():
    templates = [p for p in ROOT.rglob("templates/**/*.html")]
    assert len(templates) > 50
    for template in templates:
        text = template.read_text()
        assert not INLINE_SCRIPT.search(text), template
        assert not INLINE_HANDLER.search(text), template


@pytest.mark.django_db
def test_public_pages_and_api_answers_have_the_policy():
    check_policy(Client().get("/login/"))
    check_policy(Client().get("/cases/track/"))
    api = Client().get("/api/org/units")
    assert api.status_code == 401
    check_policy(api)


def test_map_tiles_origin_is_allowed_for_images(db, settings):
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn:8443/xyz/{z}/{x}/{y}.png"
    csp = directives(Client().get("/login/"))
    assert "https://tiles.example.gov.cn:8443" in csp["img-src"]
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert tile_origin("not a url") == ""


def test_logged_in_api_answers_are_never_stored(small_city, client_for):
    response = client_for(small_city.liaison_a).get("/api/org/units")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_exports_and_downloads_are_never_stored(small_city, client_for):
    response = client_for(small_city.office).get("/org/export/units.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    # a file handed to someone not logged in (e.g. a citizen's own photo) is not stored either
    request = RequestFactory().get("/x")
    middleware = SecurityHeadersMiddleware(
        lambda r: FileResponse(io.BytesIO(b"x"), as_attachment=True, filename="a.xlsx")
    )
    assert middleware(request)["Cache-Control"] == "no-store"
    assert "Cache-Control" not in SecurityHeadersMiddleware(lambda r: HttpResponse("ok"))(request)


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_api_docs_need_a_login_unless_opened(path, small_city, client_for, settings):
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")
    assert client_for(small_city.liaison_a).get(path).status_code == 200
    settings.API_DOCS_PUBLIC = True
    assert Client().get(path).status_code == 200
