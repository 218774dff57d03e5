"""Bad bodies and ids answer 4xx, never 500 (what the schemathesis fuzz checks)."""

import pytest

from tests.volunteers.test_pairs import pc  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/pairs/99999999999999999999999", None),
        ("get", "/api/pairs?unit=99999999999999999999999", None),
        ("get", "/api/pairs/activities?since=0000-13-01", None),
        ("post", "/api/pairs", {"unit_id": 0, "community_id": 1}),
        ("post", "/api/pairs", {"unit_id": 1, "community_id": 2, "mechanisms": ["x"] * 7}),
        ("post", "/api/pairs", {"unit_id": 1, "community_id": 2, "started_on": "9999-01-01"}),
        ("post", "/api/pairs", {"unit_id": 1, "community_id": 2, "note": "x" * 2001}),
        ("post", "/api/pairs/PAIR/end", {"reason": ""}),
        ("post", "/api/pairs/PAIR/end", {"reason": "   "}),
        (
            "post",
            "/api/pairs/PAIR/activities",
            {"kind": "civility", "held_on": "2026-02-30", "title": "x", "participants": 1},
        ),
        (
            "post",
            "/api/pairs/PAIR/activities",
            {"kind": "civility", "held_on": "2020-01-01", "title": "x", "participants": 10**12},
        ),
        (
            "post",
            "/api/pairs/PAIR/activities",
            {"kind": "civility", "held_on": "2020-01-01", "title": "\x00", "participants": 1},
        ),
    ],
)
def test_bad_requests_are_4xx(pc, client_for, method, path, body):  # noqa: F811
    c = client_for(pc.office)
    path = path.replace("PAIR", str(pc.pair_a.pk))
    if body is None:
        r = getattr(c, method)(path)
    else:
        r = getattr(c, method)(path, body, content_type="application/json")
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])
    assert "message" in r.json()
