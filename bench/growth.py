"""How cost grows with the number of articles, on PostgreSQL: pages, search and the import.

    .venv/bin/python bench/growth.py --postgres postgres://postgres@127.0.0.1:5432/portal_growth
        [--sizes 10000,100000,400000] [--rounds 20] [--batch 2000]

Drops and creates that database, then grows it size by size.

**The first size is imported** by the engine as ``import_articles`` does (sanitising, tags, a
revision each, the search index current when it returns), from one stream of real-length
articles (the generator of ``bench/import_bench.py``): real data, made by the code that runs.

**Every later size is reached by cloning in SQL** (:func:`clone_articles`), because the engine
on PostgreSQL indexes some 40–130 articles a second (``to_tsvector`` ~5 ms and the GIN update
~2 ms an article), hours to 400,000. The articles of the first size are the sources, copied
round after round (copy *k* is of source *k* mod *n*, in round *k* div *n* + 1), one
``INSERT … SELECT`` a table, in one transaction:

- the article row with a new id, every column as the source's except: 原文链接 (the one unique
  column besides the id) gets ``#copy-<round>`` appended, and 发布时间 moves back by
  ``round × shift`` whole seconds, the shift chosen so the last round of the largest size
  still ends after 2001-01-01 (the sources span the generator's five years, so rounds overlap:
  each copy is older than its source, and newest-first keeps the sources on top). 下线时间 is
  kept (the generator sets none);
- its tag links (the same tags);
- its search-index rows (``article_search``, see ``articles/search/postgres.py``) with the
  already-computed ``title_vec`` and ``vec`` copied, so no ``to_tsvector`` runs for a copy, and
  the ``key`` made as ``articles/search/documents.py`` makes it: the copy's 发布时间 in whole
  seconds since 2000 shifted left 30 bits, plus the copy's id.

The two GIN indexes are dropped before a copy and made again after it in one pass (as
``postgres.finish()`` does after a rebuild: several times faster than growing them row by row).
Copies get **no revisions** (nor related-article picks or FAQ entries, which the engine does not
make either): none of the pages measured reads them. After each copy it checks the result: the
article, tag-link and index-row counts, a rare word's matches in the index growing with the
copies, and a copy's page answering 200.

**At every size, a file of** ``--batch`` **more articles of the stream is then imported by the
engine** into the database of that size: the import rate at that size, a fixed amount of work
whatever the size. Then ``VACUUM ANALYZE`` (the server here runs no autovacuum; a live one
would have done it, and the category pages rely on index-only scans), and, in this process
through Django's test client (``DEBUG`` off, static files collected, the page cache off:
``PAGE_CACHE_SECONDS=0``), rounds interleave ``/robots.txt`` (the baseline: no database), an
article (a different one each round), a category's page 1 and page 2,000 (the biggest
category's; its last page while it has fewer), and the first page of search results for a fixed
set of queries (single words of 2–6 characters common and rare, phrases drawn from the text,
two-term queries). Reported per size: median and p95 in ms, and the ratio of each median to the
baseline's; at the end, each figure's growth from size to size. The target: search first page
p95 at 400,000 ≤ 2× its p95 at 100,000.
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


EPOCH_2000 = 946_684_800  # 2000-01-01 UTC in Unix seconds: the origin of the search keys
OLDEST_COPY = "2001-01-01 00:00:00+00"  # the last round of copies ends after this
CHECK_WORD = "氢能"  # a rare word whose matches must grow with the copies


def clone_shift(sources: int, largest: int) -> int:
    """Seconds each round of copies moves back (whole seconds: the keys count seconds)."""
    from django.db import connection

    rounds = -(-(largest - sources) // sources)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM min(published_at) - %s::timestamptz) FROM "
            "(SELECT published_at FROM articles_article ORDER BY id LIMIT %s) AS src",
            [OLDEST_COPY, sources],
        )
        span = cursor.fetchone()[0]
    return int(span) // (rounds + 1)


def clone_articles(count: int, *, sources: int, done: int, shift: int) -> dict[str, int]:
    """Add ``count`` copies of the first ``sources`` articles (by id) in SQL: copies number
    ``done`` to ``done + count - 1``, copy *k* of source *k* mod ``sources`` in round
    *k* div ``sources`` + 1, moved back ``round × shift`` seconds. Returns the rows added."""
    from django.db import connection, transaction

    from articles.models import Article
    from articles.search import postgres as index
    from articles.search.documents import ID_BITS

    table = Article._meta.db_table
    links = Article.tags.through._meta.db_table
    changed = {  # every other column is the source's
        "id": "m.dst",
        "source_url": "CASE WHEN a.source_url = '' THEN '' "
        "ELSE a.source_url || '#copy-' || m.round END",
        "published_at": "a.published_at - make_interval(secs => m.round * %(shift)s)",
    }
    added = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s"
            " AND indexdef LIKE 'CREATE UNIQUE%%'"
            " AND indexname NOT IN (%s, 'article_unique_source_url')",
            [table, f"{table}_pkey"],
        )
        unique = [row[0] for row in cursor]
        assert not unique, f"unique indexes the copies do not handle: {unique}"
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        base = cursor.fetchone()[0]
        cursor.execute(
            "CREATE TEMP TABLE clone_src ON COMMIT DROP AS "
            f"SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM "
            f"(SELECT id FROM {table} ORDER BY id LIMIT %s) AS first",
            [sources],
        )
        cursor.execute(
            "CREATE TEMP TABLE clone_map ON COMMIT DROP AS "
            "SELECT s.id AS src, %(base)s + k - %(done)s + 1 AS dst, k / %(n)s + 1 AS round "
            "FROM generate_series(%(done)s::bigint, %(last)s::bigint) AS k "
            "JOIN clone_src AS s ON s.n = k %% %(n)s",
            {"base": base, "done": done, "last": done + count - 1, "n": sources},
        )
        cursor.execute("CREATE INDEX ON clone_map (src)")
        cursor.execute("ANALYZE clone_map")
        values = ", ".join(changed.get(name, f"a.{name}") for name in columns)
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} "
            f"FROM clone_map AS m JOIN {table} AS a ON a.id = m.src",
            {"shift": shift},
        )
        added["articles"] = cursor.rowcount
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",
            [table],
        )
        cursor.execute(
            f"INSERT INTO {links} (article_id, tag_id) SELECT m.dst, t.tag_id "
            f"FROM clone_map AS m JOIN {links} AS t ON t.article_id = m.src"
        )
        added["tag links"] = cursor.rowcount
        cursor.execute(f"DROP INDEX IF EXISTS {index.TABLE}_vec, {index.TABLE}_title_vec")
        cursor.execute(
            f"INSERT INTO {index.TABLE} "
            "(article_id, chunk, key, category_id, expires, title_vec, vec) "
            "SELECT m.dst, s.chunk, "
            "((floor(extract(epoch FROM a.published_at))::bigint - %s) << %s) + m.dst, "
            "s.category_id, s.expires, s.title_vec, s.vec "
            f"FROM clone_map AS m JOIN {index.TABLE} AS s ON s.article_id = m.src "
            f"JOIN {table} AS a ON a.id = m.dst",
            [EPOCH_2000, ID_BITS],
        )
        added["index rows"] = cursor.rowcount
        for statement in index.GIN_INDEXES:
            cursor.execute(statement)
    return added


def check_copies(client) -> str:
    """The copies are found: a rare word's matches in the index, and a copy's page."""
    from django.db import connection

    from articles.models import Article
    from articles.search.postgres import TABLE, tsquery
    from articles.search.text import parse_query

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT article_id) FROM {TABLE} WHERE vec @@ %s::tsquery",
            [tsquery(parse_query(CHECK_WORD))],
        )
        matches = cursor.fetchone()[0]
    copy = Article.objects.filter(source_url__contains="#copy-").order_by("id").last()
    status = client.get(copy.get_absolute_url()).status_code if copy else None
    assert status in (None, 200), (copy.pk, status)
    return f"“{CHECK_WORD}” in {matches} articles; a copy's page ({copy and copy.pk}): {status}"


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


def measure(rounds: int, queries: list[str]) -> tuple[dict[str, list[float]], dict[str, list]]:
    """Timings by page, and the search timings by query (each query's first request also counts
    its matches; the page store keeps the count for the later ones)."""
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
    by_query: dict[str, list[float]] = {query: [] for query in queries}

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
            took = get(f"/search/?q={query}")
            timings["search first page"].append(took)
            by_query[query].append(took)
    timings["deep page"] = [float(deep)]
    return timings, by_query


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
    from django.test import Client

    copies = shift = 0
    for size in sizes:
        began = time.perf_counter()
        if not have:  # the first size: real data, through the engine
            grown, summary = import_rows(articles, size, tmp)
            took = time.perf_counter() - began
            print(f"\n{size} articles imported: {grown:.0f} rows/s, {took:.0f} s ({summary})")
        else:  # copies of the first size's articles, in SQL
            shift = shift or clone_shift(sizes[0], sizes[-1])
            added = clone_articles(size - have, sources=sizes[0], done=copies, shift=shift)
            copies += size - have
            took = time.perf_counter() - began
            rows = ", ".join(f"{n} {what}" for what, n in added.items())
            print(f"\ngrown to {size} articles by copying: {took:.0f} s ({rows})")
        sys.stdout.flush()
        began = time.perf_counter()
        rate, summary = import_rows(articles, args.batch, tmp)
        have = size + args.batch
        imported = time.perf_counter() - began
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        vacuumed = time.perf_counter() - began
        print(f"checked: {check_copies(Client())}; VACUUM ANALYZE {vacuumed:.0f} s", flush=True)
        if not queries:
            queries = [*WORDS, *RARE, *PAIRS, *corpus_phrases(12)]
        began = time.perf_counter()
        timings, by_query = measure(args.rounds, queries)
        measured = time.perf_counter() - began
        deep = int(timings.pop("deep page")[0])
        results[size] = (rate, timings)
        base = statistics.median(timings["baseline /robots.txt"])
        note = "" if deep == 2000 else f" (the category has {deep} pages: its last is timed)"
        print(
            f"{size} articles: import of {args.batch} more {rate:.0f} rows/s, {imported:.0f} s "
            f"({summary}){note}; measured in {measured:.0f} s"
        )
        print(f"{'':24} {'p50 ms':>8} {'p95 ms':>8} {'p50 × baseline':>15}")
        for name, values in timings.items():
            median = statistics.median(values)
            print(f"{name:24} {median * 1000:8.1f} {p95(values) * 1000:8.1f} {median / base:15.1f}")
        slowest = sorted(by_query.items(), key=lambda item: -max(item[1]))[:5]
        print(
            "slowest searches (first request, which counts; p50; max ms): "
            + "; ".join(
                f"{q} {t[0] * 1000:.0f}, {statistics.median(t) * 1000:.0f}, {max(t) * 1000:.0f}"
                for q, t in slowest
            )
        )
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
