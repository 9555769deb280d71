"""The articles' background jobs (see :mod:`hitech_portal.jobs` for how jobs run and are added)."""

from django.conf import settings
from django.db import transaction
from django_tasks import task

from hitech_portal import jobs

from . import public_changes, view_counts
from .models import Article

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


@task()
def flush_view_counts() -> int:
    """Add the buffered reads to the articles' counts; queued by a read that finds a flush due
    (:func:`articles.view_counts.record_view`). Answers how many reads were added."""
    store = view_counts.get_store()
    store.next_flush_in(settings.VIEW_COUNT_FLUSH_SECONDS)  # this job is no longer waiting
    return view_counts.flush_view_counts(store)
