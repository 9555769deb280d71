"""Generation-based invalidation for cached public pages.

Every cached page key carries the current *generation*; any write that changes what the public
sees calls :func:`invalidate_pages`, which moves the generation on so every old entry is simply
never read again (and expires on its own). The counter lives in the shared cache, so all app
servers agree on it without keeping state of their own.

The cache itself is ``hitech_portal.middleware.PageCacheMiddleware``; models whose rows appear on
public pages inherit :class:`InvalidatesPages`; bulk paths (``update()``, ``bulk_create()``,
queryset ``delete()``) send no signals and call :func:`invalidate_pages` themselves.
"""

from django.core.cache import cache
from django.db import connection, transaction

GENERATION_KEY = "pages:generation"


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


class InvalidatesPages:
    """Model mixin: saving or deleting a row retires every cached public page."""

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        invalidate_pages_on_commit()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        invalidate_pages_on_commit()
        return deleted
