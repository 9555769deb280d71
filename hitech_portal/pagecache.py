"""Dependency-keyed invalidation for cached public pages.

Each stored page records what it shows as *page tags* — ``article:12`` (that article's words),
``category:3`` and ``tag:7`` (who is in that category's or tag's lists, in which order), ``site``
(the site-wide lists: home, search, feeds, sitemaps, the API, the indicator pages), ``all`` (on
every page) — with the version each tag had when the page was rendered. A write moves on the
versions of the tags it changes (:func:`retire`); a stored page whose tags all still have the
versions it recorded is current, any other is never served again (and expires on its own). A hit
reads its tags' versions in one round trip (``get_many``). What a write changes and what a page
shows are decided in one place, :mod:`articles.public_changes`; the cache itself is
``hitech_portal.middleware.PageCacheMiddleware``.

The versions live in the shared ``default`` cache, so all app servers agree on them without
keeping state of their own; the pages live in a cache of their own (the ``pages`` alias): however
many query strings a flood of requests makes up, filling that store never evicts a version or the
schedule. A version that is lost all the same starts again from the clock, never from a number a
page was stored under, and a page whose tag has no version is not served.

Besides the tags, every write moves one *generation* on (:func:`current_generation`): what is
derived from many rows and cached apart from pages (list counts, a category's filter choices) is
keyed by it, and a page rendered while a write went on is not stored at all.

Scheduled articles need no cron and no write at their time, so the cache must not keep a page
past the moment one goes live: writes note future publication times (:func:`schedule_pages`),
and no page is stored beyond the next one. The list lives in the shared cache next to the
versions, so reading it costs no query; were it lost (a flushed cache), a scheduled article would
show up at most ``PAGE_CACHE_SECONDS`` late.
"""

import hashlib
import os
import pickle
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.http import HttpResponse

from .cache import UNAVAILABLE, SharedSlots, WatchedKeys, _warn

GENERATION_KEY = "pages:generation"
VERSION_PREFIX = "pages:v:"
SCHEDULE_KEY = "pages:schedule"
SCHEDULE_LENGTH = 1000  # the nearest publication times kept

T = TypeVar("T")

EVERYTHING = "all"  # on every page: retired by writes whose reach is not known
SITE = "site"  # the site-wide lists and every page not told apart below


def _fresh() -> int:
    return time.time_ns() // 1000


def current_generation() -> int:
    if isinstance(caches["default"], RedisCache):  # this process's watched copy, else one GET
        generation = read_versions([GENERATION_KEY]).get(GENERATION_KEY)
        if generation is not None:
            return generation
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _fresh(), timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return int(generation)


def retire(tags: Iterable[str]) -> None:
    """Move the generation and the versions of ``tags`` on: every stored page that shows any of
    them is retired. In one round trip with Redis."""
    keys = [GENERATION_KEY, *(VERSION_PREFIX + tag for tag in sorted(set(tags)))]
    # The generation first: a page whose render overlapped this write is then either not
    # stored (it sees the generation moved) or stored under versions this write moves after.
    backend = caches["default"]
    slots = _slots()
    if isinstance(backend, RedisCache):
        names = [backend.make_and_validate_key(key) for key in keys]
        try:
            pipe = backend._cache.get_client(names[0], write=True).pipeline(transaction=False)
            fresh = _fresh()
            for name in names:
                pipe.set(name, fresh, nx=True)  # a lost version starts from the clock
                pipe.incr(name)
            pipe.execute()
        except UNAVAILABLE as exc:
            _warn(exc)
        finally:  # at once for this process; for the others Redis tells their watching thread
            _watched(backend).forget(names)
        return
    for key in keys if slots is None else keys[:1]:
        try:
            backend.incr(key)
        except ValueError:  # not set yet (or evicted): start from the clock
            backend.set(key, _fresh(), timeout=None)
    if slots is not None:
        slots.incr_many(keys[1:])


