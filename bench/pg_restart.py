"""PostgreSQL restarted during intake: requests fail cleanly (503) and every accepted report is
stored exactly once.

The benchmark builds its own throwaway PostgreSQL cluster (initdb into a temporary directory,
127.0.0.1:5544, trust auth, run as the ``postgres`` user when started as root; the shared
server is never touched), migrates a database there, sets up a city with the standard
categories and an Open311 key through the management commands, and starts gunicorn on it. Client
threads then POST Open311 requests, each with its own ``Idempotency-Key`` and a marker in the
description; halfway through, the cluster is restarted (``pg_ctl restart -m fast``). A client
retries the same request (same key) on a 503, a connection error or a timeout until it is
accepted. Afterwards the reports in the database are matched against the accepted ones.

    .venv/bin/python bench/pg_restart.py --n 600 --clients 4
    .venv/bin/python bench/pg_restart.py --no-key   # the same without keys: what can double

Figures: accepted, reports_in_db, duplicates (must be 0), lost (must be 0), errors_503,
errors_5xx_non_503 (must be 0 once database errors answer 503), connection_errors,
max_outage_s (longest time a client waited from its first failure to an answer), restart_s.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, emit, parser

PG_PORT = 5544
CITY = "990100"
MARKER = re.compile(r"\[bench:([0-9a-f]{32})\]")
GIVE_UP_S = 120  # a client stops retrying one request after this long
CATEGORIES = ["SJ0102", "SJ0201", "SJ0303", "BJ0112"]


class Cluster:
    """A PostgreSQL cluster of its own in a temporary directory."""

    def __init__(self, root: Path):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise SystemExit("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) not found")
        self.bin = Path(bins[-1]).parent
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.as_root = os.geteuid() == 0
        self.data.mkdir()
        if self.as_root:
            shutil.chown(root, "postgres")
            shutil.chown(self.data, "postgres")

    def run(self, program: str, *args: str) -> None:
        cmd = [str(self.bin / program), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def init(self) -> None:
        self.run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--locale", "C", "--no-sync",
        )  # fmt: skip

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", *args)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", "immediate")


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: dict[str, str] = {}  # marker → service_request_id
        self.status: Counter = Counter()
        self.connection_errors = 0
        self.max_outage = 0.0
        self.replayed = 0
        self.gave_up = 0


def client(
    base: str,
    api_key: str,
    n: int,
    use_key: bool,
    stats: Stats,
    progress: threading.Event,
    target: int,
    seed: int,
) -> None:
    import random

    import requests

    rnd = random.Random(seed)
    session = requests.Session()
    for _ in range(n):
        marker = uuid.uuid4().hex
        form = {
            "api_key": api_key,
            "service_code": rnd.choice(CATEGORIES),
            "lat": f"{28.0 + rnd.random() * 0.2:.6f}",
            "long": f"{113.0 + rnd.random() * 0.2:.6f}",
            "description": f"基准上报 [bench:{marker}] 路面问题",
        }
        headers = {"Idempotency-Key": marker} if use_key else {}
        first_failure = None
        while True:
            if first_failure is not None and time.monotonic() - first_failure > GIVE_UP_S:
                with stats.lock:
                    stats.gave_up += 1
                break
            try:
                r = session.post(f"{base}/requests.json", data=form, headers=headers, timeout=10)
            except requests.RequestException:
                with stats.lock:
                    stats.connection_errors += 1
                first_failure = first_failure or time.monotonic()
                session = requests.Session()
                time.sleep(0.2)
                continue
            with stats.lock:
                stats.status[r.status_code] += 1
            if r.status_code == 201:
                with stats.lock:
                    stats.accepted[marker] = r.json()[0]["service_request_id"]
                    stats.replayed += r.headers.get("Idempotent-Replayed") == "true"
                    if first_failure is not None:
                        stats.max_outage = max(stats.max_outage, time.monotonic() - first_failure)
                    if len(stats.accepted) >= target:
                        progress.set()
                break
            if r.status_code >= 500:  # not done, or not known to be done: the same request again
                first_failure = first_failure or time.monotonic()
                time.sleep(0.2)
                continue
            raise SystemExit(f"unexpected answer {r.status_code}: {r.text[:300]}")


def main() -> None:
    p = parser(__doc__.splitlines()[0], 600)
    p.add_argument("--clients", type=int, default=4, help="client threads")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--port", type=int, default=8180, help="gunicorn port (8180-8189)")
    p.add_argument("--no-key", action="store_true", help="retry without Idempotency-Key")
    args = p.parse_args()
    import psycopg
    import requests

    root = Path(tempfile.mkdtemp(prefix="chuangwen-pg-restart-"))
    cluster = Cluster(root)
    gunicorn: subprocess.Popen | None = None
    try:
        cluster.init()
        cluster.pg_ctl("start")
        admin = f"postgresql://postgres@127.0.0.1:{PG_PORT}"
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE chuangwen")
        var = root / "var"
        var.mkdir()
        env = {
            **os.environ,
            "DATABASE_URL": f"{admin}/chuangwen",
            "DB_CONN_MAX_AGE": "60",
            "CHUANGWEN_VAR_DIR": str(var),
            "MEDIA_ROOT": str(var / "media"),
            "DEBUG": "0",
        }
        env.pop("REDIS_URL", None)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(
            env, "create_city", CITY, "基准市", "--lon", "113.1", "--lat", "28.1",
            "--admin-username", "bench-admin", "--admin-name", "基准",
            "--password", "Vq3!lantern-Ox9",
        )  # fmt: skip
        manage(env, "load_case_categories", CITY)
        api_key = manage(env, "open311_key", "--create", "基准客户端", "--city", CITY).split()[-1]

        gunicorn = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "chuangwen.wsgi",
                "--workers", str(args.workers), "--bind", f"127.0.0.1:{args.port}",
                "--timeout", "30", "--graceful-timeout", "5", "--log-level", "error",
            ],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{args.port}/open311/v2"
        for _ in range(150):
            try:
                if requests.get(f"{base}/services.json", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not come up")

        stats = Stats()
        progress = threading.Event()
        per_client = max(1, args.n // args.clients)
        total = per_client * args.clients
        threads = [
            threading.Thread(
                target=client,
                args=(base, api_key, per_client, not args.no_key, stats, progress, total // 3, i),
            )
            for i in range(args.clients)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        progress.wait(timeout=300)
        accepted_before = len(stats.accepted)
        t0 = time.monotonic()
        cluster.pg_ctl("restart", "-m", "fast")
        restart_s = time.monotonic() - t0
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started

        with psycopg.connect(f"{admin}/chuangwen") as conn:
            rows = conn.execute(
                "SELECT r.description FROM cases_report r JOIN org_city c ON c.id = r.city_id "
                "WHERE c.code = %s",
                [CITY],
            ).fetchall()
        in_db = Counter(m.group(1) for (d,) in rows if (m := MARKER.search(d)))
        duplicates = sum(n - 1 for n in in_db.values() if n > 1)
        lost = sum(1 for marker in stats.accepted if marker not in in_db)
        unexpected = sum(1 for marker in in_db if marker not in stats.accepted)
        status = stats.status
        figures: dict[str, Any] = {
            "idempotency_key": not args.no_key,
            "clients": args.clients,
            "accepted": len(stats.accepted),
            "accepted_before_restart": accepted_before,
            "reports_in_db": sum(in_db.values()),
            "duplicates": duplicates,
            "lost": lost,
            "unrequested": unexpected,
            "gave_up": stats.gave_up,
            "replayed": stats.replayed,
            "errors_503": status[503],
            "errors_5xx_non_503": sum(n for s, n in status.items() if s >= 500 and s != 503),
            "connection_errors": stats.connection_errors,
            "max_outage_s": round(stats.max_outage, 2),
            "restart_s": round(restart_s, 2),
            "requests_per_s": round(sum(status.values()) / elapsed, 1),
        }
        print(f"cluster: {cluster.bin.parent.name} on 127.0.0.1:{PG_PORT}, gunicorn :{args.port}")
        print(f"answers by status: {dict(sorted(status.items()))}")
        emit(figures)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=15)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
