"""How cost grows with the number of articles, on PostgreSQL: pages, search and the import.

    .venv/bin/python bench/growth.py --postgres postgres://postgres@127.0.0.1:5432/portal_growth
        [--sizes 10000,100000,400000] [--rounds 20] [--batch 2000]

Drops and creates that database, then grows it size by size. All articles come from one stream of
real-length articles (the generator of ``bench/import_bench.py``), each imported once, by the
engine as ``import_articles`` does (sanitising, tags, a revision each, the search index current
when it returns). At each size: the articles missing to reach it are imported in one file (that
step's rate is printed as "growth"), then a file of ``--batch`` more articles is imported into the
database of that size: **the import rate** at that size, a fixed amount of work whatever the
size. Then, in this process through Django's test client (``DEBUG`` off, static files collected,
the page cache off: ``PAGE_CACHE_SECONDS=0``), rounds interleave ``/robots.txt`` (the baseline: no
database), an article (a different one each round), a category's page 1 and page 2,000 (the
biggest category's; its last page while it has fewer), and the first page of search results for a
fixed set of queries (single words of 2–6 characters common and rare, phrases drawn from the
text, two-term queries). Reported per size: median and p95 in ms, and the ratio of each median to
the baseline's; at the end, each figure's growth from size to size. The target: search first
page p95 at 400,000 ≤ 2× its p95 at 100,000.
"""

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

WORDS = ["园区", "高新区", "产业", "集群", "研发", "人才", "新质生产力", "专精特新", "数字经济"]
RARE = ["低空经济", "氢能", "量子", "碳足迹", "独角兽企业"]
PAIRS = ["园区 集群", "人才 政策", "高新区 数字经济", "专精特新 研发"]


def fresh_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def import_rows(articles, count: int, tmp: Path) -> tuple[float, str]:
    """Import the next ``count`` articles of the stream as one file; returns rows/s, summary."""
    import csv
    from itertools import islice

    from articles.importing import ArticleImporter
    from hitech_portal.demo import COLUMNS, as_row
    from hitech_portal.demo.generator import CHINESE_HEADERS
    from hitech_portal.imports.engine import run_import

    path = tmp / "articles.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([CHINESE_HEADERS[c] for c in COLUMNS])
        for article in islice(articles, count):
            row = as_row(article)
            writer.writerow([row[c] for c in COLUMNS])
    started = time.perf_counter()
    with open(path, "rb") as binary:
        report = run_import(ArticleImporter, binary, name=path.name, via="命令")
    seconds = time.perf_counter() - started
    path.unlink()
    return count / seconds, report.summary()


def corpus_phrases(count: int) -> list[str]:
    """Phrases of 4–6 characters from article bodies (found at every size: the first articles)."""
    from articles.models import Article
    from articles.search.text import html_to_text

    rng = random.Random(7)
    runs = []
    for body in Article.objects.order_by("id").values_list("body", flat=True)[:2000]:
        runs += re.findall(r"[\u4e00-\u9fff]{6,}", html_to_text(body))
    phrases = []
    while len(phrases) < count:
        run = rng.choice(runs)
        length = rng.choice([4, 5, 6])
        start = rng.randrange(len(run) - length + 1)
        phrases.append(run[start : start + length])
    return phrases


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def measure(rounds: int, queries: list[str]) -> dict[str, list[float]]:
    from django.db.models import Count
    from django.test import Client

    from articles.models import Article, Category

    category = Category.objects.annotate(n=Count("articles")).order_by("-n").first()  # the biggest
    last = (category.articles.published().count() + 19) // 20
    deep = min(2000, last)
    ids = list(Article.objects.published().values_list("id", flat=True).order_by("?")[:rounds])
    client = Client()
    pages = {
        "baseline /robots.txt": lambda _: "/robots.txt",
        "article (uncached)": lambda i: f"/articles/{ids[i % len(ids)]}/",
        "category page 1": lambda _: category.get_absolute_url(),
        "category page 2000": lambda _: f"{category.get_absolute_url()}?page={deep}",
    }
    timings: dict[str, list[float]] = {name: [] for name in [*pages, "search first page"]}

    def get(path: str) -> float:
        began = time.perf_counter()
        response = client.get(path)
        took = time.perf_counter() - began
        assert response.status_code == 200, (path, response.status_code)
        return took

    for path in ["/robots.txt", pages["category page 1"](0), f"/search/?q={queries[0]}"]:
        get(path)  # warm up
    for round_ in range(rounds):
        for name, path in pages.items():
            timings[name].append(get(path(round_)))
        for query in queries[round_ % 3 :: 3]:  # each query every third round
            timings["search first page"].append(get(f"/search/?q={query}"))
    timings["deep page"] = [float(deep)]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, metavar="URL", help="a throw-away database")
    parser.add_argument("--sizes", default="10000,100000,400000")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--batch", type=int, default=2000, help="rows of the timed import")
    args = parser.parse_args()
    fresh_database(args.postgres)
    tmp = Path(tempfile.mkdtemp(prefix="growth-"))
    os.environ.update(
        STATIC_ROOT=str(tmp / "static"),
        DATABASE_URL=args.postgres,
        DEBUG="False",
        PAGE_CACHE_SECONDS="0",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="False",
    )
    os.environ.setdefault("SECRET_KEY", "growth-benchmark-only")
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hitech_portal.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # served as in production
    sizes = [int(size) for size in args.sizes.split(",")]
    results = {}
    have, queries = 0, []
    from import_bench import real_length_articles

    articles = real_length_articles(10**9)
    for size in sizes:
        grown, summary = import_rows(articles, size - have, tmp)
        print(f"\ngrowth to {size} articles: {grown:.0f} rows/s ({summary})", flush=True)
        rate, summary = import_rows(articles, args.batch, tmp)
        have = size + args.batch
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if not queries:
            queries = [*WORDS, *RARE, *PAIRS, *corpus_phrases(12)]
        timings = measure(args.rounds, queries)
        deep = int(timings.pop("deep page")[0])
        results[size] = (rate, timings)
        base = statistics.median(timings["baseline /robots.txt"])
        note = "" if deep == 2000 else f" (the category has {deep} pages: its last is timed)"
        print(f"{size} articles: import of {args.batch} more {rate:.0f} rows/s ({summary}){note}")
        print(f"{'':24} {'p50 ms':>8} {'p95 ms':>8} {'p50 × baseline':>15}")
        for name, values in timings.items():
            median = statistics.median(values)
            print(f"{name:24} {median * 1000:8.1f} {p95(values) * 1000:8.1f} {median / base:15.1f}")
        sys.stdout.flush()
    print("\ngrowth (each figure against the previous size)")
    for before, after in zip(sizes, sizes[1:], strict=False):
        rate_b, t_b = results[before]
        rate_a, t_a = results[after]
        parts = [f"import rate {rate_a / rate_b:.2f}×"]
        for name in t_a:
            if name.startswith("baseline"):
                continue
            parts.append(f"{name} p95 {p95(t_a[name]) / p95(t_b[name]):.2f}×")
        print(f"{before} → {after}: " + "; ".join(parts))
    if 100_000 in results and 400_000 in results:
        ratio = p95(results[400_000][1]["search first page"]) / p95(
            results[100_000][1]["search first page"]
        )
        print(f"search first page p95, 400k / 100k: {ratio:.2f}× (target ≤ 2×)")


if __name__ == "__main__":
    main()
