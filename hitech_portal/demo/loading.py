"""Writes the demo content: categories, the seed articles and indicators, generated articles.

Articles go through the import engine (:func:`hitech_portal.imports.engine.run_import`), as a
spreadsheet would: sanitised bodies, tags in bulk, the search index per batch, the page cache
invalidated, identity by ``source_url``. So loading again adds nothing (an edited demo article
is put back as generated), and nothing is ever deleted: a smaller ``--articles`` after a bigger
one keeps what is there. What the engine does not know (flags, FAQ entries, related articles,
click counts) is written here. Categories are keyed by slug, indicators by slug, observations by
(indicator, period, region).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from articles import public_changes
from articles.categories import ensure_categories
from articles.importing import ArticleImporter
from articles.models import FAQ, Article
from hitech_portal.imports.engine import run_import
from hitech_portal.imports.report import ImportReport
from hitech_portal.imports.tables import Table
from indicators.models import DEFAULT_REGION, Indicator, IndicatorAlias, Observation

from . import seeds as demo_seeds
from .generator import URL_TEMPLATE, generate_articles

CHECK_BATCH_SIZE = 2000
SEED_COLUMNS = (
    "title", "category", "published_at", "source", "source_url", "summary", "keywords", "tags",
    "body",
)  # fmt: skip
DEMO_URL_PREFIX = URL_TEMPLATE.split("{}")[0]


class DemoLoadError(Exception):
    """The engine refused demo rows (for instance a demo URL already used by another article)."""


@dataclass
class LoadResult:
    categories: int = 0
    seed_articles: int = 0
    indicators: int = 0
    observations: int = 0
    generated_created: int = 0
    generated_updated: int = 0
    generated_existing: int = 0  # already there, unchanged or put back as generated


def load_demo(
    articles: int, *, seed: int = 0, progress: Callable[[int, int], None] | None = None
) -> LoadResult:
    result = LoadResult()
    categories = ensure_categories()
    result.categories = len(categories)
    with transaction.atomic(), public_changes.collected():
        seed_000, _ = load_seed_articles()
        result.seed_articles = 2
        result.indicators, result.observations = load_seed_indicators(seed_000)
    if _all_present(articles):  # a repeated run: nothing to generate
        result.generated_existing = articles
        return result
    with transaction.atomic():  # the click counts commit with the articles they count
        report = _checked(
            run_import(
                ArticleImporter,
                Table.from_dicts(generate_articles(articles, seed=seed)),
                progress=(lambda table: progress(table.position(), articles)) if progress else None,
            )
        )
        set_view_counts()
        public_changes.pages_changed()
    result.generated_created = report.created
    result.generated_updated = report.updated
    result.generated_existing = report.updated + report.unchanged
    return result


def load_seed_articles() -> tuple[Article, Article]:
    seeds = (demo_seeds.seed_000(), demo_seeds.seed_003())
    rows = [
        {**{name: getattr(seed, name) for name in SEED_COLUMNS}, "status": "published"}
        for seed in seeds
    ]
    _checked(run_import(ArticleImporter, Table.from_dicts(rows)))
    articles = []
    for seed in seeds:
        article = Article.objects.get(source_url=seed.source_url)
        flags = {
            "is_headline": seed.is_headline,
            "is_featured": seed.is_featured,
            "is_pinned": seed.is_pinned,
        }
        if not article.view_count:  # a new article: later clicks are the readers'
            flags["view_count"] = seed.view_count
        if any(getattr(article, name) != value for name, value in flags.items()):
            Article.objects.filter(pk=article.pk).update(**flags, version=F("version") + 1)
            public_changes.pages_changed()
        if [(f.question, f.answer) for f in article.faqs.all()] != seed.faqs:
            article.faqs.all().delete()
            FAQ.objects.bulk_create(
                FAQ(article=article, question=q, answer=a, sort_order=n)
                for n, (q, a) in enumerate(seed.faqs, start=1)
            )
            public_changes.pages_changed()
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
        for alias in seed.aliases:
            IndicatorAlias.objects.get_or_create(indicator=indicator, name=alias)
        Observation.objects.update_or_create(
            indicator=indicator,
            period=demo_seeds.OBSERVATION_PERIOD,
            region=DEFAULT_REGION,
            defaults={"value": seed.value, "note": seed.note, "source_article": source_article},
        )
        for period, value in seed.history.items():
            Observation.objects.update_or_create(
                indicator=indicator,
                period=period,
                region=DEFAULT_REGION,
                defaults={"value": value, "note": demo_seeds.SAMPLE_NOTE, "source_article": None},
            )
        observations += 1 + len(seed.history)
    return len(indicators), observations


def set_view_counts() -> int:
    """Plausible, long-tailed click counts (20 to 12,020) for generated articles still at 0.

    One UPDATE; the count depends only on the row's id. ``x`` runs over 0…11,999 as the id
    grows (7,919 is prime to 12,000), and 12,000 · (x / 12,000)⁴ gives few popular articles and
    many quiet ones; every intermediate stays below 2³¹.
    """
    x = (F("id") * 7919) % 12000
    tail = x * x / 12000 * x / 12000 * x / 12000
    generated = Article.objects.filter(source_url__startswith=DEMO_URL_PREFIX, view_count=0)
    return generated.update(view_count=tail + 20)


def _checked(report: ImportReport) -> ImportReport:
    if not report.ok:
        errors = "；".join(str(error) for error in report.errors[:5])
        raise DemoLoadError(f"演示文章未能导入（{report.summary()}）：{errors}")
    return report


def _all_present(n: int) -> bool:
    """Whether the first ``n`` generated articles are all there (a count per 2,000 URLs)."""
    for start in range(1, n + 1, CHECK_BATCH_SIZE):
        urls = [URL_TEMPLATE.format(i) for i in range(start, min(start + CHECK_BATCH_SIZE, n + 1))]
        # The unique index on source_url is partial (WHERE NOT source_url = ''): SQLite uses it
        # only when the query repeats that condition, else every lookup scans the whole table.
        present = Article.objects.filter(source_url__in=urls).exclude(source_url="").order_by()
        if present.count() < len(urls):
            return False
    return True
