"""Fast inserts of many rows of one model in the caller's transaction.

``bulk_insert`` writes the same rows as ``bulk_create`` (auto_now fields filled, datetimes and
JSON adapted for the backend) with one ``executemany`` per batch and ids allocated up front, so
the caller can link rows (a report to its new case) without reading them back. It skips the
per-value SQL compilation that dominates batch intake. Works on SQLite and PostgreSQL alike.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def allocate_ids(model: Any, n: int) -> list[int]:
    """Primary keys for ``n`` new rows, taken inside the caller's transaction: the sequence on
    PostgreSQL; on SQLite the write lock is held from the start of the transaction
    (transaction_mode IMMEDIATE), so the next ids after the highest ever used are ours."""
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [r[0] for r in cur.fetchall()]
        cur.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
        top = cur.fetchone()[0]
        if connection.vendor == "sqlite":
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cur.fetchone()
            top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + n))


def bulk_insert(model: Any, objs: Sequence[Any], batch_size: int = 1000) -> None:
    """Insert model instances (or dicts of attname → value, for rows nobody reads back) with
    one executemany per batch and set their primary keys.

    The same rows ``bulk_create`` writes (auto_now fields filled, datetimes and JSON adapted
    for the backend), without its per-value SQL compilation, which dominates batch intake.
    Only plain fields: no file fields, no signals (the services never rely on them)."""
    if not objs:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    as_dicts = isinstance(objs[0], dict)
    convs: list[Any] = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for o in objs:
                if as_dicts:
                    o[f.attname] = now
                else:
                    setattr(o, f.attname, now)
        elif as_dicts:
            default = f.get_default()
            for o in objs:
                o.setdefault(f.attname, default)
        if isinstance(f, models.DateTimeField):
            convs.append(connection.ops.adapt_datetimefield_value)
        elif isinstance(f, models.JSONField):
            convs.append(lambda v, f=f: connection.ops.adapt_json_value(v, f.encoder))
        else:
            convs.append(None)
    ids = allocate_ids(model, len(objs))
    attnames = [f.attname for f in fields]
    plan = list(zip(attnames, convs, strict=True))
    rows = []
    for obj, pk in zip(objs, ids, strict=True):
        if as_dicts:
            d = obj
            d["id"] = pk
        else:
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
            d = obj.__dict__
        rows.append(
            (pk, *[(c(d[a]) if c is not None and d[a] is not None else d[a]) for a, c in plan])
        )
    cols = ", ".join(connection.ops.quote_name(c) for c in ["id", *[f.column for f in fields]])
    marks = ", ".join(["%s"] * (len(fields) + 1))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({cols}) VALUES ({marks})"
    with connection.cursor() as cur:
        for k in range(0, len(rows), batch_size):
            cur.executemany(sql, rows[k : k + batch_size])
