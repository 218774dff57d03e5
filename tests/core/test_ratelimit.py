"""Rate limits hold across worker processes: each process has its own cache connection, all
share the store (the database cache here, Redis in production)."""

import time

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.db import connection

from chuangwen.core import ratelimit
from tests.parallel import run_parallel


def process_cache() -> DatabaseCache:
    """The cache a fresh worker process builds from settings.CACHES."""
    from django.conf import settings

    conf = settings.CACHES["default"]
    assert conf["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    return DatabaseCache(conf["LOCATION"], {})


@pytest.mark.django_db
def test_the_cache_table_comes_with_migrate():
    assert "cw_cache" in connection.introspection.table_names()


@pytest.mark.django_db
def test_two_processes_share_one_limit():
    a, b = process_cache(), process_cache()
    now = time.time()
    allowed = [ratelimit.hit(["addr"], 10, 3600, store=(a, b)[i % 2], now=now) for i in range(25)]
    assert allowed == [True] * 10 + [False] * 15
    # another key is not affected; the next window starts afresh
    assert ratelimit.hit(["other"], 10, 3600, store=a, now=now)
    assert ratelimit.hit(["addr"], 10, 3600, store=b, now=now + 3600)


@pytest.mark.django_db
def test_every_key_must_have_room_and_a_refused_hit_counts_nothing():
    a = process_cache()
    now = time.time()
    for i in range(3):
        assert ratelimit.hit([f"addr{i}", "phone"], 3, 3600, store=a, now=now)
    assert not ratelimit.hit(["addr9", "phone"], 3, 3600, store=a, now=now)  # phone used up
    # the refused hit did not count against addr9
    assert all(ratelimit.hit(["addr9"], 3, 3600, store=a, now=now) for _ in range(3))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_processes_let_exactly_the_limit_through():
    now = time.time()

    def worker(_i):
        store = process_cache()  # its own cache and, in this thread, its own connection
        return [ratelimit.hit(["addr", "phone"], 10, 3600, store=store, now=now) for _ in range(10)]

    results = [hit for mine in run_parallel(4, worker) for hit in mine]
    assert len(results) == 40 and sum(results) == 10