def retire_on_commit(tags: Iterable[str]) -> None:
    """Retire now, and inside a transaction once more when it commits.

    Now, so this request (and a test, which never commits) reads fresh pages; on commit, because
    another request may have rendered and stored a page from the old rows while this
    transaction was still open. Inside :func:`retiring_at_commit_once` the commit's share waits
    in that block's one set."""
    tags = set(tags)
    retire(tags)
    if not connection.in_atomic_block:
        return
    waiting = _at_commit.get()
    if waiting is None:
        transaction.on_commit(lambda: retire(tags))
    elif EVERYTHING not in waiting:
        waiting |= tags
        if len(waiting) > AT_COMMIT_TAGS:
            waiting.clear()
            waiting.add(EVERYTHING)


#: How many tags a long write keeps for its commit: past it, the commit retires every page.
AT_COMMIT_TAGS = 5000

_at_commit: ContextVar[set[str] | None] = ContextVar("pagecache_at_commit", default=None)


@contextmanager
def retiring_at_commit_once() -> Iterator[None]:
    """For a long write made of many smaller ones (an import's batches, each followed by its
    :func:`retire_on_commit`): what they retire at commit is merged into one set, handed to the
    transaction once when the block ends. Each write still retires its pages at once.

    Without it, a transaction would hold one set per batch until it commits: a tag per article,
    about 140 bytes a row (56 MB for a file of 400,000 articles). Past :data:`AT_COMMIT_TAGS`
    tags the set becomes ``all``: such a write retires every page when it commits. A batch rolled
    back to its savepoint leaves its tags in the set (retiring a page too many is safe). Use it
    inside the transaction (``with atomic(), retiring_at_commit_once():``); nested, the
    outermost block hands the set over. The set is handed over even when the block raises: a
    caller that catches the error may still commit what was written before it."""
    if _at_commit.get() is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("retiring_at_commit_once() belongs inside a transaction")
    waiting: set[str] = set()
    token = _at_commit.set(waiting)
    try:
        yield
    finally:
        _at_commit.reset(token)
        if waiting and connection.in_atomic_block:
            transaction.on_commit(lambda: retire(waiting))


def invalidate_pages() -> None:
    """Retire every cached page (a restore, a rebuilt index, a write whose reach is unknown)."""
    retire([EVERYTHING])


def invalidate_pages_on_commit() -> None:
    retire_on_commit([EVERYTHING])


_tables: dict[str, SharedSlots] = {}


def _slots() -> SharedSlots | None:
    """The versions' table when the shared cache is a folder of files (see ``SharedSlots``);
    None when they live in the shared cache itself (Redis: one ``MGET``)."""
    backend = caches["default"]
    if not isinstance(backend, FileBasedCache):
        return None
    path = os.path.join(backend._dir, "page-versions")
    table = _tables.get(path)
    if table is None:
        table = _tables.setdefault(path, SharedSlots(path))
    return table


def forget_copies() -> None:
    """Drop this process's copies of pages and their parts (after the shared caches were
    cleared here; the versions' copy goes with the clearing itself, see ``WatchedKeys``)."""
    _local.clear()
    _parts.clear()


def _watched(backend: RedisCache) -> WatchedKeys:
    """This process's copy of the versions and the generation in Redis (``WatchedKeys``): a hit
    reads them without a round trip."""
    return WatchedKeys.of(backend, backend.make_key("pages:"))


def read_versions(keys: list[str], *, create: bool = False) -> dict[str, int]:
    """The current version of each version key (``create``: give the missing ones one)."""
    slots = _slots()
    if slots is not None:
        return slots.get_many(keys)
    backend = caches["default"]
    if isinstance(backend, RedisCache) and not create:  # the hit path: this process's copy, or
        names = [backend.make_key(key) for key in keys]  # one MGET (keys as set)
        watched = _watched(backend)
        values = watched.get_many(names)
        if values is None:
            epoch = watched.epoch
            try:
                values = backend._cache.get_client().mget(names)
            except UNAVAILABLE as exc:
                _warn(exc)
                return {}
            watched.fill(names, values, epoch)
        return {key: int(value) for key, value in zip(keys, values, strict=True) if value}
    found = cache.get_many(keys)
    if create and len(found) < len(keys):
        for key in set(keys) - found.keys():
            cache.add(key, _fresh(), timeout=None)
        found = cache.get_many(keys)
    return found


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


# --- what a page shows, noted while it renders ---------------------------------------------------


