"""Concurrent intake: N identical Open311 POSTs at once against gunicorn, on PostgreSQL and on
SQLite — one case must come out, every request must be answered, none lost.

For each database the bench starts gunicorn itself (127.0.0.1, ``--workers`` sync workers,
stopped at the end) on a fresh city: one grid, the 118 standard categories and an Open311 key.
N client threads wait at a barrier, then all POST the same report (暴露垃圾 at the same point,
same text) to ``/open311/v2/requests.json``. A client retries the same request after a 503
(waiting Retry-After, at most 1 s), a 5xx or a connection error, up to 20 attempts, as a
well-behaved Open311 client does.

Figures per database: ``accepted`` (201 answers), ``cases`` (cases of the city), ``reports``,
``unmerged_duplicates`` (cases beyond the first: all N reports are the same problem, so this
must be 0), ``errors_5xx`` (5xx answers other than 503; must be 0), ``retried_503`` (503 answers
the clients retried), ``failed`` (requests never accepted), ``p95_ms`` / ``p50_ms`` (from a
client's first send to its 201, retries included) and ``requests_per_s``.

    .venv/bin/python bench/concurrent_intake.py --n 200
    .venv/bin/python bench/concurrent_intake.py --database sqlite --workers 4
    .venv/bin/python bench/concurrent_intake.py --pg-url postgres://postgres@127.0.0.1:5432/cw_x

PostgreSQL uses its own database (``--pg-url``, created when missing); SQLite a fresh file in
the temporary directory. The last line is one JSON object, keys prefixed ``pg_`` / ``sqlite_``.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, emit, parser

PG_URL = "postgres://postgres@127.0.0.1:5432/chuangwen_concurrent_bench"
POINT = (113.005, 28.005)
MAX_ATTEMPTS = 20


def main() -> None:
    p = parser(__doc__.splitlines()[0], 200)
    p.add_argument("--database", choices=["both", "postgres", "sqlite"], default="both")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    p.add_argument("--port", type=int, default=8130, help="first port (the next for SQLite)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", PG_URL))
    p.add_argument("--child", choices=["postgres", "sqlite"], help=argparse_hidden())
    args = p.parse_args()
    if args.child:
        run_one(args)
        return
    figures: dict[str, Any] = {"n": args.n, "workers": args.workers}
    wanted = ["postgres", "sqlite"] if args.database == "both" else [args.database]
    for i, db in enumerate(wanted):
        # one child process per database: Django is set up once per process
        cmd = [sys.executable, __file__, "--child", db, "--n", str(args.n)]
        cmd += ["--workers", str(args.workers), "--port", str(args.port + i)]
        cmd += ["--pg-url", args.pg_url]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        sys.stdout.write(out.stdout)
        sys.stderr.write(out.stderr[-4000:])
        if out.returncode != 0 or not out.stdout.strip():
            figures[f"{_prefix(db)}error"] = f"exit {out.returncode}"
            continue
        last = json.loads(out.stdout.strip().splitlines()[-1])
        figures.update({f"{_prefix(db)}{k}": v for k, v in last.items()})
    emit(figures)


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


def _prefix(db: str) -> str:
    return "pg_" if db == "postgres" else "sqlite_"


def run_one(args: Any) -> None:
    if args.child == "postgres":
        os.environ["DATABASE_URL"] = args.pg_url
        from common import ensure_pg_database

        ensure_pg_database()
    else:
        os.environ.pop("DATABASE_URL", None)
    from common import setup_django

    url = setup_django("concurrent_intake")
    from django.core.cache import cache

    from chuangwen.api.open311 import services as o311
    from chuangwen.cases import services
    from chuangwen.cases.models import Case, Report
    from chuangwen.org import services as org
    from chuangwen.org.actors import SYSTEM
    from chuangwen.org.choices import UnitKind

    code = f"cc{int(time.time() * 1000) % 10**10}"
    city = org.create_city(code=code, name="并发基准市", center=POINT, acting_user=SYSTEM)
    community = org.create_unit(
        city, code=f"{code}-c", name="基准社区", kind=UnitKind.COMMUNITY, acting_user=SYSTEM
    )
    x0, y0 = 113.0, 28.0
    ring = [[x0, y0], [x0 + 0.01, y0], [x0 + 0.01, y0 + 0.01], [x0, y0 + 0.01], [x0, y0]]
    org.create_grid(
        city,
        code="G1",
        unit=community,
        geometry={"type": "Polygon", "coordinates": [ring]},
        acting_user=SYSTEM,
    )
    services.load_categories(city, acting_user=SYSTEM)
    _client, key = o311.create_client(city, f"并发基准 {code}", acting_user=SYSTEM)
    cache.clear()
    from django.db import connections

    connections.close_all()

    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "chuangwen.settings"}
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "120",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "chuangwen.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_ready(base, server)
        stats = _fire(base, key, city.code, args.n)
    finally:
        server.terminate()
        try:
            _out, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _out, err = server.communicate()
    tracebacks = [line for line in (err or "").splitlines() if "Error" in line]
    if tracebacks:
        print(f"gunicorn logged {len(tracebacks)} error lines, e.g. {tracebacks[-1][:300]}")
    n_cases = Case.objects.filter(city=city).count()
    n_reports = Report.objects.filter(city=city).count()
    lat = sorted(stats["latencies"])
    figures = {
        "database": args.child,
        "n": args.n,
        "accepted": stats["accepted"],
        "cases": n_cases,
        "reports": n_reports,
        "unmerged_duplicates": max(n_cases - 1, 0),
        "errors_5xx": stats["errors_5xx"],
        "retried_503": stats["retried_503"],
        "connection_errors": stats["connection_errors"],
        "failed": stats["failed"],
        "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "p95_ms": round(lat[max(0, int(len(lat) * 0.95) - 1)] * 1000, 1) if lat else None,
        "requests_per_s": round(stats["accepted"] / stats["wall_s"], 1),
    }
    print(
        f"{args.child}: {args.n} identical POSTs → {stats['accepted']} accepted, "
        f"{n_cases} case(s), {n_reports} reports; 5xx {stats['errors_5xx']}, "
        f"503 retried {stats['retried_503']}, failed {stats['failed']}; "
        f"p95 {figures['p95_ms']} ms"
    )
    emit(figures)


def _wait_ready(base: str, server: subprocess.Popen) -> None:
    deadline = time.time() + 180
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.stderr.read() if server.stderr else ''}")
        try:
            with urllib.request.urlopen(f"{base}/open311/v2/discovery.json", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 180 s")


def _fire(base: str, key: str, jurisdiction: str, n: int) -> dict[str, Any]:
    body = urllib.parse.urlencode(
        {
            "api_key": key,
            "jurisdiction_id": jurisdiction,
            "service_code": "SJ0102",  # 暴露垃圾
            "lat": str(POINT[1]),
            "long": str(POINT[0]),
            "address_string": "幸福路 12 号门口",
            "description": "幸福路 12 号门口有一堆暴露垃圾无人清理",
            "device_id": "bench",
        }
    ).encode()
    lock = threading.Lock()
    stats: dict[str, Any] = {
        "accepted": 0,
        "errors_5xx": 0,
        "retried_503": 0,
        "connection_errors": 0,
        "failed": 0,
        "latencies": [],
    }
    barrier = threading.Barrier(n)

    def client() -> None:
        barrier.wait()
        t0 = time.perf_counter()
        for _attempt in range(MAX_ATTEMPTS):
            req = urllib.request.Request(
                f"{base}/open311/v2/requests.json",
                data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            wait = 0.2
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    status = r.status
            except urllib.error.HTTPError as exc:
                status = exc.code
                retry_after = exc.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    wait = min(float(retry_after), 1.0)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status = 0
            with lock:
                if status == 201:
                    stats["accepted"] += 1
                    stats["latencies"].append(time.perf_counter() - t0)
                    return
                if status == 503:
                    stats["retried_503"] += 1
                elif status >= 500:
                    stats["errors_5xx"] += 1
                elif status == 0:
                    stats["connection_errors"] += 1
                else:  # a 4xx: the request itself is refused, retrying will not help
                    stats["failed"] += 1
                    return
            time.sleep(wait)
        with lock:
            stats["failed"] += 1

    threads = [threading.Thread(target=client) for _ in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats["wall_s"] = time.perf_counter() - t0
    return stats


if __name__ == "__main__":
    main()
