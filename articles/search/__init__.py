"""Chinese full-text search over published articles, on SQLite (FTS5) and PostgreSQL (GIN).

Every write reaches :func:`index_articles` with the ids it touched through
:mod:`articles.public_changes` (one article at a time from ``save()``/``delete()``, in bulk from
the importer and the admin's actions); ``manage.py rebuild_search_index`` rebuilds everything.
:func:`search` answers the public page.

Recall is exact: an article is found when its title, summary, body text or tags contain every
term as written (after normalisation, see :mod:`.text`), on both databases alike.

Ranking: articles whose *title* holds every term come first, then the rest; within each tier the
newest first. For news, recency is what readers expect of a tie, and it is an order the index
can produce without scoring every hit, so a word found in 50,000 articles costs no more than a
rare one. The total is counted up to :data:`COUNT_CAP` ("1000+"); pages go no further. The
results are a lazily sliced sequence: Django's ``Paginator`` counts them and asks for one slice,
and only that slice is read.
"""

import hashlib
import time
from collections.abc import Iterable
from datetime import date, datetime
from functools import cached_property

from django.db import connection

from hitech_portal.pagecache import kept

from ..models import Article
from . import postgres, sqlite
from .documents import article_id_of, batches, key_range, load_documents
from .snippets import Hit, make_hits
from .text import parse_query

COUNT_CAP = 1000
COUNT_SECONDS = 300  # how long a count is kept at most (never past the next publication)


def _backend():
    return postgres if connection.vendor == "postgresql" else sqlite


def index_articles(article_ids: Iterable[int]) -> list[datetime]:
    """(Re)index the given articles, in batches; drafts and missing ids are just removed.

    Returns the times at which those now in the index appear or disappear (publication and
    下线时间), for the page cache's schedule."""
    backend = _backend()
    times = []
    for batch in batches(article_ids):
        docs = load_documents(batch)
        backend.remove(batch)
        backend.insert(docs)
        times += [when for doc in docs for when in (doc.published_at, doc.expires_at) if when]
    return times


def clear_index() -> None:
    """Empty the index (its tables are not Django's: a database flush leaves them)."""
    _backend().clear()


def rebuild_index(progress=None) -> int:
    """Empty the index and index every published article again; returns how many."""
    backend = _backend()
    backend.clear()
    ids = (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    for batch in batches(ids.iterator(chunk_size=5000)):
        backend.insert(load_documents(batch))
        done += len(batch)
        if progress:
            progress(done)
    backend.finish()
    return done


class SearchResults:
    """The visible articles matching every term of ``query``: title matches first, newest first.

    A sequence of :class:`~.snippets.Hit` for ``Paginator``: ``count()`` is the total up to
    :data:`COUNT_CAP` (one query), and a slice reads that slice only (at most four queries,
    whatever the words).
    """

    def __init__(
        self,
        query: str,
        *,
        category_id: int | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        kept: bool = False,
    ):
        self.query = query
        self.kept = kept  # counts from the page store (pages that the generation retires)
        self.terms = parse_query(query)
        # What was asked names a kept count; the bounds below follow the clock ("visible now"),
        # which the count's time limit (never past the next publication) already covers.
        self.asked = (category_id, date_from, date_to)
        low, high = key_range(date_from, date_to)
        now = int(time.time())  # entries whose 下线时间 has come are left out
        self.options = {"low": low, "high": high, "now": now, "category_id": category_id}

    @property
    def words(self) -> list[str]:
        return [term.text for term in self.terms]

    @cached_property
    def _found(self) -> int:
        """Matches counted up to one past the cap (so we know whether there are more)."""
        if not self.terms:
            return 0
        return self._count(cap=COUNT_CAP + 1, title_only=False)

    def _count(self, *, cap: int, title_only: bool) -> int:
        """A count of matches (all, or in titles), kept in the page store as the lists' totals
        are (``articles.paging``): under the page generation, so any published change counts
        again, and never past the next publication or withdrawal. Only for a page (``kept``):
        code that writes the index itself and reads at once counts afresh."""
        if not self.kept:
            return _backend().count(
                self.terms, cap=cap, title_only=title_only, exclude_title=False, **self.options
            )
        shape = (self.words, [t.pattern for t in self.terms], [t.prefix for t in self.terms])
        digest = hashlib.sha256(repr((shape, self.asked, cap, title_only)).encode()).hexdigest()
        return kept(
            f"search-count.{digest[:32]}",
            lambda: _backend().count(
                self.terms, cap=cap, title_only=title_only, exclude_title=False, **self.options
            ),
            COUNT_SECONDS,
        )

    def count(self) -> int:
        return min(self._found, COUNT_CAP)

    def __len__(self) -> int:
        return self.count()

    @property
    def capped(self) -> bool:
        """More than :data:`COUNT_CAP` match; pages stop there."""
        return self._found > COUNT_CAP

    @property
    def total_display(self) -> str:
        return f"{COUNT_CAP}+" if self.capped else str(self.count())

    def __getitem__(self, index: slice) -> list[Hit]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("search results are read a page (a slice) at a time")
        offset = index.start or 0
        stop = min(self.count(), COUNT_CAP if index.stop is None else index.stop)
        if stop <= offset:
            return []
        return make_hits([article_id_of(key) for key in self._keys(offset, stop)], self.terms)

    def article_ids(self) -> list[int]:
        """The ids of every match (up to :data:`COUNT_CAP`), ranked, for a caller that filters
        them further (the API): a few queries, no article read."""
        return [article_id_of(key) for key in self._keys(0, self.count())] if self.count() else []

    def _keys(self, offset: int, stop: int) -> list[int]:
        backend, terms, limit = _backend(), self.terms, stop - offset
        title_total = self._count(cap=stop, title_only=True)
        keys: list[int] = []
        if offset < title_total:
            keys = backend.keys(
                terms,
                limit=limit,
                offset=offset,
                known_total=title_total,
                title_only=True,
                exclude_title=False,
                **self.options,
            )
        if len(keys) < limit:
            keys += backend.keys(
                terms,
                limit=limit - len(keys),
                offset=max(0, offset - title_total),
                known_total=None if self.capped else self._found - title_total,
                title_only=False,
                exclude_title=True,
                **self.options,
            )
        return keys


def search(query: str, **filters) -> SearchResults:
    """``SearchResults(query, category_id=…, date_from=…, date_to=…)``: nothing is read yet."""
    return SearchResults(query, **filters)
