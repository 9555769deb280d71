"""Generation-based invalidation for cached public pages.

Every cached page key carries the current *generation*; any write that changes what the public
sees calls :func:`invalidate_pages`, which moves the generation on so every old entry is simply
never read again (and expires on its own). The counter lives in the shared cache, so all app
servers agree on it without keeping state of their own.
"""

from django.core.cache import cache

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
