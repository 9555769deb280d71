"""Peak memory of the background worker through an admin import: the check, then the import.

    .venv/bin/python bench/worker_rss.py [--rows 20000] [--postgres URL]

On a throw-away database (a SQLite file in a temporary directory, or the ``--postgres`` URL,
dropped and created), stores a CSV of ``--rows`` real-length articles as the admin's upload does
and queues its check; runs ``manage.py db_worker --batch`` (one process, which exits when the
queue is empty) and samples its ``VmHWM`` (peak resident set) from ``/proc``; then confirms the
file (确认导入) and measures a second worker running the import. The baseline, in the same run,
is a worker started on an empty queue. Prints the peaks in MB and the rows per second of each job
(the worker's start included).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def peak_mb(command: list[str]) -> tuple[float, float]:
    """Run ``command`` to its end; its peak resident memory (MB) and the seconds it took."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ)
    peak = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.05)
    if process.wait():
        raise SystemExit(f"{command} failed")
    return peak / 1024, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="worker-rss-"))
    url = f"sqlite:///{tmp / 'rss.sqlite3'}"
    if args.postgres:
        from import_bench import fresh_database

        base, _, name = args.postgres.rpartition("/")
        url = fresh_database(args.postgres, tmp, name)
    os.environ.update(
        DATABASE_URL=url,
        MEDIA_ROOT=str(tmp / "media"),
        JOBS_CACHE_DIR=str(tmp / "jobs"),
        VIEW_COUNT_BUFFER=str(tmp / "views.sqlite3"),
        DJANGO_SETTINGS_MODULE="hitech_portal.settings",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from import_bench import write_csv

    from hitech_portal.imports import tasks
    from hitech_portal.models import ImportRecord
    from tests.factories import make_user

    call_command("migrate", verbosity=0)
    worker = [sys.executable, "manage.py", "db_worker", "--batch", "--interval", "0.2"]
    idle, _ = peak_mb(worker)

    spreadsheet = tmp / "articles.csv"
    write_csv(spreadsheet, args.rows)
    storage = tasks.upload_storage("")
    storage.save(spreadsheet.read_bytes())
    record = ImportRecord.objects.create(
        kind="articles",
        file_name=spreadsheet.name,
        via="后台",
        user=make_user("rss", is_superuser=True),
        status=ImportRecord.Status.CHECKING,
        upload=storage.name,
    )
    tasks.enqueue_check(record)  # what the upload does
    check, check_seconds = peak_mb(worker)
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.CHECKED, record.status
    assert tasks.confirm(record)  # 确认导入
    imported, import_seconds = peak_mb(worker)
    record.refresh_from_db()
    assert (record.status, record.created) == (ImportRecord.Status.DONE, args.rows)

    vendor = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{vendor}, {args.rows} real-length articles through the admin's two jobs")
    print(f"idle worker (baseline)   peak RSS {idle:6.1f} MB")
    print(
        f"check (dry run)          peak RSS {check:6.1f} MB  ({check / idle:.2f}× idle), "
        f"{args.rows / check_seconds:,.0f} rows/s"
    )
    print(
        f"import                   peak RSS {imported:6.1f} MB  ({imported / idle:.2f}× idle), "
        f"{args.rows / import_seconds:,.0f} rows/s"
    )


if __name__ == "__main__":
    main()
