"""Chinese full-text search over published articles, on SQLite (FTS5) and PostgreSQL (GIN).

Write paths call :func:`index_articles` / :func:`remove_articles` with the ids they touched
(``Article.save``/``delete`` one at a time, the importer and the admin's bulk actions in bulk);
``manage.py rebuild_search_index`` rebuilds everything. :func:`search` answers the public page.

Recall is exact: an article is found when its title, summary, body text or tags contain every
term as written (after normalisation, see :mod:`.text`), on both databases alike.

Ranking: articles whose *title* holds every term come first, then the rest; within each tier the
newest first. For news, recency is what readers expect of a tie, and it is an order the index
can produce without scoring every hit, so a word found in 50,000 articles costs no more than a
rare one. The total is counted up to :data:`COUNT_CAP` ("1000+"); pages go no further.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from . import postgres, sqlite
from .documents import article_id_of, batches, key_range, load_documents
from .snippets import Hit, make_hits
from .text import parse_query

COUNT_CAP = 1000


def _backend():
    return postgres if connection.vendor == "postgresql" else sqlite


def index_articles(article_ids: Iterable[int]) -> None:
    """(Re)index the given articles, in batches; drafts and missing ids are just removed."""
    backend = _backend()
    for batch in batches(article_ids):
        docs = load_documents(batch)
        backend.remove(batch)
        backend.insert(docs)


def remove_articles(article_ids: Iterable[int]) -> None:
    """Drop the given articles from the index."""
    backend = _backend()
    for batch in batches(article_ids):
        backend.remove(batch)


def rebuild_index(progress=None) -> int:
    """Empty the index and index every published article again; returns how many."""
    from articles.models import Article

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


@dataclass
class SearchPage:
    query: str
    terms: list[str]
    hits: list[Hit]
    number: int
    per_page: int
    total: int  # counted up to COUNT_CAP
    capped: bool  # there are more than COUNT_CAP
    title_total: int = 0
    pages: list[int] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def total_display(self) -> str:
        return f"{COUNT_CAP}+" if self.capped else str(self.total)


def search(
    query: str,
    *,
    category_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchPage:
    """One page of visible articles matching every term: title matches first, newest first.

    A page past the end gives the last page. Five queries whatever the words.
    """
    terms = parse_query(query)
    result = SearchPage(query, [t.text for t in terms], [], 1, per_page, 0, False)
    if not terms:
        return result
    backend = _backend()
    low, high = key_range(date_from, date_to)
    options = {"low": low, "high": high, "category_id": category_id}
    total = backend.count(
        terms, cap=COUNT_CAP + 1, title_only=False, exclude_title=False, **options
    )
    result.capped = total > COUNT_CAP
    result.total = min(total, COUNT_CAP)
    result.number = max(1, min(page, result.num_pages))
    if not total:
        return result
    offset = (result.number - 1) * per_page
    title_total = backend.count(
        terms, cap=offset + per_page, title_only=True, exclude_title=False, **options
    )
    keys: list[int] = []
    if offset < title_total:
        keys = backend.keys(
            terms,
            limit=per_page,
            offset=offset,
            known_total=title_total,
            title_only=True,
            exclude_title=False,
            **options,
        )
    if len(keys) < per_page:
        keys += backend.keys(
            terms,
            limit=per_page - len(keys),
            offset=max(0, offset - title_total),
            known_total=None if result.capped else total - title_total,
            title_only=False,
            exclude_title=True,
            **options,
        )
    result.hits = make_hits([article_id_of(key) for key in keys], terms)
    return result
