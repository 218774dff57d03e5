"""A write that cannot proceed now answers 503 + Retry-After (never 500), and waits first.

SQLite: the test database is copied to a file and made this thread's default connection, with
production's options (WAL, busy timeout, BEGIN IMMEDIATE) — the in-memory test database uses
a shared cache whose locking differs. Another connection then holds the write lock the way a
big import does while a citizen, an Open311 client and an API client send their reports.
"""

import re
import sqlite3
import threading
import time
from urllib.parse import urlencode

import psycopg.errors
import pytest
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections
from django.test import Client
from django.urls import reverse

from chuangwen.api.open311 import services as o311
from chuangwen.api.services import issue_api_token
from chuangwen.cases import services as cases
from chuangwen.cases.models import Case, Report
from chuangwen.core.busy import busy_from
from chuangwen.core.errors import Busy, InvalidInput
from chuangwen.org.actors import SYSTEM
from tests import factories

IN_A = (113.005, 28.005)


@pytest.fixture
def file_db(transactional_db, tmp_path):
    """Not inside a test transaction: the copy is made while none is open, and what the test
    writes is committed to the file (thrown away with it)."""
    original = connections["default"]
    if original.vendor != "sqlite":
        pytest.skip("SQLite's file locking")
    path = tmp_path / "cw.sqlite3"
    original.ensure_connection()
    target = sqlite3.connect(path)
    original.connection.backup(target)
    target.close()
    made = []

    def use(timeout: float):
        options = {**original.settings_dict["OPTIONS"], "timeout": timeout}
        wrapper = original.__class__(
            {**original.settings_dict, "NAME": str(path), "OPTIONS": options}, alias="default"
        )
        made.append(wrapper)
        connections["default"] = wrapper
        return wrapper

    use(15)
    try:
        yield type("FileDb", (), {"path": path, "use": staticmethod(use)})
    finally:
        for wrapper in made:
            wrapper.close()
        connections["default"] = original


class ImportRunning:
    """Another connection inside a long write transaction: 100,000 rows written, then held."""

    def __init__(self, path, seconds: float):
        self.path, self.seconds = path, seconds
        self.holding = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        conn = sqlite3.connect(self.path, timeout=5)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO django_session (session_key, session_data, expire_date)"
                " VALUES (?, '', '2099-01-01 00:00:00')",
                ((f"import{i:010d}",) for i in range(100_000)),
            )
            self.holding.set()
            time.sleep(self.seconds)
            conn.commit()
        finally:
            conn.close()

    def __enter__(self):
        self.thread.start()
        assert self.holding.wait(30)
        return self

    def __exit__(self, *exc):
        self.thread.join()


def _public_post(client, city, token):
    url = reverse("cases:public_report", args=[city.code])
    return client.post(
        url,
        {
            "token": token,
            "description": "路边垃圾堆了好几天没人清理",
            "phone": "13912345678",
            "address": "甲社区幸福路",
        },
    )


def _token(client, city):
    body = client.get(reverse("cases:public_report", args=[city.code])).content.decode()
    return re.search(r'name="token" value="([^"]+)"', body).group(1)


def test_public_report_during_an_import_waits_and_succeeds(file_db):
    sc = factories.SmallCity()
    cache.clear()
    client = Client()
    token = _token(client, sc.city)
    with ImportRunning(file_db.path, 1.5):
        t0 = time.monotonic()
        r = _public_post(client, sc.city, token)
        waited = time.monotonic() - t0
    assert r.status_code == 302, r.content.decode()[:500]
    report = Report.objects.get(city=sc.city)
    assert r["Location"].endswith(f"/{report.tracking_code}/?new=1")
    assert waited > 0.5  # it queued for the write lock rather than failing


def test_beyond_the_busy_timeout_503_with_retry_after_then_the_same_form_works(file_db):
    sc = factories.SmallCity()
    cache.clear()
    client = Client()
    token = _token(client, sc.city)
    file_db.use(timeout=0.2)
    with ImportRunning(file_db.path, 2):
        r = _public_post(client, sc.city, token)
    assert r.status_code == 503 and int(r["Retry-After"]) > 0
    assert "系统繁忙，请稍后重试" in r.content.decode()
    assert not Report.objects.exists()
    r = _public_post(client, sc.city, token)  # retried with the same form: filed once
    assert r.status_code == 302 and Report.objects.count() == 1


def test_open311_and_api_beyond_the_busy_timeout_answer_503_in_their_format(file_db):
    sc = factories.SmallCity()
    cases.load_categories(sc.city, acting_user=SYSTEM)
    _client, key = o311.create_client(sc.city, "12345 热线平台", acting_user=SYSTEM)
    _token, raw = issue_api_token(sc.office.user, name="t", acting_user=SYSTEM)
    form = urlencode(
        {
            "api_key": key,
            "jurisdiction_id": sc.city.code,
            "service_code": "SJ0102",
            "lat": str(IN_A[1]),
            "long": str(IN_A[0]),
            "description": "暴露垃圾",
        }
    )
    file_db.use(timeout=0.2)
    with ImportRunning(file_db.path, 3):
        o = Client().post(
            "/open311/v2/requests.json", form, content_type="application/x-www-form-urlencoded"
        )
        x = Client().post(
            "/open311/v2/requests.xml", form, content_type="application/x-www-form-urlencoded"
        )
        a = Client().post(
            "/api/cases/",
            {"source": "inspection", "description": "暴露垃圾", "lon": IN_A[0], "lat": IN_A[1]},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
    assert o.status_code == 503 and o["Retry-After"].isdigit()
    assert o.json() == [{"code": 503, "description": "系统繁忙，请稍后重试"}]
    assert x.status_code == 503 and b"<errors><error><code>503</code>" in x.content
    assert a.status_code == 503 and a["Retry-After"].isdigit()
    assert a.json() == {"code": "busy", "message": "系统繁忙，请稍后重试"}
    assert not Case.objects.exists()


def _wrapped(cause: Exception, cls=OperationalError) -> Exception:
    exc = cls(str(cause))
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    "exc",
    [
        OperationalError("database is locked"),
        _wrapped(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")),
        _wrapped(psycopg.errors.DeadlockDetected("deadlock detected")),
        _wrapped(psycopg.errors.SerializationFailure("could not serialize access")),
        _wrapped(psycopg.errors.AdminShutdown("terminating connection")),
        _wrapped(psycopg.errors.TooManyConnections("too many clients")),
        _wrapped(psycopg.OperationalError("connection refused")),
        InterfaceError("connection already closed"),
        Busy(),
    ],
)
def test_retryable_database_errors_are_busy(exc):
    assert isinstance(busy_from(exc), Busy)


@pytest.mark.parametrize(
    "exc",
    [
        OperationalError("no such table: cases_case"),
        _wrapped(psycopg.errors.UndefinedTable("relation does not exist")),
        ValueError("database is locked"),
        InvalidInput(),
    ],
)
def test_other_errors_are_not_busy(exc):
    assert busy_from(exc) is None
