"""Backup and restore: the database and the media files in one archive, checked both ways.

An archive ``chuangwen-backup-YYYYmmdd-HHMMSS.tar.gz`` holds

- the database: ``database.dump`` (``pg_dump -Fc``) on PostgreSQL, ``database.sqlite3`` (a copy
  made with SQLite's online backup API, consistent while the platform keeps running) on SQLite;
- ``media/…``: every file under ``MEDIA_ROOT`` (photos, evidence, generated documents);
- ``manifest.json`` (last): the row count of every table *in the copied database*, every file
  with its size and SHA-256, the app version and the applied migrations.

The counts describe exactly the copy: on SQLite they are counted in the copy itself, on
PostgreSQL in a REPEATABLE READ transaction whose snapshot ``pg_dump --snapshot`` dumps.

A restore first unpacks into a scratch directory and checks every file against the manifest;
only then does it touch the target (which must be empty unless forced), and afterwards it counts
the rows and hashes the files again. Any problem before the database is touched changes nothing.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ServiceError

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DB_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# tables a freshly migrated database already fills: they do not make a target "non-empty"
SEEDED_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
CHUNK = 1024 * 1024


class BackupError(ServiceError):
    code = "backup_failed"
    status = 400


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    rows: int
    tables: int
    files: int
    file_bytes: int
    extra_files: list[str] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        m = self.manifest
        lines = [
            f"恢复完成：备份时间 {m['created_at']}，版本 {m['version']}。",
            f"数据库：{self.tables} 张表、{self.rows} 行，与备份清单逐表核对一致。",
            f"文件：{self.files} 个（{_size(self.file_bytes)}），SHA-256 与备份清单逐个核对一致。",
        ]
        if self.extra_files:
            lines.append(
                f"文件目录中另有 {len(self.extra_files)} 个备份里没有的文件，已保留未删除。"
            )
        if self.pending_migrations:
            lines.append(
                f"备份早于当前程序版本，还有 {len(self.pending_migrations)} 个数据库迁移未执行，"
                "请运行 manage.py migrate。"
            )
        return lines


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


def app_version() -> str:
    try:
        return metadata.version("chuangwen")
    except metadata.PackageNotFoundError:
        return "unknown"


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DB_FILES:
        raise BackupError(
            _("不支持备份 %(vendor)s 数据库，只支持 PostgreSQL 和 SQLite") % {"vendor": vendor}
        )
    return vendor


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


# --- PostgreSQL client programs ---------------------------------------------------------------


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The libpq environment for pg_dump / pg_restore from Django's connection settings."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _pg_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("找不到 %(name)s，请安装 PostgreSQL 客户端（Debian：postgresql-client）")
            % {"name": name}
        )
    return path


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(
            _("%(what)s失败：%(value)s")
            % {"what": what, "value": detail[-1] if detail else done.returncode}
        )


# --- counting ---------------------------------------------------------------------------------


def _count_tables(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [row[0] for row in cursor.fetchall()]


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [row[0] for row in cursor.fetchall()]


def _applied(cursor: Any, tables: list[str]) -> list[str]:
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations")
    return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


def current_counts(using: str = "default") -> dict[str, int]:
    """Rows per table of the live database (what a restore is checked against)."""
    conn = connections[using]
    with conn.cursor() as cursor:
        tables = _pg_tables(cursor) if conn.vendor == "postgresql" else _sqlite_tables(cursor)
        return _count_tables(cursor, tables, conn.ops.quote_name)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- files ------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file into the archive and hashes exactly the bytes that went in."""

    def __init__(self, fh: IO[bytes]):
        self.fh = fh
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str) -> dict[str, Any]:
    with path.open("rb") as fh:
        info = tar.gettarinfo(fileobj=fh, arcname=arcname)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(fh)
        tar.addfile(info, reader)
    return {"path": arcname, "size": info.size, "sha256": reader.digest.hexdigest()}


# --- backup -----------------------------------------------------------------------------------


def _dump_sqlite(using: str, target: Path) -> tuple[dict[str, int], list[str]]:
    conn = connections[using]
    conn.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        conn.connection.backup(copy)  # the online backup API: a consistent copy
        cursor = copy.cursor()
        tables = _sqlite_tables(cursor)
        return _count_tables(cursor, tables, _quote), _applied(cursor, tables)
    finally:
        copy.close()


def _dump_postgresql(using: str, target: Path) -> tuple[dict[str, int], list[str]]:
    conn = connections[using]
    pg_dump = _pg_program("pg_dump")
    raw = conn.get_new_connection(conn.get_connection_params())
    try:
        raw.autocommit = True
        cursor = raw.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = _pg_tables(cursor)
        counts = _count_tables(cursor, tables, _quote)
        applied = _applied(cursor, tables)
        _run(
            [
                pg_dump,
                "-Fc",
                "--no-owner",
                f"--snapshot={snapshot}",
                f"--file={target}",
                str(conn.settings_dict["NAME"]),
            ],
            _pg_env(conn.settings_dict),
            "导出数据库（pg_dump）",
        )
        cursor.execute("COMMIT")
    finally:
        raw.close()
    return counts, applied


