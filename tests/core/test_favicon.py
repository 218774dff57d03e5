"""The favicon: an SVG served from static, linked from every page's head, and /favicon.ico
answering (a redirect to the SVG) instead of a 404 — without a login."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

ICON = Path(settings.BASE_DIR) / "chuangwen" / "static" / "favicon.svg"
STANDALONE = [  # templates with their own <head> (not extending base.html)
    "citizens/p/base.html",
    "tasks/pocket_book_pdf.html",
    "assessment/bulletin_pdf.html",
    "volunteers/certificate_pdf.html",
]


def test_the_icon_is_an_svg():
    text = ICON.read_text()
    assert text.lstrip().startswith("<svg") and "viewBox" in text


@pytest.mark.django_db
def test_favicon_ico_redirects_to_the_svg_without_login():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("/static/favicon.svg")


@pytest.mark.django_db
def test_login_page_and_signed_in_pages_link_the_icon(small_city, client_for):
    assert 'rel="icon"' in Client().get(reverse("login")).content.decode()
    page = client_for(small_city.office).get(reverse("tasks:metrics")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in page


@pytest.mark.django_db
def test_public_portal_links_the_icon(small_city):
    page = Client().get(reverse("citizens:p_portal", args=[small_city.city.code]))
    assert page.status_code == 200
    assert 'href="/static/favicon.svg"' in page.content.decode()


def _standalone_templates():
    root = Path(settings.BASE_DIR) / "chuangwen"
    return sorted(p for p in root.rglob("templates/**/*.html") if "<head" in p.read_text())


def test_every_standalone_template_links_the_icon():
    found = _standalone_templates()
    names = {p.as_posix().split("/templates/", 1)[1] for p in found}
    assert set(STANDALONE) | {"base.html"} <= names  # the scan sees them
    missing = [str(p) for p in found if '"_favicon.html"' not in p.read_text()]
    assert not missing, missing