@dataclass
class Shown:
    """What one page read while it rendered: its tags, and facts the tags are made from (the
    category of each article read, the id of each category slug read, …)."""

    tags: set[str] = field(default_factory=set)
    facts: dict = field(default_factory=dict)


_shown: ContextVar[Shown | None] = ContextVar("pagecache_shown", default=None)


@contextmanager
def recording() -> Iterator[Shown]:
    """Note what is read inside the block (see :func:`noting`)."""
    shown = Shown()
    token = _shown.set(shown)
    try:
        yield shown
    finally:
        _shown.reset(token)


def noting() -> Shown | None:
    """The page being rendered for storing, if any: readers of rows add to it."""
    return _shown.get()


def kept(name: str, compute: Callable[[], T], seconds: int) -> T:
    """``compute()``'s answer, kept in the page store under the current generation (any write
    retires it) for ``seconds`` at most, never past the next publication (:func:`keep_seconds`).

    For parts of pages derived from published rows (a category's pinned articles, an article's
    neighbours, the navigation, a list's cards, counts). What the part read as it was computed
    is kept with it and noted again on the page that uses it: rows that come out of a cache are
    not read, so without that a stored page would not know it shows them.

    This process keeps a copy of the parts it used lately (``PAGE_CACHE_LOCAL_PARTS``), pickled
    as the store keeps them (each use gets objects of its own): with the generation read from
    this process's watched copy (Redis), a part used again costs no round trip."""
    key = f"pages.{current_generation()}.{name}"
    entry = _part_copy(key)
    if entry is None:
        entry = caches["pages"].get(key)
        if entry is None or len(entry) != 4 or time.time() >= entry[3]:
            with recording() as shown:
                value = compute()
            timeout = keep_seconds(seconds)
            entry = (value, shown.tags, shown.facts, time.time() + timeout)
            caches["pages"].set(key, entry, timeout)
        _keep_part(key, entry)
    value, tags, facts, _ = entry
    page = noting()
    if page is not None:
        page.tags |= tags
        page.facts.update(facts)
    return value


#: Parts this process used lately: key -> (expires, the entry pickled).
_parts: dict[str, tuple[float, bytes]] = {}


def _part_copy(key: str):
    copy = _parts.get(key)
    if copy is None or time.time() >= copy[0]:
        return None
    return pickle.loads(copy[1])


def _keep_part(key: str, entry) -> None:
    copy = (entry[3], pickle.dumps(entry, pickle.HIGHEST_PROTOCOL))
    keep_at_most(_parts, settings.PAGE_CACHE_LOCAL_PARTS, key, copy)


def keep_at_most(copies: dict, room: int, key: str, value) -> None:
    """Keep ``value`` in one of this process's ``copies``, the oldest going beyond ``room``."""
    while len(copies) >= room > 0:
        try:
            del copies[next(iter(copies))]  # the oldest
        except (KeyError, StopIteration, RuntimeError):
            break
    if room > 0:
        copies[key] = value


# --- where a page is stored ----------------------------------------------------------------------

#: The query parameters public pages and the API read (category filters, search, paging, the
#: API's filters and formats): one place, checked against the filter sets, the search form and the
#: API's paginator by the tests. Others change nothing on the page.
QUERY_PARAMETERS = frozenset(
    {"page", "tag", "source", "published_after", "published_before", "ordering"}
    | {"q", "category", "from", "to"}
    | {"page_size", "format", "region", "period", "period_from", "period_to"}
)
GZIP_RE = re.compile(r"\bgzip\b")
#: The request headers a stored page may vary on: the key has whether GZip would compress and the
#: ``Origin``, and only requests without a session or message cookie are served or stored at
#: all; the language comes from the path. A page varying on more (the API on ``Accept``) is
#: stored under a key with their values too, named by an entry under the plain key.
VARIES = "varies"  # an entry that names the further headers a page varies on
KEYED_HEADERS = frozenset({"accept-encoding", "origin", "cookie", "accept-language", ""})


def _language(path: str) -> str:
    """The language of a path: its prefix (``/zh-hant/``), else the default (i18n_patterns with
    ``prefix_default_language=False``); the site never reads ``Accept-Language``."""
    for code, _ in settings.LANGUAGES:
        if path.startswith(f"/{code}/"):
            return code
    return settings.LANGUAGE_CODE


