"""The same permission checks against every view of the project.

Anonymous requests to any page are sent to the login page and any API call answers 401, unless
the view is one of the deliberately public ones listed here.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# url names (namespace:name) reachable without a login, each for a reason
PUBLIC = {
    "login",  # the login page itself
    "set_language",  # switching the interface language
    "favicon",  # browsers fetch /favicon.ico before any login: a redirect to the static icon
    "api:api-root",  # ninja's root answers 404; the docs say what is there
    # citizens report (随手拍) and follow their report by its tracking code without an account
    "cases:public_report",
    "cases:track_form",
    "cases:track",
    "cases:public_photo",
    # citizens register as volunteers on a phone page before they have an account, picking
    # their street or community by name (names only, rate-limited per client address)
    "volunteers:register",
    "org:public_areas",
    # the citizens' public portal (phone first, no account): its front page, my reports by
    # the codes kept on the device, the votes (ballots one per phone and device, rate limited),
    # campaign progress with its public photos, compound rankings and the exposure board
    "citizens:p_portal",
    "citizens:p_my",
    "citizens:p_my_status",
    "citizens:p_votes",
    "citizens:p_vote",
    "citizens:p_campaigns",
    "citizens:p_campaign",
    "citizens:p_campaign_photo",
    "citizens:p_rankings",
    "citizens:p_ranking",
    "citizens:p_board",
    # the 随手拍 page's category suggestions as the citizen types (rate-limited, no personal data)
    "cases:public_suggest",
    # the 随手拍 map: the picked spot in words, boundaries and grid outlines (rate-limited,
    # nothing personal)
    "cases:public_place",
    "cases:public_layer",
    # citizens' suggestions (意见建议): a public page to submit, read and like (rate-limited)
    "citizens:public_suggestions",
    "citizens:public_like",
    # Open311 GeoReport v2 is public by specification: any 311 client reads services and
    # requests without an account; POST requests authenticates with its api_key instead
    "open311:discovery",
    "open311:services",
    "open311:service_definition",
    "open311:requests",
    "open311:request",
    "open311:token",
    "open311:updates",
    "open311:unknown",
    # the 好人榜 and a published good person's story and photo are for everyone; the 公示 page
    # takes objections and the nomination page recommendations from citizens without an account
    "volunteers:public_board",
    "volunteers:public_honour",
    "volunteers:public_honour_photo",
    "volunteers:public_notice",
    "volunteers:public_nominate",
}
SKIP_PREFIXES = ("admin/", "static/", "media/")


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}", p.callback


def _example_path(route: str) -> str:
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(str|slug|path|uuid):?[^>]*>", "x", route)
    route = re.sub(r"<[^>]+>", "1", route)  # untyped parameters (ninja)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    return "/" + route.replace("\\", "")


def all_routes():
    seen = set()
    for route, name, callback in _walk(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES) or "docs" in route or "openapi" in route:
            continue
        path = _example_path(route)
        if path in seen:
            continue
        seen.add(path)
        yield pytest.param(path, name, callback, id=f"{name} {path}")


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name", "callback"), list(all_routes()))
def test_anonymous_is_turned_away(path, name, callback):
    if name in PUBLIC or name.split(":")[-1] in PUBLIC:
        return
    assert getattr(callback, "login_required", True) is not False or path.startswith("/api/"), (
        f"{name} is marked login_not_required but is not listed in PUBLIC"
    )
    client = Client()
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in (401, 405), (path, response.status_code)
    else:
        assert response.status_code == 302, (path, response.status_code)
        assert response.url.startswith("/login/")
