"""Writes the demo content: categories, the seed articles and indicators, generated articles.

Everything is keyed so that loading again adds nothing: categories by slug, articles by
``source_url``, tags by name, indicators by slug, observations by (indicator, period, region).
Nothing is ever deleted, so a smaller ``--articles`` after a bigger one keeps what is there.

Generated articles go in with ``bulk_create`` in batches, one transaction each; ``bulk_create``
skips ``Article.save()``, so bodies are sanitised here, and the search index and page cache are
told afterwards, as the importer does.
"""

import importlib
import operator
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce

from django.db import connection, reset_queries, transaction
from django.db.models import Q

from articles.models import FAQ, Article, Category, Tag
from articles.sanitize import sanitize_html
from articles.search import index_articles
from articles.slugs import pinyin_slug
from indicators.models import Indicator, Observation

from . import demo_phrases, demo_seeds
from .demo import URL_TEMPLATE, generate_articles
from .pagecache import invalidate_pages

BATCH_SIZE = 2000
INDEX_BATCH_SIZE = 5000


@dataclass
class LoadResult:
    categories: int = 0
    seed_articles: int = 0
    indicators: int = 0
    observations: int = 0
    generated_created: int = 0
    generated_existing: int = 0


def load_demo(
    articles: int, *, seed: int = 0, progress: Callable[[int, int], None] | None = None
) -> LoadResult:
    result = LoadResult()
    categories = ensure_categories()
    result.categories = len(categories)
    with transaction.atomic():
        seed_000, seed_003 = load_seed_articles(categories)
        result.seed_articles = 2
        result.indicators, result.observations = load_seed_indicators(seed_000)
    created_ids, result.generated_existing = load_generated_articles(
        articles, categories, seed=seed, progress=progress
    )
    result.generated_created = len(created_ids)
    for start in range(0, len(created_ids), INDEX_BATCH_SIZE):
        index_articles(created_ids[start : start + INDEX_BATCH_SIZE])
    index_articles([seed_000.pk, seed_003.pk])
    invalidate_pages()
    return result


def ensure_categories() -> dict[str, Category]:
    """The 13 source categories (the data migration's list), by slug; existing ones untouched."""
    migration = importlib.import_module("articles.migrations.0002_categories")
    for order, (name, slug) in enumerate(migration.CATEGORIES, start=1):
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order * 10})
    return {category.slug: category for category in Category.objects.all()}


def ensure_tags(names: Iterable[str]) -> dict[str, int]:
    """Tag ids by name, creating the missing tags in one go with unique pinyin slugs."""
    names = list(dict.fromkeys(names))
    ids = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
    missing = [name for name in names if name not in ids]
    if missing:
        bases = {name: pinyin_slug(name, max_length=74) for name in missing}
        clash = reduce(operator.or_, (Q(slug__startswith=base) for base in set(bases.values())))
        taken = set(Tag.objects.filter(clash).values_list("slug", flat=True))
        tags = []
        for name, base in bases.items():
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            taken.add(slug)
            tags.append(Tag(name=name, slug=slug))
        Tag.objects.bulk_create(tags)
        ids.update(Tag.objects.filter(name__in=missing).values_list("name", "id"))
    return ids


def tag_ids(names: Iterable[str], cache: dict[str, int]) -> list[int]:
    """Ids of the named tags; ``cache`` (name → id) is filled as tags are found or created."""
    names = list(names)
    unknown = [name for name in names if name not in cache]
    if unknown:
        cache.update(ensure_tags(unknown))
    return [cache[name] for name in names]


def load_seed_articles(categories: dict[str, Category]) -> tuple[Article, Article]:
    articles = []
    tag_cache: dict[str, int] = {}
    for seed in (demo_seeds.seed_000(), demo_seeds.seed_003()):
        fields = {
            "title": seed.title,
            "category": categories[seed.category],
            "status": Article.Status.PUBLISHED,
            "published_at": seed.published_at,
            "source": seed.source,
            "summary": seed.summary,
            "keywords": seed.keywords,
            "body": seed.body,
            "is_headline": seed.is_headline,
            "is_featured": seed.is_featured,
            "is_pinned": seed.is_pinned,
        }
        article, _ = Article.objects.update_or_create(
            source_url=seed.source_url,
            defaults=fields,
            create_defaults={**fields, "view_count": seed.view_count},
        )
        article.tags.set(tag_ids(seed.tags, tag_cache))
        if [(f.question, f.answer) for f in article.faqs.all()] != seed.faqs:
            article.faqs.all().delete()
            FAQ.objects.bulk_create(
                FAQ(article=article, question=q, answer=a, sort_order=n)
                for n, (q, a) in enumerate(seed.faqs, start=1)
            )
        articles.append(article)
    seed_000, seed_003 = articles
    seed_000.related.add(seed_003)
    seed_003.related.add(seed_000)
    return seed_000, seed_003