def archive_name(now: Any = None) -> str:
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return f"chuangwen-backup-{stamp}.tar.gz"


def create_backup(output_dir: Path | str | None = None, *, using: str = "default") -> BackupResult:
    """Write one archive of the database and the media files into ``output_dir``."""
    vendor = _vendor(using)
    out = Path(output_dir) if output_dir else Path(settings.VAR_DIR) / "backups"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(
            _("无法创建备份目录 %(out)s：%(exc_strerror)s")
            % {"out": out, "exc_strerror": exc.strerror}
        ) from exc
    created = timezone.now()
    path = out / archive_name(created)
    n = 1
    while path.exists():
        n += 1
        path = out / archive_name(created).replace(".tar.gz", f"-{n}.tar.gz")
    db_name = DB_FILES[vendor]
    with tempfile.TemporaryDirectory(dir=out, prefix=".backup-") as scratch:
        db_copy = Path(scratch) / db_name
        dump = _dump_postgresql if vendor == "postgresql" else _dump_sqlite
        counts, applied = dump(using, db_copy)
        partial = Path(scratch) / "archive.tar.gz"
        files: list[dict[str, Any]] = []
        with tarfile.open(partial, "w:gz") as tar:
            files.append(_add_file(tar, db_copy, db_name))
            root = _media_root()
            for media in _media_files(root):
                rel = media.relative_to(root).as_posix()
                files.append(_add_file(tar, media, f"{MEDIA}/{rel}"))
            manifest = {
                "format": FORMAT,
                "app": "chuangwen",
                "version": app_version(),
                "created_at": timezone.localtime(created).isoformat(timespec="seconds"),
                "database": {"vendor": vendor, "file": db_name, "tables": counts},
                "migrations": applied,
                "files": files,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(created.timestamp()), 0o644
            tar.addfile(info, _BytesReader(data))
        os.replace(partial, path)
    return BackupResult(path, manifest)


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.pos + size
        chunk, self.pos = self.data[self.pos : end], min(end, len(self.data))
        return chunk


# --- reading and checking an archive ----------------------------------------------------------


def _unpack(archive: Path, scratch: Path) -> dict[str, Any]:
    """Unpack into ``scratch`` (regular files only, no path leaving it) and check every file
    against the manifest. Raises BackupError naming each problem; the target is not touched."""
    if not archive.is_file():
        raise BackupError(_("备份文件 %(archive)s 不存在") % {"archive": archive})
    broken = f"备份文件 {archive.name} 已损坏或不是本平台的备份，未做任何更改"
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = PurePosixPath(member.name)
                if member.isdir():
                    continue
                if not member.isfile() or name.is_absolute() or ".." in name.parts:
                    raise BackupError(
                        _("%(broken)s（不允许的条目：%(member_name)s）")
                        % {"broken": broken, "member_name": member.name}
                    )
                tar.extract(member, scratch, filter="data")
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(_("%(broken)s（%(exc)s）") % {"broken": broken, "exc": exc}) from exc
    manifest_path = scratch / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(
            _("%(broken)s（缺少或无法读取 %(manifest)s）")
            % {"broken": broken, "manifest": MANIFEST}
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("app") != "chuangwen":
        raise BackupError(_("%(broken)s（清单不是本平台的格式）") % {"broken": broken})
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("备份格式 %(manifest)s 不受支持（本版本支持 %(format)s）")
            % {"manifest": manifest.get("format"), "format": FORMAT}
        )
    problems: list[str] = []
    listed: set[str] = set()
    for entry in manifest.get("files", []):
        rel = str(entry.get("path", ""))
        listed.add(rel)
        path = scratch / rel
        if not path.is_file():
            problems.append(f"{rel}：备份中缺少此文件")
        elif path.stat().st_size != entry.get("size") or sha256_of(path) != entry.get("sha256"):
            problems.append(f"{rel}：校验值与清单不符（文件已损坏或被改动）")
    for path in sorted(scratch.rglob("*")):
        rel = path.relative_to(scratch).as_posix()
        if path.is_file() and rel != MANIFEST and rel not in listed:
            problems.append(f"{rel}：清单中没有此文件")
    database = manifest.get("database") or {}
    if database.get("file") not in listed:
        problems.append("清单中没有数据库文件")
    if problems:
        shown = "\n".join(f"- {p}" for p in problems[:20])
        more = f"\n……共 {len(problems)} 处" if len(problems) > 20 else ""
        raise BackupError(
            _("备份文件校验失败，未做任何更改：\n%(shown)s%(more)s")
            % {"shown": shown, "more": more}
        )
    return manifest


def _known_migrations(using: str) -> set[str]:
    loader = MigrationLoader(connections[using], ignore_no_migrations=True, load=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _non_empty_tables(using: str) -> dict[str, int]:
    return {
        table: n for table, n in current_counts(using).items() if n and table not in SEEDED_TABLES
    }


# --- restore ----------------------------------------------------------------------------------


def _restore_sqlite(using: str, copy: Path) -> None:
    conn = connections[using]
    name = str(conn.settings_dict["NAME"])
    if conn.is_in_memory_db():  # type: ignore[attr-defined]  # the SQLite wrapper has it
        raise BackupError(_("目标是内存数据库，无法恢复"))
    conn.close()
    source = sqlite3.connect(copy)
    target = sqlite3.connect(name)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(_("恢复数据库失败：%(exc)s") % {"exc": exc}) from exc
    finally:
        target.close()
        source.close()


def _restore_postgresql(using: str, dump: Path) -> None:
    conn = connections[using]
    pg_restore = _pg_program("pg_restore")
    conn.close()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={conn.settings_dict['NAME']}",
            str(dump),
        ],
        _pg_env(conn.settings_dict),
        "恢复数据库（pg_restore，已整体回滚）",
    )


