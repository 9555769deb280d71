"""The admin's imports as background jobs: any size, with progress, cancel and a record.

The confirm screen (:mod:`.admin`) makes the :class:`~hitech_portal.models.ImportRecord` (排队中),
keeps the uploaded file in media storage and enqueues :func:`import_file`. The job runs the same
engine as the command (:func:`~.engine.run_import`) with the uploading user's rights, in one
transaction: cancelled, failed or killed, it writes nothing, and it can be run again
(:func:`requeue`). The record ends 已完成, 失败 or 已取消, with the counts and rows as for any
import.
"""

import logging
import time

from django.core.files.storage import storages
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from import_export.tmp_storages import MediaStorage

from .. import jobs
from ..models import ImportRecord
from .engine import run_import

logger = logging.getLogger(__name__)
#: The engine's importer for each kind of record.
IMPORTERS = {
    ImportRecord.Kind.ARTICLES: "articles.importing.ArticleImporter",
    ImportRecord.Kind.OBSERVATIONS: "indicators.importing.ObservationImporter",
}
REPORT_EVERY = 0.5  # seconds between progress reports


def job_name(record: ImportRecord) -> str:
    return f"import-{record.pk}"


def upload_storage(name: str) -> MediaStorage:
    return MediaStorage(name=name, read_mode="rb")


def enqueue(record: ImportRecord) -> None:
    """Queue the import of ``record`` (saved, 排队中, its file in media storage)."""
    jobs.forget(job_name(record))
    # The database backend queues the job in the caller's transaction: the worker sees the job
    # and its record together, or neither.
    import_file.enqueue(record.pk)


def requeue(record: ImportRecord) -> None:
    """Run again an import whose worker was stopped or killed (its transaction rolled back)."""
    record.status = ImportRecord.Status.QUEUED
    record.problem = ""
    record.save(update_fields=["status", "problem"])
    enqueue(record)


def cancel(record: ImportRecord) -> None:
    """Ask a queued or running import to stop; a queued one stops at once."""
    jobs.request_cancel(job_name(record))
    updated = ImportRecord.objects.filter(pk=record.pk, status=ImportRecord.Status.QUEUED).update(
        status=ImportRecord.Status.CANCELLED, finished_at=timezone.now()
    )
    if updated:
        upload_storage(record.upload).remove()


@task()
def import_file(record_id: int) -> str:
    """Import the file of record ``record_id``; returns the command's summary line."""
    record = ImportRecord.objects.select_related("user").get(pk=record_id)
    if record.status != ImportRecord.Status.QUEUED:
        return f"not queued: {record.status}"  # cancelled meanwhile, or already run
    if record.user is None or not record.user.is_active:
        # The uploader's rights are the job's: with the account gone there are none to apply
        # (``user=None`` would be the command's unlimited rights).
        _finish(
            record, ImportRecord.Status.FAILED, "上传这个文件的账号已删除或停用，导入没有执行。"
        )
        upload_storage(record.upload).remove()
        return "refused: no uploader"
    name = job_name(record)
    record.status = ImportRecord.Status.RUNNING
    record.save(update_fields=["status"])
    last = 0.0

    def progress(table) -> None:
        nonlocal last
        jobs.check_cancel(name)  # raises inside the import's transaction: it rolls back
        now = time.monotonic()
        if now - last >= REPORT_EVERY:
            last = now
            jobs.report_progress(name, table.position(), table.size or 0)

    storage = upload_storage(record.upload)
    jobs.report_progress(name, 0, 0)
    try:
        # Streamed from storage: the engine reads a batch at a time, whatever the file's size.
        with storages["default"].open(storage.get_full_path(), "rb") as binary:
            suffix = ".xlsx" if binary.read(4) == b"PK\x03\x04" else ".csv"
            binary.seek(0)
            report = run_import(
                import_string(IMPORTERS[record.kind]),
                binary,
                name=f"upload{suffix}",
                record=record,
                user=record.user,
                progress=progress,
            )
    except jobs.Cancelled:
        _finish(record, ImportRecord.Status.CANCELLED)
        storage.remove()
        return "cancelled"
    except Exception as exc:
        logger.exception("import %s failed", record_id)
        _finish(record, ImportRecord.Status.FAILED, f"导入出错：{exc}")
        raise
    if report.unreadable or report.rolled_back:
        lines = [*map(str, report.errors), f"{report.explanation()} {report.counts(record.unit)}"]
        problem = "\n".join(lines)
        _finish(record, ImportRecord.Status.FAILED, problem)
    else:
        _finish(record, ImportRecord.Status.DONE)
    storage.remove()
    return report.summary()


def _finish(record: ImportRecord, status: str, problem: str = "") -> None:
    record.status, record.problem, record.finished_at = status, problem, timezone.now()
    record.save(update_fields=["status", "problem", "finished_at"])
    jobs.report_progress(job_name(record), 1, 1)
