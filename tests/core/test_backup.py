"""manage.py backup / restore: everything comes back into a fresh database, bad archives are
refused before anything is touched."""

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from chuangwen.cases import services as cases
from chuangwen.cases.choices import Source
from chuangwen.cases.models import Case, CasePhoto, Category, Report
from tests.factories import SmallCity

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump only sees committed rows


def jpeg(shade: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (shade, 90, 160)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def city_with_photos():
    sc = SmallCity()
    cases.load_categories(sc.city, acting_user=sc.office.user)
    category = Category.objects.get(city=sc.city, code="SJ0102")
    texts = ["人行道上有暴露垃圾", "小区门口垃圾成堆", "河边垃圾无人清理"]
    for i, text in enumerate(texts):
        data = cases.IntakeData(
            source=Source.INSPECTION,
            description=text,
            category=category,
            lon=113.002 + 0.003 * i,
            lat=28.005,
            photos=[jpeg(40 * i), jpeg(40 * i + 20)],
        )
        cases.intake_case(sc.city, data, acting_user=sc.office.user)
    assert Case.objects.count() == 3 and CasePhoto.objects.count() == 6
    return sc


def _count(cursor, quote, tables) -> dict[str, int]:
    out = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        out[table] = cursor.fetchone()[0]
    return out


def source_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _count(cursor, connection.ops.quote_name, connection.introspection.table_names())


def media_files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


class FreshDatabase:
    """A second, empty database of the same kind: a new SQLite file, or a newly created
    PostgreSQL database on the same server."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp_path / "restored.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            s = connection.settings_dict
            self.name = f"{s['NAME']}_restore_{uuid.uuid4().hex[:8]}"
            self._admin(f'CREATE DATABASE "{self.name}"')
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{s['HOST']}:{s['PORT'] or 5432}/{self.name}"

    def _admin(self, sql: str) -> None:
        params = {**connection.get_connection_params(), "dbname": "postgres"}
        raw = connection.get_new_connection(params)
        raw.autocommit = True
        try:
            raw.execute(sql)
        finally:
            raw.close()

    def counts(self, tables) -> dict[str, int]:
        if self.vendor == "sqlite":
            import sqlite3

            db = sqlite3.connect(self.path)
            try:
                return _count(db.cursor(), lambda t: f'"{t}"', tables)
            finally:
                db.close()
        params = {**connection.get_connection_params(), "dbname": self.name}
        raw = connection.get_new_connection(params)
        try:
            return _count(raw.cursor(), lambda t: f'"{t}"', tables)
        finally:
            raw.close()

    def tables(self) -> list[str]:
        if self.vendor == "sqlite":
            import sqlite3

            if not self.path.exists():
                return []
            db = sqlite3.connect(self.path)
            try:
                return [r[0] for r in db.execute("SELECT name FROM sqlite_master")]
            finally:
                db.close()
        params = {**connection.get_connection_params(), "dbname": self.name}
        raw = connection.get_new_connection(params)
        try:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            return [r[0] for r in raw.execute(sql).fetchall()]
        finally:
            raw.close()

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def fresh(tmp_path):
    db = FreshDatabase(tmp_path)
    yield db
    db.drop()


def run_manage(*args: str, database_url: str, media_root: Path, tmp_path: Path):
    """manage.py in its own process, as an operator runs it against another installation."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "CHUANGWEN_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def make_backup(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    archive = Path(out.getvalue().strip().splitlines()[-1])
    assert archive.parent == tmp_path / "backups"
    assert archive.name.startswith("chuangwen-backup-") and archive.name.endswith(".tar.gz")
    return archive


def test_backup_restores_every_row_and_every_file_into_a_fresh_database(
    city_with_photos, fresh, tmp_path
):
    before = source_counts()
    files = media_files(Path(settings.MEDIA_ROOT))
    assert len(files) == 12  # 6 photos: original + public copy each
    archive = make_backup(tmp_path)

    restored_media = tmp_path / "restored-media"
    done = run_manage(
        "restore",
        str(archive),
        database_url=fresh.url,
        media_root=restored_media,
        tmp_path=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert "恢复完成" in done.stdout and "核对一致" in done.stdout
    assert fresh.counts(before) == before
    assert before["cases_case"] == 3 and before["cases_report"] == 3
    assert media_files(restored_media) == files


def test_restore_refuses_a_database_that_has_data(city_with_photos, tmp_path):
    archive = make_backup(tmp_path)
    with pytest.raises(CommandError, match=r"目标数据库不是空的.*--force"):
        call_command("restore", str(archive))


def _repack(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with one member's bytes changed and the manifest left as it was."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            data = change(member.name, data)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return target


def _unchanged(before_rows, before_files):
    assert source_counts() == before_rows
    assert media_files(Path(settings.MEDIA_ROOT)) == before_files


def test_a_file_whose_checksum_does_not_match_is_refused_and_nothing_changes(
    city_with_photos, tmp_path
):
    archive = make_backup(tmp_path)
    photo = Report.objects.first().photos.first()  # type: ignore[union-attr]
    tampered_name = f"media/{photo.public.name}"

    def tamper(name, data):
        return data[:-10] + b"0123456789" if name == tampered_name else data

    bad = _repack(archive, tmp_path / "tampered.tar.gz", tamper)
    rows, files = source_counts(), media_files(Path(settings.MEDIA_ROOT))

    with pytest.raises(CommandError) as err:
        call_command("restore", str(bad), "--force")

    assert "校验失败，未做任何更改" in str(err.value)
    assert tampered_name in str(err.value) and "校验值与清单不符" in str(err.value)
    _unchanged(rows, files)


def test_a_corrupted_archive_is_refused_and_nothing_changes(city_with_photos, tmp_path):
    archive = make_backup(tmp_path)
    data = bytearray(archive.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    bad = tmp_path / "corrupted.tar.gz"
    bad.write_bytes(bytes(data))
    rows, files = source_counts(), media_files(Path(settings.MEDIA_ROOT))

    with pytest.raises(CommandError, match="已损坏或不是本平台的备份，未做任何更改"):
        call_command("restore", str(bad), "--force")
    with pytest.raises(CommandError, match="不存在"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), "--force")
    _unchanged(rows, files)


def test_a_fresh_target_stays_empty_when_the_archive_is_bad(tmp_path, fresh):
    bad = tmp_path / "not-a-backup.tar.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00" + os.urandom(512))
    media = tmp_path / "restored-media"

    done = run_manage(
        "restore", str(bad), database_url=fresh.url, media_root=media, tmp_path=tmp_path
    )

    assert done.returncode != 0
    assert "已损坏或不是本平台的备份" in done.stderr
    assert "Traceback" not in done.stderr
    assert not media.exists() or not any(media.rglob("*"))
    assert fresh.tables() == []
