"""``backup`` and ``restore``: an archive restored into an empty database (SQLite, or PostgreSQL
when the suite runs on it) gives back the same articles, revisions, indicators, tags, counts
and media files, row for row."""

import io
import json
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article
from hitech_portal.backup import summary
from tests.factories import (
    make_article,
    make_image,
    make_indicator,
    make_observation,
    make_tag,
    make_user,
)
from tests.test_settings import DROPPED, ROOT

pytestmark = pytest.mark.django_db(transaction=True)

SHOW_SUMMARY = (
    "import json; from hitech_portal.backup import summary; print(json.dumps(summary(digest=True)))"
)


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in DROPPED | {"REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def empty_database(tmp_path):
    """A database URL naming a new, empty database of the suite's engine."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    server = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"]}
    server["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    yield f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def content(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "covers").mkdir(parents=True)
    (settings.MEDIA_ROOT / "covers" / "园区.jpg").write_bytes(b"\xff\xd8 a picture \xff\xd9")
    (settings.MEDIA_ROOT / "django-import-export").mkdir()
    (settings.MEDIA_ROOT / "django-import-export" / "upload").write_bytes(b"waiting")
    user = make_user("zhubian", groups=["主编"])
    tags = [make_tag(name="高新区"), make_tag(name="园区")]
    article = make_article(title="备份的文章", tags=tags, view_count=42, created_by=user)
    article.title = "备份的文章（修订）"
    article.save()  # a second revision
    make_article(title="草稿", status=Article.Status.DRAFT, published_at=None)
    indicator = make_indicator(name="高新区数量", slug="zones")
    make_observation(indicator=indicator, value=178, source_article=article)
    make_image(alt="园区全景")  # a library picture: its row, its file and its renditions
    return settings.MEDIA_ROOT


def test_backup_then_restore_into_an_empty_database_gives_everything_back(
    content, empty_database, tmp_path
):
    archive = tmp_path / "备份.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    before = summary(digest=True)
    assert before["articles.article"]["rows"] == 2
    assert before["articles.tag"]["rows"] == 2
    assert before["images.image"]["rows"] == 1
    assert any(label.startswith("articles.historical") and value["rows"] >= 2
               for label, value in before.items())  # fmt: skip

    restored_media = tmp_path / "restored-media"
    env = {"DATABASE_URL": empty_database, "MEDIA_ROOT": str(restored_media)}
    result = manage("restore", str(archive), **env)
    assert result.returncode == 0, result.stderr
    assert "行数与备份一致：文章 2 篇，指标 1 个" in result.stdout

    after = manage("shell", "--no-imports", "-c", SHOW_SUMMARY, **env)
    assert json.loads(after.stdout) == json.loads(json.dumps(before))
    cover = restored_media / "covers" / "园区.jpg"
    assert cover.read_bytes() == (content / "covers" / "园区.jpg").read_bytes()
    assert not (restored_media / "django-import-export").exists()  # not worth keeping

    again = manage("restore", str(archive), **env)
    assert again.returncode != 0
    assert "数据库不是空的" in again.stderr
    assert manage("restore", str(archive), "--replace", **env).returncode == 0


def test_restoring_something_else_is_a_clear_error(tmp_path):
    junk = tmp_path / "x.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="不是本系统的备份文件|数据库不是空的"):
        call_command("restore", str(junk), "--replace")


@pytest.mark.parametrize("python_has_data_filter", [True, False])
def test_an_archive_reaching_outside_its_folder_is_refused(
    tmp_path, monkeypatch, python_has_data_filter
):
    """Python before 3.11.4 (Debian 12's 3.11.2) has no tarfile filters: the same rule holds."""
    import tarfile

    from hitech_portal.backup import extract

    if not python_has_data_filter:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    hostile = tmp_path / "hostile.tar.gz"
    with tarfile.open(hostile, "w:gz") as archive:
        payload = tmp_path / "payload"
        payload.write_text("x")
        archive.add(payload, arcname="../escaped.txt")
    folder = tmp_path / "work"
    folder.mkdir()
    with tarfile.open(hostile, "r:gz") as archive, pytest.raises(tarfile.TarError):
        extract(archive, folder)
    assert not (tmp_path / "escaped.txt").exists()
