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

The pages themselves live in a cache of their own (the ``pages`` alias): however many query
strings a flood of requests makes up, filling that store can never evict the counter or the
schedule, which live in the ``default`` cache. Were the counter lost all the same, it starts
again from the clock, never from a number old pages were stored under.
"""

import hashlib
import re
import time
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.utils.translation import get_language_from_path

GENERATION_KEY = "pages:generation"
SCHEDULE_KEY = "pages:schedule"
SCHEDULE_LENGTH = 1000  # the nearest publication times kept


def current_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
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


def keep_seconds(seconds: int) -> int:
    """How long something read from published articles may be kept: ``seconds``, but never
    past the next noted publication time."""
    due = seconds_to_next_publication()
    if due is not None:
        seconds = min(seconds, max(1, int(due) + 1))
    return seconds


def seconds_to_next_publication() -> float | None:
    """How long until the next noted publication time; None if none is to come."""
    now = time.time()
    return next((moment - now for moment in cache.get(SCHEDULE_KEY) or () if moment > now), None)


#: The query parameters public pages and the API read (category filters, search, paging, the
#: API's filters and formats): one place, checked against the filter sets, the search form and the
#: API's paginator by the tests. Others change nothing on the page.
QUERY_PARAMETERS = frozenset(
    {"page", "tag", "source", "published_after", "published_before", "ordering"}
    | {"q", "category", "from", "to"}
    | {"page_size", "format", "region", "period", "period_from", "period_to"}
)
GZIP_RE = re.compile(r"\bgzip\b")


class PageLookup:
    """Where one request's page is stored.

    The key is made of the generation, the language (from the path: the site never reads
    ``Accept-Language``), the path, the known query parameters in a fixed order, and the values
    of the request headers the stored response varies on, as ``Vary`` reads once every
    middleware has added its own (the list is kept per page, as Django's ``learn_cache_key``
    does). Two of them are normalised: ``Accept-Encoding`` to whether GZip would compress, and
    ``Cookie`` is left out, because only requests without a session or message cookie are
    served or stored at all. GET and HEAD share the entry."""

    def __init__(self, request):
        self.request = request
        known = sorted((k, v) for k, v in request.GET.lists() if k in QUERY_PARAMETERS)
        self.storable = len(known) == len(request.GET)
        language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        url = request.path + ("?" + urlencode(known, doseq=True) if known else "")
        digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        self.base = f"pages.{current_generation()}.{language}.{digest}"

    @property
    def store(self):
        return caches["pages"]

    def _key(self, headers: list[str]) -> str:
        values = []
        for header in headers:
            value = self.request.headers.get(header, "")
            if header == "accept-encoding":
                value = "gzip" if GZIP_RE.search(value) else ""
            values.append(f"{header}={value}")
        digest = hashlib.sha256("\n".join(values).encode("utf-8", "surrogateescape")).hexdigest()
        return f"{self.base}.{digest[:32]}"

    def get(self):
        headers = self.store.get(self.base + ".vary")
        if headers is None:
            return None
        return self.store.get(self._key(headers))

    def set(self, response, timeout: int) -> None:
        vary = response.get("Vary", "").split(",")
        ignored = {"cookie", "accept-language", ""}
        headers = sorted({header.strip().lower() for header in vary} - ignored)
        self.store.set(self.base + ".vary", headers, timeout)
        self.store.set(self._key(headers), response, timeout)
