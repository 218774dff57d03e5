"""Server time and query count of every list page as the office, on the demo city.

    DATABASE_URL=sqlite:////tmp/tables.sqlite3 python manage.py build_demo_city
    DATABASE_URL=sqlite:////tmp/tables.sqlite3 PYTHONPATH=. python bench/list_pages.py --n 3

Prints one line per page (best of ``--n`` runs, ms and queries), slowest first; the last line
is one JSON object with the slowest 10 and the number of pages over 300 ms."""

import argparse
import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangwen.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from chuangwen.org.choices import Role  # noqa: E402
from chuangwen.org.models import Membership  # noqa: E402

PAGES = [
    "sites:list", "cases:list", "cases:inbox", "cases:categories", "cases:summary",
    "org:people", "org:grids", "org:units", "tasks:list", "inspections:plans",
    "inspections:notices", "inspections:meetings", "inspections:actions", "indicators:tree",
    "indicators:links", "assessment:rounds", "assessment:periods", "assessment:findings",
    "assessment:accountability_list", "assessment:submissions", "assessment:bulletins",
    "citizens:rounds", "citizens:campaigns", "citizens:rankings", "citizens:episodes",
    "citizens:commitments", "citizens:suggestions", "citizens:topics", "volunteers:list",
    "volunteers:teams", "volunteers:activities", "volunteers:bank_transactions",
    "volunteers:honours", "volunteers:selections", "volunteers:proposals", "volunteers:pairs",
    "volunteers:deeds", "audit", "jobs", "notifications", "tokens:list",
]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3)
    args = ap.parse_args()
    office = Membership.objects.filter(role=Role.OFFICE_ADMIN).select_related("person__user")
    user = office.first().person.user  # type: ignore[union-attr]
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    rows = []
    for name in PAGES:
        try:
            url = reverse(name)
        except Exception as exc:  # a page this install does not have
            print(f"skip {name}: {exc}", file=sys.stderr)
            continue
        best, queries, status = 1e9, 0, 0
        for _ in range(max(1, args.n)):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                r = client.get(url)
                ms = (time.perf_counter() - t) * 1000
            status = r.status_code
            if ms < best:
                best, queries = ms, len(ctx.captured_queries)
        rows.append({"page": name, "ms": round(best, 1), "queries": queries, "status": status})
    rows.sort(key=lambda r: -r["ms"])
    for r in rows:
        print(f"{r['ms']:8.1f} ms {r['queries']:4d} q  {r['status']}  {r['page']}")
    print(
        json.dumps(
            {
                "pages": len(rows),
                "over_300_ms": sum(r["ms"] > 300 for r in rows),
                "slowest_ms": rows[0]["ms"] if rows else 0,
                "slowest_10": rows[:10],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
