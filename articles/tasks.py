"""The articles' background jobs (see :mod:`hitech_portal.jobs` for how jobs run and are added)."""

from django.db import transaction
from django_tasks import task

from hitech_portal import jobs

from . import public_changes
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