def _restore_media(scratch: Path, files: list[dict[str, Any]]) -> None:
    root = _media_root()
    for entry in files:
        rel = PurePosixPath(entry["path"])
        if rel.parts[0] != MEDIA:
            continue
        dest = root.joinpath(*rel.parts[1:])
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.restoring")
        shutil.copyfile(scratch / str(rel), partial)
        os.replace(partial, dest)


def restore_backup(
    archive: Path | str, *, force: bool = False, using: str = "default"
) -> RestoreResult:
    """Restore an archive written by ``create_backup`` into the database ``using`` and
    ``MEDIA_ROOT``, then check rows and files against its manifest."""
    vendor = _vendor(using)
    archive = Path(archive)
    root = _media_root()
    scratch_parent = root.parent if root.parent.is_dir() else None
    with tempfile.TemporaryDirectory(dir=scratch_parent, prefix=".restore-") as tmp:
        scratch = Path(tmp)
        manifest = _unpack(archive, scratch)
        database = manifest["database"]
        if database.get("vendor") != vendor:
            raise BackupError(
                _("这是 %(database)s 数据库的备份，不能恢复到 %(vendor)s 数据库")
                % {"database": database.get("vendor"), "vendor": vendor}
            )
        newer = sorted(set(manifest.get("migrations", [])) - _known_migrations(using))
        if newer:
            raise BackupError(
                _(
                    "备份来自更新的程序版本（%(version)s），"
                    "含本版本没有的数据库迁移（如 %(newer)s），请先升级程序再恢复；未做任何更改"
                )
                % {"version": manifest.get("version"), "newer": newer[0]}
            )
        if not force:
            filled = _non_empty_tables(using)
            if filled:
                table, n = sorted(filled.items())[0]
                raise BackupError(
                    _(
                        "目标数据库不是空的（%(filled_count)s 张表有数据，"
                        "如 %(table)s 有 %(n)s 行），未做任何更改；确认要用备份覆盖，请加 --force"
                    )
                    % {"filled_count": len(filled), "table": table, "n": n}
                )
        db_file = scratch / database["file"]
        if vendor == "postgresql":
            _restore_postgresql(using, db_file)
        else:
            _restore_sqlite(using, db_file)
        media = [f for f in manifest["files"] if PurePosixPath(f["path"]).parts[0] == MEDIA]
        _restore_media(scratch, media)

    # check what is now there against the manifest
    problems: list[str] = []
    counts = current_counts(using)
    for table, expected in sorted(database["tables"].items()):
        found = counts.get(table)
        if found != expected:
            problems.append(f"表 {table}：应有 {expected} 行，实际 {found}")
    listed = set()
    for entry in media:
        rel = PurePosixPath(entry["path"]).parts[1:]
        listed.add("/".join(rel))
        path = root.joinpath(*rel)
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            problems.append(f"文件 {entry['path']}：恢复后校验值不符")
    if problems:
        raise BackupError(
            _("恢复后核对不一致：\n%(problems)s")
            % {"problems": "\n".join(f"- {p}" for p in problems[:20])}
        )
    extra = [
        p.relative_to(root).as_posix()
        for p in _media_files(root)
        if p.relative_to(root).as_posix() not in listed
    ]
    connections[using].close()
    pending = sorted(_known_migrations(using) - set(manifest.get("migrations", [])))
    return RestoreResult(
        manifest=manifest,
        rows=sum(database["tables"].values()),
        tables=len(database["tables"]),
        files=len(media),
        file_bytes=sum(f["size"] for f in media),
        extra_files=extra,
        pending_migrations=pending,
    )
