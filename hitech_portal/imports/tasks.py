"""The admin's imports as background jobs: any size, with progress, cancel and a record.

Two jobs, one record (:class:`~hitech_portal.models.ImportRecord`), one progress page:

1. The upload (:mod:`.admin`) keeps the file in media storage, makes the record (检查中) and
   enqueues :func:`check_file`: a dry run of the whole file by the same engine as the command
   (:func:`~.engine.run_import`), with the uploader's rights. It writes nothing but the record:
   待确认 with the counts and the first rows, or 有错误 with the errors (and the file is dropped).
2. 确认导入 (:func:`confirm`, the uploader only) turns a 待确认 record into 排队中 and enqueues
   :func:`import_file`, which runs the engine again with the uploader's rights, in one
   transaction: cancelled, failed or killed, it writes nothing, and it can be run again
   (:func:`requeue`). The record ends 已完成, 失败 or 已取消, with the counts and rows as for any
   import.
"""

import logging
import time

from django.core.files.storage import storages
from django.db import transaction
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


def enqueue_check(record: ImportRecord) -> None:
    """Queue the check of ``record``'s file (saved, 检查中, its file in media storage)."""
    jobs.forget(job_name(record))
    check_file.enqueue(record.pk)


def confirm(record: ImportRecord) -> bool:
    """确认导入 of a checked file: queue its import; False when it was not (or no longer) 待确认."""
    with transaction.atomic():
        confirmed = ImportRecord.objects.filter(
            pk=record.pk, status=ImportRecord.Status.CHECKED
        ).update(status=ImportRecord.Status.QUEUED, confirmed_at=timezone.now())
        if confirmed:
            enqueue(record)
    return bool(confirmed)


def enqueue(record: ImportRecord) -> None:
    """Queue the import of ``record`` (saved, 排队中, its file in media storage)."""
    jobs.forget(job_name(record))
    # The database backend queues the job in the caller's transaction: the worker sees the job
    # and its record together, or neither.
    import_file.enqueue(record.pk)


def requeue(record: ImportRecord) -> None:
    """Run again a job whose worker was stopped or killed (its transaction rolled back): the
    check of a file never confirmed, else its import."""
    checked = record.confirmed_at is not None
    record.status = ImportRecord.Status.QUEUED if checked else ImportRecord.Status.CHECKING
    record.problem = ""
    record.save(update_fields=["status", "problem"])
    if checked:
        enqueue(record)
    else:
        enqueue_check(record)


def cancel(record: ImportRecord) -> None:
    """Ask a job to stop; a job no worker has started yet, or a checked file not yet confirmed,
    stops at once (and its file is dropped)."""
    name = job_name(record)
    jobs.request_cancel(name)  # first: a check that starts from now on sees it at its start
    waiting = [ImportRecord.Status.QUEUED, ImportRecord.Status.CHECKED]
    if jobs.progress(name) is None:  # a started check has reported
        waiting.append(ImportRecord.Status.CHECKING)
    updated = ImportRecord.objects.filter(pk=record.pk, status__in=waiting).update(
        status=ImportRecord.Status.CANCELLED, finished_at=timezone.now()
    )
    if updated:
        upload_storage(record.upload).remove()


def _refuse_without_uploader(record: ImportRecord) -> bool:
    """The uploader's rights are the job's: with the account gone there are none to apply
    (``user=None`` would be the command's unlimited rights)."""
    if record.user is not None and record.user.is_active:
        return False
    _finish(record, ImportRecord.Status.FAILED, "上传这个文件的账号已删除或停用，导入没有执行。")
    upload_storage(record.upload).remove()
    return True


def _reporter(name: str):
    """The engine's progress callback: honours a cancel request, reports rows done."""
    last = 0.0

    def progress(table) -> None:
        nonlocal last
        jobs.check_cancel(name)  # raises inside the engine's transaction: it rolls back
        now = time.monotonic()
        if now - last >= REPORT_EVERY:
            last = now
            jobs.report_progress(name, table.position(), table.size or 0)

    return progress


