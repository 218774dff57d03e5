"""并单 under concurrency: identical reports sent at the same moment make one case.

The PostgreSQL tests post from many threads, each with its own database connection, against
committed data (``transaction=True``) — the way several gunicorn workers meet in production.
On SQLite the write lock taken at BEGIN IMMEDIATE serialises intake; see tests/core/test_busy.py
for SQLite under a held write lock.
"""

import threading
import time
from urllib.parse import urlencode

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from chuangwen.api.open311 import selectors as o311_selectors
from chuangwen.api.open311 import services as o311
from chuangwen.cases import dedupe, services
from chuangwen.cases.choices import Channel, Source
from chuangwen.cases.models import Case, Category, Report
from chuangwen.org.actors import SYSTEM
from tests import factories
from tests.parallel import run_parallel

from .conftest import IN_A

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs parallel writers: PostgreSQL"
)


def test_reports_within_the_radius_share_a_lock_far_ones_do_not():
    radius = 50.0
    near = dedupe.lock_plan(1, [(7, 113.00999, 28.005)], radius)  # just west of a 0.01° line
    other = dedupe.lock_plan(1, [(7, 113.01001, 28.005)], radius)  # just east, ~2 m away
    assert set(near.cells) & set(other.cells)
    far = dedupe.lock_plan(1, [(7, 113.035, 28.005)], radius)
    assert not set(near.cells) & set(far.cells)
    # another category or another city at the same spot: independent
    assert not set(near.cells) & set(dedupe.lock_plan(1, [(8, 113.00999, 28.005)], radius).cells)
    assert not set(near.cells) & set(dedupe.lock_plan(2, [(7, 113.00999, 28.005)], radius).cells)
    assert near.categories == sorted(near.categories) and not near.whole_categories


def test_a_big_batch_locks_whole_categories_not_thousands_of_cells():
    points = [(c, 113.0 + i * 0.01, 28.0) for c in (1, 2, 3) for i in range(40)]
    plan = dedupe.lock_plan(1, points, 50.0)
    assert plan.whole_categories and plan.cells == [] and len(plan.categories) == 3


def _open311_city():
    sc = factories.SmallCity()
    services.load_categories(sc.city, acting_user=SYSTEM)
    _client, key = o311.create_client(sc.city, "12345 热线平台", acting_user=SYSTEM)
    return sc, key


def _open311_form(key, city):
    return urlencode(
        {
            "api_key": key,
            "jurisdiction_id": city.code,
            "service_code": "SJ0102",
            "lat": str(IN_A[1]),
            "long": str(IN_A[0]),
            "description": "幸福路 12 号门口有一堆暴露垃圾无人清理",
        }
    )


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_identical_open311_posts_make_one_case():
    sc, key = _open311_city()
    body = _open311_form(key, sc.city)

    def post(_i):
        r = Client().post(
            "/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded"
        )
        return r.status_code, r.json()[0].get("service_request_id")

    results = run_parallel(20, post)
    assert [r[0] for r in results] == [201] * 20, results
    assert Case.objects.filter(city=sc.city).count() == 1
    case = Case.objects.get(city=sc.city)
    # the first report opened the case; each merged one has an id of its own that answers
    # with that case (Open311: a merged POST still returns its own id)
    ids = {r[1] for r in results}
    assert case.number in ids and len(ids) == 20
    assert {o311_selectors.get_request(sc.city, i).case.pk for i in ids} == {case.pk}
    assert Report.objects.filter(case=case).count() == 20 and case.report_count == 20


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_batches_and_single_reports_merge_across_each_other():
    """A batch import (which may lock whole categories) and single reports nearby at the same
    time: still one case per problem."""
    sc = factories.SmallCity()
    services.load_categories(sc.city, acting_user=SYSTEM)

    def item(k):
        return services.IntakeData(
            source=Source.HOTLINE,
            description="东门路灯不亮",
            category="BJ0112",
            lon=IN_A[0] + k * 0.000001,
            lat=IN_A[1],
        )

    spread = [
        services.IntakeData(
            source=Source.HOTLINE,
            description=f"第{i}处不同的问题{i * 13}",
            category="SJ0102",
            lon=113.0005 + (i % 10) * 0.012,  # 80 points 1.3 km apart: 80 coarse cells
            lat=28.0005 + (i // 10) * 0.012,
        )
        for i in range(80)
    ]
    assert dedupe.lock_plan(sc.city.pk, [(1, d.lon, d.lat) for d in spread], 50.0).whole_categories

    def work(i):
        if i % 4 == 0:  # a batch spanning > MAX_CELL_LOCKS cells, with the lamp in it
            return services.intake_cases(
                sc.city, [*spread, item(i)], acting_user=SYSTEM, channel=Channel.HOTLINE
            )
        return services.intake_case(sc.city, item(i), acting_user=SYSTEM, channel=Channel.HOTLINE)

    results = run_parallel(12, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    lamps = Case.objects.filter(city=sc.city, category__code="BJ0112")
    assert lamps.count() == 1 and lamps.get().report_count == 12
    assert Case.objects.filter(city=sc.city, category__code="SJ0102").count() == 80


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_waiting_too_long_for_the_lock_answers_503_retry(monkeypatch):
    sc, key = _open311_city()
    holding, release = threading.Event(), threading.Event()
    category_id = Category.objects.get(city=sc.city, code="SJ0102").pk

    def hold():
        try:
            with transaction.atomic():
                dedupe.lock_cells(sc.city.pk, [(category_id, *IN_A)], 50.0)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        monkeypatch.setattr(dedupe, "LOCK_WAIT_S", 0.3)
        t0 = time.monotonic()
        r = Client().post(
            "/open311/v2/requests.json",
            _open311_form(key, sc.city),
            content_type="application/x-www-form-urlencoded",
        )
        assert time.monotonic() - t0 < 5
    finally:
        release.set()
        holder.join()
    assert r.status_code == 503 and r["Retry-After"].isdigit()
    assert r.json() == [{"code": 503, "description": "同一位置的上报正在处理，请稍后重试"}]
    assert not Report.objects.filter(city=sc.city).exists()
    # the same request again, now the lock is free: filed
    r = Client().post(
        "/open311/v2/requests.json",
        _open311_form(key, sc.city),
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 201 and Case.objects.filter(city=sc.city).count() == 1
