"""What the index holds for an article, read from the database in batches.

Only published articles (scheduled ones included) are indexed. Each entry carries a *key* that
orders by publication time: ``seconds since 2000 × 2**30 + id``. Newest-first is then the order
of the key, "visible now" is ``key <= key_at(now)`` and a date filter is a key range, so a
scheduled article turns up in results the second it is due, with no re-index. An entry also
carries its 下线时间 (``expires``, epoch seconds, or none), so an article leaves the results the
second it expires, with no re-index either.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.utils import timezone

from ..models import Article
from .text import html_to_text, normalise

ID_BITS = 30
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MAX_SECONDS = 2**32 - 1  # keys stay within a signed 64-bit integer
BATCH = 250  # documents in memory at once (real articles: ~20 KB of token text each)


def key_at(moment: datetime, article_id: int = 2**ID_BITS - 1) -> int:
    """The key of an article published at ``moment`` (default: the largest key of that second)."""
    seconds = int((moment - EPOCH).total_seconds() // 1)
    seconds = max(-MAX_SECONDS, min(MAX_SECONDS, seconds))
    return (seconds << ID_BITS) + article_id


def article_id_of(key: int) -> int:
    return key & (2**ID_BITS - 1)


def key_range(date_from: date | None = None, date_to: date | None = None) -> tuple[int | None, int]:
    """Keys of articles visible now and published within the (local, inclusive) dates."""
    high = key_at(timezone.now())
    low = None
    tz = timezone.get_current_timezone()
    if date_to is not None:
        end = datetime.combine(date_to, time.max).replace(tzinfo=tz)
        high = min(high, key_at(end))
    if date_from is not None:
        low = key_at(datetime.combine(date_from, time.min).replace(tzinfo=tz), 0)
    return low, high


@dataclass(frozen=True)
class Document:
    article_id: int
    key: int
    published_at: datetime
    expires_at: datetime | None
    category_id: int
    title: str
    tags: str
    summary: str
    body: str

    @property
    def expires(self) -> int | None:
        return int(self.expires_at.timestamp()) if self.expires_at else None

    @property
    def fields(self) -> tuple[str, str, str, str]:
        return (self.title, self.tags, self.summary, self.body)


def batches(ids: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    batch: list[int] = []
    for article_id in ids:
        batch.append(int(article_id))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_documents(ids: list[int]) -> list[Document]:
    """Documents for the published articles among ``ids``: two queries for the whole batch."""
    rows = (
        Article.objects.filter(pk__in=ids, status=Article.Status.PUBLISHED)
        .exclude(published_at=None)
        .values_list("id", "published_at", "expires_at", "category_id", "title", "summary", "body")
    )
    rows = list(rows)
    tags: dict[int, list[str]] = {}
    links = Article.tags.through.objects.filter(article_id__in=[row[0] for row in rows])
    for article_id, name in links.values_list("article_id", "tag__name"):
        tags.setdefault(article_id, []).append(name)
    return [
        Document(
            article_id=article_id,
            key=key_at(published_at, article_id),
            published_at=published_at,
            expires_at=expires_at,
            category_id=category_id,
            title=normalise(title),
            tags=normalise("\n".join(tags.get(article_id, []))),
            summary=normalise(summary),
            body=normalise(html_to_text(body)),
        )
        for article_id, published_at, expires_at, category_id, title, summary, body in rows
    ]
