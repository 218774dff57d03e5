"""chuangwen.core.bulk: ids allocated in the caller's transaction, rows written as bulk_create
would write them, in batches — on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chuangwen.core.bulk import allocate_ids, bulk_insert
from chuangwen.core.models import AuditEvent


def _insert_batches(ctx: CaptureQueriesContext) -> list[int]:
    """Rows per executemany, as Django's debug cursor logs it ("N times: INSERT …")."""
    return [
        int(q["sql"].split(" times: ", 1)[0])
        for q in ctx.captured_queries
        if " times: INSERT" in q["sql"]
    ]


@pytest.mark.django_db(transaction=True)
def test_ids_follow_the_highest_ever_used_and_the_orm_goes_on_after_them():
    first = AuditEvent.objects.create(code="t.first", object_type="t")
    gone = AuditEvent.objects.create(code="t.gone", object_type="t")
    gone_id = gone.pk
    gone.delete()  # the highest id ever used is no longer in the table
    with transaction.atomic():
        ids = allocate_ids(AuditEvent, 3)
    assert len(ids) == len(set(ids)) == 3
    assert min(ids) > gone_id > first.pk
    rows = [AuditEvent(code=f"t.{i}", object_type="t") for i in range(3)]
    with transaction.atomic():
        bulk_insert(AuditEvent, rows)
    assert all(r.pk and r.pk > gone_id for r in rows)
    assert len({r.pk for r in rows}) == 3
    after = AuditEvent.objects.create(code="t.after", object_type="t")
    assert after.pk > max(r.pk for r in rows)


@pytest.mark.django_db(transaction=True)
def test_rows_read_back_as_written_with_auto_fields_json_and_datetimes():
    rows = [
        AuditEvent(code="t.obj", object_type="t", object_id="7", before={"a": [1, "二"]}),
        AuditEvent(code="t.obj", object_type="t", after=None),
    ]
    dicts = [{"code": "t.dict", "object_type": "t", "after": {"k": "值"}, "summary": "摘要"}]
    started = datetime.now(UTC)
    with transaction.atomic():
        bulk_insert(AuditEvent, rows)
        bulk_insert(AuditEvent, dicts)
    stored = {e.pk: e for e in AuditEvent.objects.all()}
    assert stored[rows[0].pk].before == {"a": [1, "二"]}
    assert stored[rows[0].pk].object_id == "7"
    assert stored[rows[1].pk].after is None
    assert rows[0]._state.adding is False
    d = stored[dicts[0]["id"]]
    assert (d.code, d.after, d.summary, d.object_id) == ("t.dict", {"k": "值"}, "摘要", "")
    assert all(e.at >= started.replace(microsecond=0) for e in stored.values())
    assert AuditEvent.objects.filter(code="t.obj", before__a__1="二").count() == 1


@pytest.mark.django_db(transaction=True)
def test_rows_go_in_batches():
    rows = [AuditEvent(code="t.batch", object_type="t", object_id=str(i)) for i in range(5)]
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        bulk_insert(AuditEvent, rows, batch_size=2)
    assert _insert_batches(ctx) == [2, 2, 1]
    assert AuditEvent.objects.filter(code="t.batch").count() == 5
    assert sorted(
        AuditEvent.objects.filter(code="t.batch").values_list("object_id", flat=True)
    ) == [str(i) for i in range(5)]


@pytest.mark.django_db
def test_nothing_to_insert_does_nothing():
    with CaptureQueriesContext(connection) as ctx:
        bulk_insert(AuditEvent, [])
    assert ctx.captured_queries == []