def load_seed_indicators(source_article: Article) -> tuple[int, int]:
    observations = 0
    indicators = demo_seeds.seed_indicators()
    for order, seed in enumerate(indicators, start=1):
        indicator, _ = Indicator.objects.update_or_create(
            slug=seed.slug,
            defaults={
                "name": seed.name,
                "unit": seed.unit,
                "description": seed.description,
                "source": demo_seeds.INDICATOR_SOURCE,
                "decimals": 0,
                "is_key": seed.is_key,
                "sort_order": order * 10,
            },
        )
        indicator.articles.add(source_article)
        Observation.objects.update_or_create(
            indicator=indicator,
            period=demo_seeds.OBSERVATION_PERIOD,
            region="全国",
            defaults={"value": seed.value, "note": seed.note, "source_article": source_article},
        )
        for period, value in seed.history.items():
            Observation.objects.update_or_create(
                indicator=indicator,
                period=period,
                region="全国",
                defaults={"value": value, "note": demo_seeds.SAMPLE_NOTE, "source_article": None},
            )
        observations += 1 + len(seed.history)
    return len(indicators), observations


def view_count_for(source_url: str) -> int:
    """A plausible, long-tailed click count that depends only on the article's URL."""
    share = zlib.crc32(source_url.encode()) / 0xFFFFFFFF
    return 20 + int(12000 * share**4)


def load_generated_articles(
    n: int,
    categories: dict[str, Category],
    *,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[int], int]:
    """Insert the first ``n`` generated articles not already present; (new ids, present count)."""
    if _all_present(n):  # a repeated run: nothing to generate
        return [], n
    category_ids = {slug: category.pk for slug, category in categories.items()}
    tag_cache = ensure_tags(demo_phrases.TAGS)
    created: list[int] = []
    existing = 0
    batch: list[dict] = []
    for number, row in enumerate(generate_articles(n, seed=seed), start=1):
        batch.append(row)
        if len(batch) == BATCH_SIZE or number == n:
            existing += _insert_batch(batch, category_ids, tag_cache, created)
            batch = []
            reset_queries()  # with DEBUG on, Django keeps every (multi-megabyte) INSERT
            if progress:
                progress(number, n)
    return created, existing


def _all_present(n: int) -> bool:
    for start in range(1, n + 1, BATCH_SIZE):
        urls = [URL_TEMPLATE.format(i) for i in range(start, min(start + BATCH_SIZE, n + 1))]
        if _with_source_urls(urls).count() < len(urls):
            return False
    return True


def _with_source_urls(urls: list[str]):
    # The unique index on source_url is partial (WHERE NOT source_url = ''): SQLite uses it only
    # when the query repeats that condition, else every lookup scans the whole table.
    return Article.objects.filter(source_url__in=urls).exclude(source_url="").order_by()


def _insert_batch(rows, category_ids, tag_cache, created: list[int]) -> int:
    urls = [row["source_url"] for row in rows]
    present = set(Article.objects.filter(source_url__in=urls).values_list("source_url", flat=True))
    rows = [row for row in rows if row["source_url"] not in present]
    if not rows:
        return len(present)
    articles = [
        Article(
            title=row["title"],
            category_id=category_ids[row["category"]],
            status=row["status"],
            published_at=row["published_at"],
            source=row["source"],
            source_url=row["source_url"],
            author=row["author"],
            summary=row["summary"],
            keywords=row["keywords"],
            body=sanitize_html(row["body"]),
            view_count=view_count_for(row["source_url"]),
        )
        for row in rows
    ]
    through = Article.tags.through._meta
    insert_links = (
        f"INSERT INTO {connection.ops.quote_name(through.db_table)} "
        f"({connection.ops.quote_name('article_id')}, {connection.ops.quote_name('tag_id')}) "
        "VALUES (%s, %s)"
    )
    with transaction.atomic():
        Article.objects.bulk_create(articles)
        links = [
            (article.pk, tag_id)
            for article, row in zip(articles, rows, strict=True)
            for tag_id in tag_ids(row["tags"], tag_cache)
        ]
        # Tens of thousands of two-column rows: executemany, not a model instance per link.
        with connection.cursor() as cursor:
            cursor.executemany(insert_links, links)
    created.extend(article.pk for article in articles)
    return len(present)