#: Entries this process read or stored lately (at most ``PAGE_CACHE_LOCAL_ENTRIES``), each
#: answered only after the same check against the shared versions as one read from the store:
#: a hit then costs one read of versions and no copy of the page through the store.
_local: dict[str, tuple] = {}


class PageLookup:
    """Where one request's page is stored, and what it is stored as.

    The key is made of the language (from the path), whether the reader accepts gzip, the
    scheme, the ``Origin`` of a cross-origin request, the path and the known query parameters
    in a fixed order: one read finds the page. GET and HEAD share the entry. The entry is the
    page's tags with the versions they had when it was rendered, when it expires, and the
    response as plain values (status, headers, body bytes), so a hit unpickles no response
    object. A hit reads the entry (from this process's recent ones, else from the store) and
    its tags' versions in one ``get_many``."""

    def __init__(self, request):
        self.request = request
        query = request.META.get("QUERY_STRING")
        known = (
            sorted((k, v) for k, v in request.GET.lists() if k in QUERY_PARAMETERS) if query else []
        )
        self.storable = not query or len(known) == len(request.GET)
        meta = request.META
        encoding = "gzip" if GZIP_RE.search(meta.get("HTTP_ACCEPT_ENCODING", "")) else "-"
        scheme = "https" if request.is_secure() else "http"  # HSTS only over HTTPS
        origin = meta.get("HTTP_ORIGIN", "")  # CORS headers answer it
        url = request.path + ("?" + urlencode(known, doseq=True) if known else "")
        words = f"{scheme} {origin} {url}".encode("utf-8", "surrogateescape")
        digest = hashlib.sha256(words).hexdigest()[:32]
        self.key = f"pages.{_language(request.path_info)}.{encoding}.{digest}"

    @property
    def store(self):
        return caches["pages"]

    def get(self) -> HttpResponse | None:
        entry = self._read(self.key)
        if entry is not None and entry[0] == VARIES:  # the page varies on more headers
            entry = self._read(self._varied(entry[2]))
        if entry is None:
            return None
        _, _, status, headers, body = entry
        return HttpResponse(body, status=status, headers=headers)

    def _read(self, key: str):
        """The entry under ``key`` if it is current: this process's copy, else the store's."""
        entry = _local.get(key)
        if entry is not None and _current(entry):
            return entry
        entry = self.store.get(key)
        if entry is not None and _current(entry):
            self._keep(key, entry)
            return entry
        return None

    def _varied(self, headers) -> str:
        """The key of a page that varies on more request headers than the key has."""
        values = "\n".join(f"{name}={self.request.headers.get(name, '')}" for name in headers)
        digest = hashlib.sha256(values.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        return f"{self.key}.{digest}"

    @staticmethod
    def _keep(key: str, entry) -> None:
        keep_at_most(_local, settings.PAGE_CACHE_LOCAL_ENTRIES, key, entry)

    def set(self, response, timeout: int, tags: Iterable[str], generation: int) -> bool:
        """Store the page under the versions its tags have now, unless a write moved the
        generation on since ``generation`` (read before it rendered): then it may show rows
        older than that write, and is not stored. Answers whether it was stored."""
        keys = [VERSION_PREFIX + tag for tag in sorted(set(tags))]
        recorded = read_versions(keys, create=True)
        if cache.get(GENERATION_KEY) != generation or len(recorded) < len(keys):
            return False
        expires = time.time() + timeout
        key = self.key
        vary = {header.strip().lower() for header in response.get("Vary", "").split(",")}
        if more := tuple(sorted(vary - KEYED_HEADERS)):  # the API's Accept: a second read
            self.store.set(key, (VARIES, expires, more), timeout)
            self._keep(key, (VARIES, expires, more))
            key = self._varied(more)
        headers = dict(response.items())
        entry = (recorded, expires, response.status_code, headers, response.content)
        self.store.set(key, entry, timeout)
        self._keep(key, entry)
        return True


def _current(entry) -> bool:
    """Whether an entry may be served: not expired, and every tag of a page at the version
    recorded with it (none retired, none lost)."""
    if time.time() >= entry[1]:
        return False
    if entry[0] == VARIES:
        return True
    recorded = entry[0]
    return read_versions(list(recorded)) == recorded
