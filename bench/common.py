"""Shared set-up for the benchmarks: Django on a throwaway database, and the JSON last line."""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django(name: str) -> str:
    """Use DATABASE_URL when given, else a fresh SQLite file; migrate; return the URL used."""
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.gettempdir()) / f"chuangwen-bench-{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangwen.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return os.environ["DATABASE_URL"]


def ensure_pg_database() -> None:
    """When DATABASE_URL names a PostgreSQL database that does not exist yet, create it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def parser(description: str, n: int) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--n", type=int, default=n, help=f"work size (default {n})")
    return p


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def emit(figures: dict[str, Any]) -> None:
    """The last line of every benchmark: one JSON object of figures."""
    print(json.dumps(figures, ensure_ascii=False))