def _open(record: ImportRecord):
    """The uploaded file, streamed from media storage, and the name that tells its format."""
    binary = storages["default"].open(upload_storage(record.upload).get_full_path(), "rb")
    suffix = ".xlsx" if binary.read(4) == b"PK\x03\x04" else ".csv"
    binary.seek(0)
    return binary, f"upload{suffix}"


@task()
def check_file(record_id: int) -> str:
    """Check the whole file of record ``record_id`` as its import would (nothing is written but
    the record): 待确认 with the counts and first rows, or 有错误 with the errors."""
    record = ImportRecord.objects.select_related("user").get(pk=record_id)
    if record.status != ImportRecord.Status.CHECKING:
        return f"not checking: {record.status}"  # cancelled meanwhile, or already checked
    if _refuse_without_uploader(record):
        return "refused: no uploader"
    name = job_name(record)
    jobs.report_progress(name, 0, 0)  # the job has started: from now on silence means stale
    storage = upload_storage(record.upload)
    report = _run_engine(record, name, dry_run=True)
    if report is None:
        return "cancelled"
    if report.ok:
        record.status, record.errors = ImportRecord.Status.CHECKED, []
        record.save(update_fields=["status", "errors"])
        jobs.report_progress(name, 1, 1)
        return "checked: " + report.summary()
    record.errors = [str(error) for error in report.errors]
    record.save(update_fields=["errors"])
    _finish(record, ImportRecord.Status.REJECTED, report.explanation())
    storage.remove()  # nothing can confirm a file with errors
    return "rejected: " + report.summary()


@task()
def import_file(record_id: int) -> str:
    """Import the file of record ``record_id``; returns the command's summary line."""
    record = ImportRecord.objects.select_related("user").get(pk=record_id)
    if record.status != ImportRecord.Status.QUEUED:
        return f"not queued: {record.status}"  # cancelled meanwhile, or already run
    if _refuse_without_uploader(record):
        return "refused: no uploader"
    name = job_name(record)
    record.status = ImportRecord.Status.RUNNING
    record.save(update_fields=["status"])
    storage = upload_storage(record.upload)
    jobs.report_progress(name, 0, 0)
    report = _run_engine(record, name, dry_run=False)
    if report is None:
        return "cancelled"
    if report.unreadable or report.rolled_back:
        lines = [*map(str, report.errors), f"{report.explanation()} {report.counts(record.unit)}"]
        problem = "\n".join(lines)
        _finish(record, ImportRecord.Status.FAILED, problem)
    else:
        _finish(record, ImportRecord.Status.DONE)
    storage.remove()
    return report.summary()


def _run_engine(record: ImportRecord, name: str, *, dry_run: bool):
    """Run the engine on the record's file with the uploader's rights (``dry_run``: the check,
    which writes nothing but the record's counts and first rows), honouring cancel requests.
    None when it was cancelled: the record says so and the file is gone; a failure is written on
    the record and raised."""
    try:
        jobs.check_cancel(name)
        # Streamed from storage: the engine reads a batch at a time, whatever the file's size.
        binary, file_name = _open(record)
        with binary:
            return run_import(
                import_string(IMPORTERS[record.kind]),
                binary,
                name=file_name,
                record=record,  # the engine puts the counts and the first rows on it
                user=record.user,
                dry_run=dry_run,
                progress=_reporter(name),
            )
    except jobs.Cancelled:
        _finish(record, ImportRecord.Status.CANCELLED)
        upload_storage(record.upload).remove()
        return None
    except Exception as exc:
        logger.exception("%s of import %s failed", "check" if dry_run else "run", record.pk)
        what = "检查文件时出错" if dry_run else "导入出错"
        _finish(record, ImportRecord.Status.FAILED, f"{what}：{exc}")
        raise


def _finish(record: ImportRecord, status: str, problem: str = "") -> None:
    record.status, record.problem, record.finished_at = status, problem, timezone.now()
    record.save(update_fields=["status", "problem", "finished_at"])
    jobs.report_progress(job_name(record), 1, 1)
