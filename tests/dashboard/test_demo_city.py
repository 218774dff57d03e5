"""The small demo city, built once for this module: the workbenches and the cockpit (every role
lands on its own to-dos, the cockpit fills every panel, none left "待接入", acting on a to-do
removes it); and no page lists more than a handful of options in a plain select."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from chuangwen.cases import services as cases
from chuangwen.cases.models import Case
from chuangwen.dashboard.registry import cockpit_panels
from chuangwen.indicators.models import Metric
from chuangwen.org.models import Person
from chuangwen.org.scope import scope_for_user
from chuangwen.tasks.models import MetricValue
from tests.conftest import login

# each demo login and cards its workbench must show (section.item keys)
EXPECTED = {
    "office": {"office.to_register", "office.to_dispatch", "office.to_close", "office.risks"},
    "leader": {"leader.lagging_closure", "leader.accountability"},
    "district": {"liaison.inbox", "liaison.tasks_due", "liaison.rank"},
    "street": {"liaison.inbox", "liaison.notices"},
    "inspector": {"inspector.sites"},
    "grid": {"grid.to_verify", "grid.patrol"},
    "volunteer": {
        "volunteer.my_activities",
        "volunteer.open_activities",
        "volunteer.hours",
        "volunteer.moral",
        "volunteer.reports",
    },
    "shop": {"citizen.outlet", "citizen.reports"},
}


def _as(username: str) -> Client:
    return login(Person.objects.get(user__username=username))


def _cards(html: str) -> set[str]:
    return set(re.findall(r'data-item="([\w.]+)"', html))


def _count(html: str, key: str) -> int:
    m = re.search(rf'data-item="{re.escape(key)}".*?data-testid="count">(\d+)', html, re.S)
    assert m, key
    return int(m.group(1))


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo city in one transaction around the module (its tests' own changes are
    rolled back after each test, the city after the module); its media directory."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings = override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast)
    with django_db_blocker.unblock(), settings, transaction.atomic():
        call_command("build_demo_city", "--small", stdout=io.StringIO())
        yield media
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_role_lands_on_its_own_work_and_the_cockpit_is_full(demo_city):
    for username, cards in EXPECTED.items():
        html = _as(username).get("/").text
        assert cards <= _cards(html), (username, cards - _cards(html))
    # the volunteer login signed up for tomorrow's activity (dated from the day of the build)
    assert "明天 " in _as("volunteer").get("/").text
    # the cockpit: every panel filled with figures
    leader = Person.objects.get(user__username="leader")
    panels = cockpit_panels(scope_for_user(leader.user), timezone.localdate())
    assert {p.key for p in panels} >= {
        "score",
        "districts",
        "map",
        "campaigns",
        "volunteers",
        "redblack",
    }
    assert not [p.key for p in panels if p.pending]
    for p in panels:
        assert p.figures or p.rows or p.map, p.key
    data = _as("leader").get("/dashboard/cockpit/data/").json()
    assert {p["key"] for p in data["panels"]} >= {"campaigns", "volunteers", "redblack"}

    # acting on a to-do removes it: the office registers the first case waiting
    office = _as("office")
    before = _count(office.get("/").text, "office.to_register")
    first = (
        Case.objects.filter(city__code="demo", state="reported")
        .order_by("reported_at", "id")
        .first()
    )
    cases.register_case(first, acting_user=Person.objects.get(user__username="office").user)
    assert _count(office.get("/").text, "office.to_register") == before - 1


# --- no long plain selects -------------------------------------------------------------------

MAX_OPTIONS = 30  # more than this: a search picker (chuangwen/core/widgets.py), not a list
LOGINS = [
    "office",
    "leader",
    "inspector",
    "dept",
    "district",
    "street",
    "grid",
    "volunteer",
    "shop",
]
# links not to follow: logging out; files, photos and JSON (no page)
NOT_PAGES = re.compile(
    r"logout|export|download|docx|xlsx|pdf|zip|svg|photo|/media/|/admin/|/api/|/pick/|/data/"
)
# the public pages (no account) of the demo city
PUBLIC_PAGES = [
    "cases:public_report",
    "citizens:p_portal",
    "citizens:public_suggestions",
    "volunteers:register",
    "volunteers:public_board",
    "volunteers:public_nominate",
]


class _Options(HTMLParser):
    """Counts the options of every plain select, and of every <template> or <datalist> (a list
    a script copies into a select or an input), and collects the page's links."""

    def __init__(self) -> None:
        super().__init__()
        self.lists: list[tuple[str, int]] = []  # (what, how many options)
        self.links: list[str] = []
        self._open: list[list] = []  # [tag, name, picker?, n] of the lists open here

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag in ("select", "template", "datalist"):
            self._open.append([tag, a.get("name") or a.get("id") or "", "data-cw-picker" in a, 0])
        elif tag == "option" and self._open:
            self._open[-1][3] += 1

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[-1][0]:
            kind, name, picker, n = self._open.pop()
            if not picker:
                self.lists.append((f"<{kind} {name}>", n))


def _pattern(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def _walk(client: Client, starts: list[str], depth: int) -> dict[str, list[tuple[str, int]]]:
    """Pages reachable from ``starts`` within ``depth`` links, one page per path pattern (the
    first detail page of each list): ``{path: [(list, options) over MAX_OPTIONS]}``."""
    seen: set[str] = set()
    found: dict[str, list[tuple[str, int]]] = {}
    level = starts
    for _ in range(depth + 1):
        following = []
        for path in level:
            if _pattern(path) in seen:
                continue
            seen.add(_pattern(path))
            r = client.get(path)
            assert r.status_code < 500, (path, r.status_code)
            if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
                continue
            parser = _Options()
            parser.feed(r.content.decode())
            found[path] = [(what, n) for what, n in parser.lists if n > MAX_OPTIONS]
            for href in parser.links:
                link = urlsplit(href).path
                if href.startswith("/") and not href.startswith("//"):
                    following += [] if NOT_PAGES.search(link) else [link]
        level = following
    return found


@pytest.mark.django_db
def test_no_page_of_the_demo_city_lists_more_than_30_plain_options(demo_city, settings):
    """Every page the office reaches from its menu and the first detail page of each list, the
    menu pages of the other demo logins and the public pages: any list longer than
    ``MAX_OPTIONS`` is a search picker. (The demo city has 300+ communities, 118 categories.)"""
    settings.MEDIA_ROOT = demo_city  # the build's photos and documents
    long_lists: dict[str, list] = {}
    pages = 0
    for username in LOGINS:
        found = _walk(_as(username), ["/"], depth=3 if username == "office" else 1)
        pages += len(found)
        long_lists.update({f"{username} {p}": v for p, v in found.items() if v})
    found = _walk(Client(), [reverse(name, args=["demo"]) for name in PUBLIC_PAGES], depth=1)
    pages += len(found)
    long_lists.update({f"anonymous {p}": v for p, v in found.items() if v})
    assert pages > 200, pages  # the walk reached the pages (not only logins and redirects)
    assert not long_lists, long_lists


@pytest.mark.django_db
def test_every_demo_metric_with_a_formula_has_a_value(demo_city):
    """The demo's quantified targets show figures, not errors (the volunteers' registered share
    was recomputed from the rows read before its formula was set: "公式不能为空")."""
    metrics = Metric.objects.filter(city__code="demo").exclude(formula="")
    assert metrics.exists()
    for metric in metrics:
        latest = MetricValue.objects.filter(metric=metric).order_by("-at", "-id").first()
        assert latest is not None and latest.error == "", (metric.name, latest and latest.error)
        assert latest.value is not None, metric.name
