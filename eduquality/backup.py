"""Backups that are known to restore: the database and the media files in one archive.

`create_backup(path)` writes one tar: the database (pg_dump's custom format, or a copy of the SQLite
demo database made with SQLite's backup API), every file under MEDIA_ROOT, and manifest.json with the
SHA-256 of each. The database is dumped first, from one snapshot (pg_dump runs in a single repeatable-
read transaction), then the files: files are written once and never changed, so every file a row of
the dump names is in the archive (a file added meanwhile is an unused extra).

`restore_backup(path)` checks every hash before it touches anything, then restores the database in one
transaction (pg_restore --clean --single-transaction: all or nothing) and replaces the media files.
Run it as the owner role with web, worker and beat stopped; then `grant_app_role` (compose's migrate
service does so on every start).
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"

Report = Callable[[str], None]


class BackupRejected(Exception):
    """The archive cannot be restored (damaged, another engine, not a backup); nothing was changed."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_environment() -> dict:
    database = settings.DATABASES["default"]
    environment = {**os.environ, "PGDATABASE": database["NAME"], "PGUSER": database.get("USER") or ""}
    if database.get("HOST"):
        environment["PGHOST"] = database["HOST"]
    if database.get("PORT"):
        environment["PGPORT"] = str(database["PORT"])
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = database["PASSWORD"]
    return environment


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} 失败（退出码 {result.returncode}）：{result.stderr.strip()[-2000:]}")


def _media_files() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    files = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files.append((path.relative_to(root).as_posix(), path))
    return files


def create_backup(path: Path, *, report: Report = lambda message: None) -> dict:
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="eduquality-backup-") as work:
        work = Path(work)
        if connection.vendor == "postgresql":
            report("正在导出数据库（pg_dump）…")
            database_file = work / PG_DUMP
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={database_file}"])
        else:
            report("正在复制 SQLite 数据库…")
            database_file = work / SQLITE_COPY
            connection.ensure_connection()
            with sqlite3.connect(database_file) as copy:
                connection.connection.backup(copy)
            copy.close()
        media = _media_files()
        report(f"正在打包 {len(media)} 个文件…")
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": connection.vendor,
            "database": {"file": database_file.name, "sha256": _sha256(database_file)},
            "migrations": sorted(MigrationRecorder(connection).applied_migrations()),
            "media": {name: _sha256(file) for name, file in media},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(work / MANIFEST, arcname=MANIFEST)
            archive.add(database_file, arcname=database_file.name)
            for name, file in media:
                archive.add(file, arcname=f"media/{name}")
        partial.replace(path)
    report(f"备份完成：{path}（数据库 + {len(media)} 个文件）。")
    return manifest


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts


def _unpack_and_check(path: Path, work: Path) -> dict:
    """Unpack the archive into `work` and check it against its manifest; raises BackupRejected."""
    try:
        with tarfile.open(path, "r") as archive:
            members = archive.getmembers()
            if not all(member.isfile() and _safe_name(member.name) for member in members):
                raise BackupRejected("备份文件中含有不安全的路径或非普通文件，拒绝恢复。")
            archive.extractall(work, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise BackupRejected(f"无法读取备份文件：{error}") from error
    try:
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupRejected("备份文件缺少有效的 manifest.json，不是本平台的备份。") from error
    if manifest.get("format") != FORMAT:
        raise BackupRejected(f"不支持的备份格式：{manifest.get('format')}。")
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected.update({f"media/{name}": digest for name, digest in manifest["media"].items()})
    present = {member.name for member in members} - {MANIFEST}
    if present != set(expected):
        raise BackupRejected("备份文件的内容与清单不符（文件缺失或多出），拒绝恢复。")
    for name, digest in expected.items():
        if _sha256(work / name) != digest:
            raise BackupRejected(f"备份文件已损坏：{name} 的校验值不符，拒绝恢复。")
    return manifest


def restore_backup(path: Path, *, report: Report = lambda message: None) -> dict:
    with tempfile.TemporaryDirectory(prefix="eduquality-restore-") as work:
        work = Path(work)
        report("正在校验备份文件…")
        manifest = _unpack_and_check(Path(path), work)
        if manifest["engine"] != connection.vendor:
            raise BackupRejected(f"这是 {manifest['engine']} 数据库的备份，当前数据库是 {connection.vendor}。")
        report("正在恢复数据库…")
        database_file = work / manifest["database"]["file"]
        if connection.vendor == "postgresql":
            connection.close()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-acl",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={settings.DATABASES['default']['NAME']}",
                    str(database_file),
                ]
            )
        else:
            connection.ensure_connection()
            with sqlite3.connect(database_file) as source:
                source.backup(connection.connection)
            source.close()
        report("正在恢复文件…")
        root = Path(settings.MEDIA_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        for child in root.iterdir():  # the directory itself may be a mounted volume: keep it
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        for name in manifest["media"]:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(work / "media" / name, target)
    report(f"恢复完成：数据库与 {len(manifest['media'])} 个文件（备份于 {manifest['created_at']}）。")
    return manifest
