"""The slowest pages of the demo city, as each demo role: server time of every page reached.

Builds the demo city with ``build_demo_city --small`` in a fresh database (SQLite by default;
``DATABASE_URL`` for PostgreSQL; ``--reuse`` keeps a demo city already there), then for each
demo login (office, leader, inspector, dept, district, street, grid) walks the site from the
home page: every same-site link of every page reached (GET only: pages change nothing on GET),
at most ``--per-pattern`` pages per URL pattern (so a list of 400 cases costs a few case pages,
not 400), at most ``--n`` pages per role. Downloads (Excel, Word, PDF, ZIP) are left out: they
are files, not pages. Each page found is then requested RUNS more times through the Django test
client (session, middleware, view, template; no network, no browser) and its median time and
query count are kept.

    .venv/bin/python bench/slow_pages.py                  # SQLite, demo city --small
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_x .venv/bin/python bench/slow_pages.py

Target: no page over 300 ms. The last line is JSON: pages, pages over the target, the slowest.
"""

import io
import re
import statistics
import sys
import time
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urldefrag

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, ensure_pg_database, parser, setup_django

ROLES = ["office", "leader", "inspector", "dept", "district", "street", "grid"]
TARGET_MS = 300
RUNS = 3
HREF = re.compile(r'href="(/[^"#]*)(?:#[^"]*)?"')
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/api/", "/i18n/", "/open311/", "/logout")
DOWNLOADS = (".xlsx", ".docx", ".pdf", ".zip", "/docx/", "/file/", "/photos/", "/evidence/")


def links(html: str) -> list[str]:
    out = []
    for raw in HREF.findall(html):
        url = urldefrag(raw.replace("&amp;", "&"))[0]
        if url.startswith("//") or url.startswith(SKIP_PREFIXES):
            continue
        if any(d in url for d in DOWNLOADS):
            continue
        out.append(url)
    return out


def crawl(client, limit: int, per_pattern: int) -> list[str]:
    """Pages reachable from the home page, breadth first (their URLs)."""
    from django.urls import Resolver404, resolve

    seen: set[str] = set()
    per: Counter = Counter()
    pages: list[str] = []
    queue = deque(["/"])
    while queue and len(pages) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            name = resolve(url.split("?")[0]).view_name
        except Resolver404:
            continue
        if per[name] >= per_pattern:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        per[name] += 1
        pages.append(url)
        queue.extend(u for u in links(response.content.decode()) if u not in seen)
    return pages


def measure(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def main() -> None:
    p = parser(__doc__.splitlines()[0], 300)
    p.add_argument("--per-pattern", type=int, default=3, help="pages per URL pattern (default 3)")
    p.add_argument("--reuse", action="store_true", help="keep the demo city already built")
    p.add_argument("--top", type=int, default=20, help="how many of the slowest to list")
    args = p.parse_args()
    ensure_pg_database()
    url = setup_django("slow_pages")
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from chuangwen.org.demo import DEMO_CITY_CODE
    from chuangwen.org.models import City

    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    t0 = time.perf_counter()
    if not (args.reuse and City.objects.filter(code=DEMO_CITY_CODE).exists()):
        call_command("build_demo_city", small=True, stdout=io.StringIO())
    print(f"demo city ready in {time.perf_counter() - t0:.1f} s")
    users = get_user_model().objects.filter(username__in=ROLES)
    rows = []
    for user in sorted(users, key=lambda u: ROLES.index(u.username)):
        client = Client()
        client.force_login(user)
        pages = crawl(client, args.n, args.per_pattern)
        for page in pages:
            ms, queries = measure(client, page)
            rows.append((ms, user.username, page, queries))
        print(f"{user.username:10s} {len(pages):4d} pages")
    rows.sort(reverse=True)
    print(f"\nslowest {args.top} (median of {RUNS}, server time):")
    for ms, role, page, queries in rows[: args.top]:
        flag = "  > target" if ms > TARGET_MS else ""
        print(f"{ms:8.1f} ms  {queries:4d} q  {role:9s} {page}{flag}")
    over = [r for r in rows if r[0] > TARGET_MS]
    print(f"\n{len(rows)} pages, {len(over)} over {TARGET_MS} ms")
    emit(
        {
            "database": connection.vendor,
            "pages": len(rows),
            "over_target": len(over),
            "target_ms": TARGET_MS,
            "worst_ms": round(rows[0][0], 1) if rows else None,
            "slowest": [
                {"ms": round(ms, 1), "role": role, "url": page, "queries": q}
                for ms, role, page, q in rows[:10]
            ],
        }
    )


if __name__ == "__main__":
    main()
