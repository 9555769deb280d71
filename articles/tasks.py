"""The articles' background jobs (see :mod:`hitech_portal.jobs` for how jobs run and are added)."""

import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django_tasks import task

from hitech_portal import jobs
from hitech_portal.models import ImportRecord

from . import public_changes
from .models import Article
from .undo import AlreadyUndone, may_undo, undo

REINDEX_JOB = "rebuild-search-index"


@task()
def rebuild_search_index() -> int:
    """Rebuild the search index in one transaction: searches go on reading the old index until
    it commits, and a worker stopped halfway leaves the old one whole (run it again)."""
    total = 0

    def progress(done: int) -> None:
        jobs.report_progress(REINDEX_JOB, done, total)

    total = Article.objects.filter(status=Article.Status.PUBLISHED).count()
    with transaction.atomic():
        count = public_changes.rebuild(progress)
    jobs.report_progress(REINDEX_JOB, count, count)
    return count


def undo_job_name(record_id: int) -> str:
    return f"undo-import-{record_id}"


def start_undo(record: ImportRecord, user) -> bool:
    """Queue the undo of ``record`` by ``user``, unless a job of it is already waiting or
    running (False). From now on its page follows the job: queued, it reports no total yet (a
    job waiting for a busy worker is never taken as lost); started, it reports at once."""
    if not jobs.claim(undo_job_name(record.pk)):
        return False
    undo_import.enqueue(record.pk, user.pk)
    return True


@task()
def undo_import(record_id: int, user_id: int) -> str:
    """Undo import ``record_id`` as user ``user_id`` (:func:`articles.undo.undo`: one
    transaction, so a worker stopped halfway leaves the import as it was, and the undo can be
    asked for again once its page sees the job silent)."""
    name = undo_job_name(record_id)
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= 0.5:
            last = time.monotonic()
            jobs.report_progress(name, done, total)

    try:
        jobs.report_progress(name, 0, 1)  # started: from now on, silence means a lost worker
        record = ImportRecord.objects.get(pk=record_id)
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None or not may_undo(user, record):
            return "refused"  # undone meanwhile, or the 主编's rights went
        plan = undo(record, user, progress=progress)
        return "undone" if plan.possible else f"refused: {plan.edited} edited since"
    except AlreadyUndone:
        return "refused: undone already"
    finally:
        jobs.forget(name)  # its page shows the record and the plan again
