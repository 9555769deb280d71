"""Generation-based invalidation for cached public pages.

Every cached page key carries the current *generation*; any write that changes what the public
sees calls :func:`invalidate_pages`, which moves the generation on so every old entry is simply
never read again (and expires on its own). The counter lives in the shared cache, so all app
servers agree on it without keeping state of their own.

The cache itself is ``hitech_portal.middleware.PageCacheMiddleware``. Which writes retire pages
and note publication times is decided in one place, :mod:`articles.public_changes`.

Scheduled articles need no cron and no write at their time, so the cache must not keep a page
past the moment one goes live: writes note future publication times (:func:`schedule_pages`),
and no page is stored beyond the next one. The list lives in the shared cache next to the
counter, so reading it costs no query; were it lost (a flushed cache), a scheduled article would
show up at most ``PAGE_CACHE_SECONDS`` late.
"""

import time
from collections.abc import Iterable
from datetime import datetime

from django.core.cache import cache
from django.db import connection, transaction

GENERATION_KEY = "pages:generation"
SCHEDULE_KEY = "pages:schedule"
SCHEDULE_LENGTH = 1000  # the nearest publication times kept


def current_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return int(generation)


def invalidate_pages() -> None:
    """Call after any write that changes a public page (save, delete, publish, bulk import)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): start a fresh generation
        cache.set(GENERATION_KEY, current_generation() + 1, timeout=None)


def invalidate_pages_on_commit() -> None:
    """Invalidate now, and inside a transaction once more when it commits.

    Now, so this request (and a test, which never commits) reads fresh pages; on commit, because
    another request may have rendered and stored a page from the old rows while this
    transaction was still open.
    """
    invalidate_pages()
    if connection.in_atomic_block:
        transaction.on_commit(invalidate_pages)


def schedule_pages(times: Iterable[datetime | None]) -> None:
    """Note publication times; those still to come cap how long pages are kept.

    A time noted that never comes to pass (the article was unpublished or moved) only makes
    pages expire early once: noting too much is safe, noting too little is not."""
    now = time.time()
    future = {when.timestamp() for when in times if when is not None and when.timestamp() > now}
    if not future:
        return
    noted = {moment for moment in cache.get(SCHEDULE_KEY) or () if moment > now}
    cache.set(SCHEDULE_KEY, sorted(noted | future)[:SCHEDULE_LENGTH], timeout=None)


def seconds_to_next_publication() -> float | None:
    """How long until the next noted publication time; None if none is to come."""
    now = time.time()
    return next((moment - now for moment in cache.get(SCHEDULE_KEY) or () if moment > now), None)
