"""Search benchmark: index build, first-page latency and exactness over generated articles.

    .venv/bin/python bench/search_bench.py --db sqlite [--articles 100000]
    .venv/bin/python bench/search_bench.py --db postgres [--articles 100000]

Builds the corpus with bulk inserts (no indexing on the way in), times ``rebuild_index()``,
reports the index size, then times ``search()`` for the first page (20 hits, ranked, with
snippets) over a fixed query set drawn from the corpus text: 2-, 3-, 4- and 6-character words and
two-term queries. Recall and precision compare every match the index returns (not just page 1)
with a brute-force substring check on the normalised text of each field. Baselines in the same
run: a ``SELECT 1`` round trip and a ``LIKE '%word%'`` scan over title and body.

PostgreSQL uses the database ``portal_search_bench`` (dropped and recreated); SQLite a temporary
file. The corpus comes from ``hitech_portal.demo.generate_articles``.
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
PG_URL = "postgres://postgres@127.0.0.1:5432/portal_search_bench"


def setup(db: str, reuse: str | None) -> str:
    if db == "sqlite":
        path = Path(reuse) if reuse else Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    elif reuse:
        os.environ["DATABASE_URL"] = reuse
    else:
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", PG_URL)
        import psycopg

        url = os.environ["DATABASE_URL"]
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.pop("REDIS_URL", None)
    # As in production: with DEBUG on, Django keeps every statement (with its parameters).
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "search-benchmark-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hitech_portal.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"]


# --- corpus, queries, truth ------------------------------------------------------------------


def build_corpus(n: int) -> float:
    from django.db import transaction

    from articles.models import Article, Category, Tag
    from hitech_portal.demo import generate_articles as generate

    categories = dict(Category.objects.values_list("slug", "id"))
    tag_ids: dict[str, int] = {}
    Through = Article.tags.through
    started = time.perf_counter()
    batch: list[dict] = []

    def flush():
        new = {name for row in batch for name in row["tags"]} - tag_ids.keys()
        Tag.objects.bulk_create(
            Tag(name=name, slug=f"t{len(tag_ids) + i}") for i, name in enumerate(new)
        )
        tag_ids.update(Tag.objects.filter(name__in=new).values_list("name", "id"))
        created = Article.objects.bulk_create(
            Article(
                title=row["title"][:200],
                category_id=categories[row["category"]],
                status=row["status"],
                published_at=row["published_at"],
                source=row.get("source", ""),
                source_url=row.get("source_url", ""),
                author=row.get("author", ""),
                summary=row.get("summary", ""),
                keywords=row.get("keywords", ""),
                body=row["body"],
            )
            for row in batch
        )
        Through.objects.bulk_create(
            Through(article_id=article.pk, tag_id=tag_ids[name])
            for article, row in zip(created, batch, strict=True)
            for name in set(row["tags"])
        )
        batch.clear()

    with transaction.atomic():
        for row in generate(n):
            batch.append(row)
            if len(batch) == 1000:
                flush()
        if batch:
            flush()
    return time.perf_counter() - started


def pick_queries(per_kind: int) -> dict[str, list[str]]:
    """Substrings of the corpus text, drawn from random published articles (fixed seed)."""
    from articles.models import Article
    from articles.search.text import html_to_text, normalise

    rng = random.Random(2024)
    ids = list(Article.objects.values_list("pk", flat=True))
    sample = Article.objects.in_bulk(rng.sample(ids, per_kind * 6))
    runs_by_article = [
        [r for r in re.findall(r"[\u4e00-\u9fff]+", normalise(html_to_text(a.body))) if len(r) >= 6]
        for a in sample.values()
    ]
    queries: dict[str, list[str]] = {}
    it = iter(runs_by_article * 3)
    for kind in (2, 3, 4, 6):
        chosen: list[str] = []
        while len(chosen) < per_kind:
            runs = next(it)
            run = rng.choice(runs)
            i = rng.randrange(0, len(run) - kind + 1)
            if run[i : i + kind] not in chosen:
                chosen.append(run[i : i + kind])
        queries[f"{kind} chars"] = chosen
    pairs = []
    while len(pairs) < per_kind:
        runs = next(it)
        a, b = rng.sample(runs, 2) if len(runs) > 1 else (runs[0], runs[0][::-1])
        pairs.append(f"{a[: rng.choice((2, 3))]} {b[-rng.choice((2, 4)) :]}")
    queries["two terms"] = pairs
    return queries


def truth(queries: list[str]) -> dict[str, set[int]]:
    """Brute force: every visible article whose normalised fields contain each term."""
    from articles.models import Article
    from articles.search.text import html_to_text, normalise

    parsed = {q: normalise(q).split() for q in queries}
    hits: dict[str, set[int]] = {q: set() for q in queries}
    tags: dict[int, list[str]] = {}
    for article_id, name in Article.tags.through.objects.values_list("article_id", "tag__name"):
        tags.setdefault(article_id, []).append(name)
    rows = Article.objects.published().values_list("pk", "title", "summary", "body")
    for pk, title, summary, body in rows.iterator(chunk_size=2000):
        fields = (
            normalise(title),
            normalise(summary),
            normalise(html_to_text(body)),
            normalise("\n".join(tags.get(pk, []))),
        )
        for q, terms in parsed.items():
            if all(any(t in f for f in fields) for t in terms):
                hits[q].add(pk)
    return hits


def index_matches(query: str) -> set[int]:
    from articles import search
    from articles.search.documents import article_id_of, key_range

    low, high = key_range()
    keys = search._backend().keys(
        search.parse_query(query),
        limit=10**7,
        offset=0,
        low=low,
        high=high,
        now=int(time.time()),
        category_id=None,
        title_only=False,
        exclude_title=False,
    )
    return {article_id_of(k) for k in keys}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--per-kind", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--reuse", metavar="PATH_OR_URL", help="an earlier run's database: skip building the corpus"
    )
    parser.add_argument(
        "--no-rebuild", action="store_true", help="with --reuse: keep the index as it is"
    )
    args = parser.parse_args()

    url = setup(args.db, args.reuse)
    from django.core.paginator import Paginator
    from django.db import connection, transaction

    from articles import search

    print(f"database: {connection.vendor} ({url}); corpus: hitech_portal.demo.generate_articles")
    print(f"load average at start: {os.getloadavg()}")
    from articles.models import Article

    if args.reuse and Article.objects.exists():
        print(f"corpus: reusing {Article.objects.count()} articles")
    else:
        seconds = build_corpus(args.articles)
        print(f"corpus: {args.articles} articles bulk-inserted in {seconds:.1f} s")

    if args.no_rebuild:
        print("index: reused as built by an earlier run")
    else:
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            indexed = search.rebuild_index()
        build, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"index build: {indexed} articles in {build:.1f} s wall, {cpu:.1f} s CPU in this "
            f"process; load average {os.getloadavg()}"
        )
    print(f"index size {search._backend().size_bytes() / 2**20:.0f} MB")

    queries = pick_queries(args.per_kind)
    flat = [q for qs in queries.values() for q in qs]
    started = time.perf_counter()
    expected = truth(flat)
    print(f"brute-force truth for {len(flat)} queries: {time.perf_counter() - started:.1f} s")

    # Baselines, same run.
    with connection.cursor() as cursor:
        t = []
        for _ in range(200):
            s = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            t.append(time.perf_counter() - s)
        select1 = statistics.median(t) * 1000
        like = []
        for q in queries["2 chars"][:3]:
            s = time.perf_counter()
            cursor.execute(
                "SELECT count(*) FROM articles_article WHERE title LIKE %s OR body LIKE %s",
                [f"%{q}%", f"%{q}%"],
            )
            cursor.fetchone()
            like.append(time.perf_counter() - s)
        like_ms = statistics.median(like) * 1000
    print(
        f"baseline: SELECT 1 median {select1:.3f} ms; "
        f"LIKE scan (title+body) median {like_ms:.0f} ms"
    )

    rows = []
    all_times = []
    all_cpus: list[float] = []
    short: list[tuple] = []  # first pages with fewer hits than the truth allows
    misses: list[tuple] = []
    for kind, qs in queries.items():
        times, cpus, tp, fp, fn, matched = [], [], 0, 0, 0, []
        for q in qs:
            got = index_matches(q)
            want = expected[q]
            tp += len(got & want)
            fp += len(got - want)
            fn += len(want - got)
            if got != want:
                misses.append((q, sorted(want - got)[:5], sorted(got - want)[:5]))
            matched.append(len(want))
        for _ in range(args.rounds):
            for q in qs:
                s, c = time.perf_counter(), time.process_time()
                # As the page does: the capped total, then the first 20 with snippets.
                hits = list(Paginator(search.search(q), 20).get_page(1))
                times.append(time.perf_counter() - s)
                cpus.append(time.process_time() - c)
                if len(hits) != min(20, len(expected[q])):
                    short.append((q, len(hits), len(expected[q])))
        all_times += times
        rows.append(
            (
                kind,
                len(qs),
                int(statistics.median(matched)),
                max(matched),
                tp / (tp + fn) if tp + fn else 1.0,
                tp / (tp + fp) if tp + fp else 1.0,
                pct(times, 0.5) * 1000,
                pct(times, 0.95) * 1000,
                pct(cpus, 0.5) * 1000,
                pct(cpus, 0.95) * 1000,
            )
        )
        all_cpus += cpus
    print()
    print(f"| {connection.vendor} | queries | median hits | max hits | recall | precision "
          "| p50 ms | p95 ms | CPU p50 ms | CPU p95 ms |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind, n, med, mx, rec, prec, p50, p95, c50, c95 in rows:
        print(
            f"| {kind} | {n} | {med} | {mx} | {rec:.3f} | {prec:.3f} "
            f"| {p50:.1f} | {p95:.1f} | {c50:.1f} | {c95:.1f} |"
        )
    p50, p95 = pct(all_times, 0.5) * 1000, pct(all_times, 0.95) * 1000
    c50, c95 = pct(all_cpus, 0.5) * 1000, pct(all_cpus, 0.95) * 1000
    print(f"| all | {len(flat)} | | | | | {p50:.1f} | {p95:.1f} | {c50:.1f} | {c95:.1f} |")
    print("(CPU: this process only; on PostgreSQL the server's share is not in it)")
    print(
        f"\nfirst page p50 = {p50 / like_ms:.4f}× the LIKE scan, {p50 / select1:.0f}× SELECT 1; "
        f"load average at end: {os.getloadavg()}"
    )
    print("first pages short of hits:", short or "none")
    print("queries whose matches differ from the truth (missed ids, extra ids):", misses or "none")
    print("queries:", queries)


if __name__ == "__main__":
    main()
