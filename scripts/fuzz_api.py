"""Fuzz the JSON API with schemathesis against a live demo server; fail on any 500.

    make fuzz                      # FUZZ_EXAMPLES=N sets the test cases per operation
    python scripts/fuzz_api.py --examples 20 --small

Builds a demo city in its own SQLite file under var/fuzz (or uses FUZZ_DATABASE_URL, an empty
database, e.g. PostgreSQL), starts the server on a free local port, issues an API token for the
office login, runs schemathesis over /api/openapi.json with that token (every operation; checks:
no server error, responses as documented), stops the server and exits non-zero when
schemathesis failed or the server logged an unhandled error. The server log is kept at
var/fuzz/server.log.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def wait_until_up(url: str, token: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit code {server.returncode})")
        try:
            with urllib.request.urlopen(request, timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {timeout:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", 50)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", 2026)))
    parser.add_argument("--port", type=int, default=int(os.environ.get("FUZZ_PORT", 0)))
    parser.add_argument("--small", action="store_true", help="a small demo city (faster)")
    parser.add_argument(
        "--max-time", type=int, default=0, help="stop fuzzing after this many seconds"
    )
    opts = parser.parse_args()

    var = ROOT / "var" / "fuzz"
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(
        CHUANGWEN_VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        API_DOCS_PUBLIC="1",  # where the docs are behind a login; the token is sent anyway
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if os.environ.get("FUZZ_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["FUZZ_DATABASE_URL"]
    else:
        shutil.rmtree(var, ignore_errors=True)
        env["DATABASE_URL"] = f"sqlite:///{var / 'fuzz.sqlite3'}"
    var.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "build_demo_city", "--if-empty", *(["--small"] if opts.small else []))
    token = manage(env, "api_token", "--user", "office", "--name", "fuzz").strip().splitlines()[-1]
    print(f"demo city ready in {time.monotonic() - started:.0f} s", flush=True)

    port = opts.port or free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = var / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(f"{base}/api/openapi.json", token, server)
            command = [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"{base}/api/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                CHECKS,
                "--max-examples",
                str(opts.examples),
                "--seed",
                str(opts.seed),
                "--workers",
                "1",
                "--phases",
                "examples,coverage,fuzzing",
                "--suppress-health-check",
                "all",
                "--request-timeout",
                "60",
                "--no-color",
                "--generation-database",
                "none",
            ]
            if opts.max_time:
                command += ["--max-time", str(opts.max_time)]
            fuzz = subprocess.run(command, cwd=var, env=env)  # its cache stays in var/fuzz
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()

    server_errors = log_path.read_text(errors="replace").count("Internal Server Error")
    print(
        f"fuzz: schemathesis exit code {fuzz.returncode}, server errors logged {server_errors}, "
        f"{time.monotonic() - started:.0f} s in all (server log: {log_path})"
    )
    return 1 if fuzz.returncode or server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
