"""Background jobs: work that outgrows a request runs in a worker, with django-tasks.

Django's tasks API (the ``django-tasks`` package, which Django 6 ships as ``django.tasks``) with
its database backend (``django-tasks-db``): jobs wait in a table of the portal's own database, so a
fresh checkout needs no other server, and ``python manage.py db_worker`` runs them
(``./scripts/serve`` starts one beside the web server; run one or more next to gunicorn in
production). To add a job, declare a task in the app that owns the work and enqueue it::

    # articles/view_counts.py
    from django_tasks import task

    @task()
    def flush_buffered_reads() -> int:
        ...                         # arguments and the return value must be JSON

    flush_buffered_reads.enqueue()  # from a view, a command, a signal receiver …

A task runs in its own process, possibly much later: pass ids, not model instances, and let the
task read what it needs. Write what must be all-or-nothing inside one ``transaction.atomic()``,
so that a worker killed mid-job leaves nothing half-written and the job can simply be run again.
``articles.tasks`` and ``hitech_portal.imports.tasks`` are the examples.

What a long job reports while it runs (rows done, a cancel request) goes through this module, in
the ``jobs`` cache (Redis when configured, else files): the job's own transaction keeps its rows
to itself until it commits, so the web servers could not read progress from them.
"""

import time

from django.core.cache import caches

#: A running job reports at least this often; a job silent for longer lost its worker.
STALE_SECONDS = 120


class Cancelled(Exception):
    """Raised inside a job whose cancellation was asked for: its transaction rolls back."""


def _cache():
    return caches["jobs"]


def report_progress(job: str, done: int, total: int) -> None:
    """``done`` of ``total`` units of job ``job`` (e.g. ``import-12``), stamped with the time."""
    _cache().set(f"{job}:progress", {"done": done, "total": total, "at": time.time()})


def claim(job: str) -> bool:
    """Mark ``job`` as queued (done 0 of 0) unless it is already queued or running and still
    reporting: True when this caller may enqueue it. A job silent past :data:`STALE_SECONDS`
    lost its worker and may be claimed again."""
    cache = _cache()
    key = f"{job}:progress"
    queued = {"done": 0, "total": 0, "at": time.time()}
    if cache.add(key, queued):
        return True
    last = progress(job)
    if last is None or (last["total"] and is_stale(job, last["at"])):  # started, then silent
        cache.delete(key)
        return cache.add(key, queued)
    return False


def progress(job: str) -> dict | None:
    """The last report of a job: ``{"done", "total", "at"}``, or None before the first."""
    return _cache().get(f"{job}:progress")


def is_stale(job: str, since: float) -> bool:
    """Whether a job said to be running has not reported for :data:`STALE_SECONDS` (its worker
    was stopped or killed): then it may be run again."""
    last = progress(job)
    return time.time() - (last["at"] if last else since) > STALE_SECONDS


def request_cancel(job: str) -> None:
    _cache().set(f"{job}:cancel", True)


def check_cancel(job: str) -> None:
    """Raise :class:`Cancelled` when someone asked to cancel ``job``."""
    if _cache().get(f"{job}:cancel"):
        raise Cancelled(job)


def forget(job: str) -> None:
    _cache().delete_many([f"{job}:progress", f"{job}:cancel"])
