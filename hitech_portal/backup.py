"""Backup and restore: the database and the media files in one archive.

``manage.py backup [FILE]`` writes a ``.tar.gz`` holding

- ``manifest.json``: the database engine, when, and how many rows each table had;
- the database as one consistent snapshot while the site keeps running: SQLite's online backup
  API (``database.sqlite3``) or ``pg_dump --format=custom`` (``database.pgdump``);
- ``media/``: everything under ``MEDIA_ROOT`` except uploads waiting for an import's confirm.

``manage.py restore FILE`` loads it into the configured database (which must be empty unless
``--replace`` is given) and ``MEDIA_ROOT``, then counts the rows again and fails if any table
differs from the manifest. The archive is written under a temporary name and renamed when
complete, so a backup stopped half-way never looks like a backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from .pagecache import invalidate_pages

FORMAT = 1
APPS = ("auth", "articles", "images", "indicators", "hitech_portal")
SKIPPED_MEDIA = {"django-import-export"}  # uploads waiting for 确认导入 (hitech_portal.imports)


class BackupError(Exception):
    """What an operator reads: the archive or the database is not what restore needs."""


def summary(*, digest: bool = False) -> dict[str, object]:
    """Rows per table of the portal's models (``app.model``: count); with ``digest``, also a hash
    of every row's values, so two databases can be compared whole."""
    result: dict[str, object] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in APPS or model._meta.proxy:
            continue
        rows = model._default_manager.order_by("pk")
        label = model._meta.label_lower
        if not digest:
            result[label] = rows.count()
            continue
        names = [field.attname for field in model._meta.concrete_fields]
        sha = hashlib.sha256()
        count = 0
        for values in rows.values_list(*names).iterator(chunk_size=2000):
            sha.update(repr(values).encode())
            count += 1
        result[label] = {"rows": count, "sha256": sha.hexdigest()}
    return result


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库 {vendor}（支持 SQLite 与 PostgreSQL）")
    return vendor


def _pg_connection() -> tuple[list[str], dict[str, str]]:
    """``pg_dump``/``pg_restore`` flags and environment for the configured database."""
    db = connection.settings_dict
    flags = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            flags += [flag, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return flags, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[-2000:]}")


def _dump_database(folder: Path, engine: str) -> str:
    if engine == "sqlite":
        name = "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(folder / name)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        name = "database.pgdump"
        flags, env = _pg_connection()
        options = ["--format=custom", "--no-owner", "--no-privileges", "-f", str(folder / name)]
        _run(["pg_dump", *options, *flags, connection.settings_dict["NAME"]], env)
    return name


def backup(path: Path) -> dict:
    """Write the archive to ``path``; returns its manifest."""
    engine = _engine()
    manifest = {
        "format": FORMAT,
        "engine": engine,
        "created": timezone.now().isoformat(),
        "counts": summary(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as work:
        work = Path(work)
        manifest["database"] = _dump_database(work, engine)
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", "manifest.json")
            archive.add(work / manifest["database"], manifest["database"])
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                for child in sorted(media.iterdir()):
                    if child.name not in SKIPPED_MEDIA:
                        archive.add(child, f"media/{child.name}")
        os.replace(partial, path)
    return manifest


def extract(archive: tarfile.TarFile, folder: Path) -> None:
    """Unpack regular files and folders only, all inside ``folder``: tarfile's "data" filter
    where Python has it (3.11.4 and newer), the same rule by hand before."""
    if hasattr(tarfile, "data_filter"):
        archive.extractall(folder, filter="data")
        return
    root = folder.resolve()
    for member in archive.getmembers():
        target = (folder / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
            raise tarfile.TarError(f"{member.name!r} is not a plain file of the backup")
    archive.extractall(folder)


def restore(path: Path, *, replace: bool = False) -> dict:
    """Load the archive at ``path`` into the configured database and ``MEDIA_ROOT``; returns the
    manifest once the restored counts have been checked against it."""
    engine = _engine()
    existing = connection.introspection.table_names()
    if existing and not replace:
        raise BackupError(
            f"数据库不是空的（已有 {len(existing)} 张表）：请恢复到新建的空数据库，"
            "或加 --replace 覆盖现有数据"
        )
    with tempfile.TemporaryDirectory(prefix="restore-") as work:
        work = Path(work)
        try:
            with tarfile.open(path, "r:gz") as archive:
                extract(archive, work)
            manifest = json.loads((work / "manifest.json").read_text())
        except (OSError, tarfile.TarError, ValueError, KeyError) as exc:
            raise BackupError(f"不是本系统的备份文件：{exc}") from None
        if manifest.get("format") != FORMAT or manifest.get("engine") != engine:
            raise BackupError(
                f"这份备份来自 {manifest.get('engine')}，不能恢复到 {engine}（引擎须相同）"
            )
        database = work / manifest["database"]
        if engine == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(database)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
            if replace:
                args += ["--clean", "--if-exists"]
            flags, env = _pg_connection()
            target = ["-d", connection.settings_dict["NAME"]]
            _run(["pg_restore", *args, *flags, *target, str(database)], env)
        connection.close()  # the next query sees the restored database
        media = work / "media"
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    invalidate_pages()  # pages cached from the database before the restore show it no more
    restored = summary()
    differs = {
        label: (count, restored.get(label))
        for label, count in manifest["counts"].items()
        if restored.get(label) != count
    }
    if differs:
        lines = "；".join(
            f"{label} 备份 {a} 行，恢复后 {b} 行" for label, (a, b) in differs.items()
        )
        raise BackupError(f"恢复后的行数与备份不符：{lines}")
    return manifest
