"""Drill: kill the worker in the middle of an admin import, then run the import again.

    .venv/bin/python bench/worker_kill_drill.py [--rows 3000] [--postgres URL]

On a throw-away database (a SQLite file in a temporary directory, or the ``--postgres`` URL,
dropped and created), queues a background import of ``--rows`` real-length articles as the admin's
confirm screen does, starts ``manage.py db_worker``, waits until the job has reported progress,
kills the worker with SIGKILL and checks that no article, tag link or search entry was written and
that the record still says 导入中. Then it queues the import again (the 重新导入 button), lets a
worker run it and checks that every row was imported once.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kill-drill-"))
    url = args.postgres or f"sqlite:///{tmp / 'drill.sqlite3'}"
    if args.postgres:
        from import_bench import fresh_database

        base, _, name = url.rpartition("/")
        fresh_database(url, tmp, name)
    os.environ.update(
        DATABASE_URL=url,
        MEDIA_ROOT=str(tmp / "media"),
        JOBS_CACHE_DIR=str(tmp / "jobs"),
        DJANGO_SETTINGS_MODULE="hitech_portal.settings",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from import_bench import write_csv

    from articles.models import Article
    from hitech_portal import jobs
    from hitech_portal.imports import tasks
    from hitech_portal.models import ImportRecord
    from tests.factories import make_user

    call_command("migrate", verbosity=0)
    spreadsheet = tmp / "articles.csv"
    write_csv(spreadsheet, args.rows)
    storage = tasks.upload_storage("")
    storage.save(spreadsheet.read_bytes())
    record = ImportRecord.objects.create(
        kind="articles",
        file_name=spreadsheet.name,
        via="后台",
        user=make_user("drill", is_superuser=True),
        status="queued",
        upload=storage.name,
        confirmed_at=timezone.now(),  # checked and confirmed, as the preview's 确认导入 leaves it
    )
    tasks.enqueue(record)
    worker = [sys.executable, "manage.py", "db_worker", "--interval", "0.2"]

    def written() -> tuple[int, int, int]:
        table = "article_search" if connection.vendor == "postgresql" else "article_search_entry"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            entries = cursor.fetchone()[0]
        return Article.objects.count(), Article.tags.through.objects.count(), entries

    process = subprocess.Popen(worker, cwd=ROOT, env=os.environ)
    job = tasks.job_name(record)
    while not (jobs.progress(job) or {}).get("done"):
        time.sleep(0.1)
    report = jobs.progress(job)
    time.sleep(1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    record.refresh_from_db()
    print(f"killed the worker at byte {report['done']} of {report['total']}")
    print(f"after the kill: record {record.status}; articles, tag links, entries: {written()}")
    assert record.status == ImportRecord.Status.RUNNING and written() == (0, 0, 0)

    tasks.requeue(record)  # what 重新导入 does
    subprocess.run([*worker, "--batch"], cwd=ROOT, env=os.environ, check=True)
    record.refresh_from_db()
    print(
        f"run again: record {record.status}, created={record.created}; "
        f"articles, tag links, search entries: {written()}"
    )
    assert record.status == ImportRecord.Status.DONE and record.created == args.rows
    assert written()[0] == args.rows


if __name__ == "__main__":
    main()
