"""Import speed and memory: the project's engine against django-import-export's default import.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--baseline-rows 10000] [--keep]
        [--encoding gb18030] [--postgres URL] [--engine-only]

Generates CSV files of ``hitech_portal.demo`` articles with bodies of real news length (median
≈ 2,200 characters of text, as the seed articles; see :data:`BODY_MEDIAN`) and 2–4 tags each into a
temporary directory, then measures, each in a fresh subprocess on a fresh SQLite database (peak
RSS of that subprocess, ``VmHWM``; beside it, sampled, the peaks of its own memory and of its
mapped files: ``bench/rss.py``):

1. django-import-export's default per-row ``import_data`` of ``--baseline-rows`` rows (category
   by slug, tags by name, default identity ``id``; its tags are created up front because its
   ``ManyToManyWidget`` silently drops unknown names);
2. the engine importing ``--rows`` rows (tags created, bodies sanitised, search index called, a
   revision per article and the import's record written);
3. the engine re-importing the same file (expected: ``unchanged=`` every row);
4. with ``--undo``, undoing the first import as the admin's job does (its plan, then the undo).

For the issue's comparison run both on the same articles: ``--rows 10000 --baseline-rows 10000``.
``--engine-only`` skips the baseline (for the memory curve: ``--rows 100000``, ``400000``).

``--postgres postgres://postgres@127.0.0.1:5432/x`` measures on fresh PostgreSQL databases instead.
``--encoding gb18030`` writes the files as a spreadsheet saved on a Chinese Windows would be: the
engine detects it, the baseline is told it.

Ratios are against the baseline measured in the same run: the machine is shared.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from rss import PeakSampler, peak_rss_mb  # noqa: E402  (bench/, beside this script)

HEADER = "title,category,published_at,status,source,source_url,author,summary,keywords,tags,body"


#: Body lengths in characters of text, drawn from a log-normal curve around the seed articles:
#: median 2,200 (the two source pages carry 2,500 and 3,200 characters of text, a plain news item
#: less), a tenth under 1,400 and a tenth over 3,500, none under 600.
BODY_MEDIAN, BODY_SIGMA, BODY_MIN, BODY_MAX = 2200, 0.36, 600, 12000


def real_length_articles(n: int, *, seed: int = 0):
    """``hitech_portal.demo`` articles whose bodies have the length of real news: each body is
    topped up with paragraphs of a second generated stream until it reaches its drawn length."""
    import math
    import random
    import re

    from hitech_portal.demo import generate_articles

    rng = random.Random(seed + 17)
    filler = (
        paragraph
        for article in generate_articles(10**9, seed=seed + 1)
        for paragraph in re.findall(r"<p>.*?</p>", article["body"])
    )
    tag = re.compile(r"<[^>]*>")
    for article in generate_articles(n, seed=seed):
        target = rng.lognormvariate(math.log(BODY_MEDIAN), BODY_SIGMA)
        target = max(BODY_MIN, min(BODY_MAX, int(target)))
        parts = [article["body"]]
        length = len(tag.sub("", article["body"]))
        while length < target:
            paragraph = next(filler)
            parts.insert(-1, paragraph)  # before the closing paragraph
            length += len(tag.sub("", paragraph))
        yield {**article, "body": "\n".join(parts)}


def write_csv(path: Path, n: int, *, baseline: bool = False, encoding: str = "utf-8") -> None:
    """Real-length articles as an editor's CSV (Chinese headers) or, for the baseline, with
    English headers and an empty ``id`` column: django-import-export's default identity, so its
    per-row instance lookup is an indexed ``id IS NULL`` rather than a table scan. Both files
    hold the same articles."""
    import csv

    from hitech_portal.demo import COLUMNS, as_row
    from hitech_portal.demo.generator import CHINESE_HEADERS

    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        if baseline:
            writer.writerow(["id", *COLUMNS])
        else:
            writer.writerow([CHINESE_HEADERS[c] for c in COLUMNS])
        for article in real_length_articles(n):
            row = as_row(article)
            writer.writerow([""] * baseline + [row[c] for c in COLUMNS])


# --- measurements, each run in its own subprocess ----------------------------------------------


def child(mode: str, csv_path: str, encoding: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitech_portal.settings")
    django.setup()
    from articles.models import Article

    sampler = PeakSampler()

    if mode == "baseline":
        rows, summary, seconds = baseline_import(csv_path, encoding)
    elif mode == "undo":
        rows, summary, seconds = undo_first_import()
    else:
        from articles.importing import ArticleImporter
        from hitech_portal.imports.engine import run_import

        started = time.perf_counter()
        with open(csv_path, "rb") as binary:
            # As manage.py import_articles does: recorded, with a revision per written article.
            report = run_import(ArticleImporter, binary, name=csv_path, via="命令")
        seconds = time.perf_counter() - started
        rows = report.created + report.updated + report.unchanged + report.failed
        summary = report.summary()
    peaks = sampler.stop()
    tags = Article.tags.through.objects.count()
    peak_mb = peak_rss_mb()
    return {
        "mode": mode,
        "rows": rows,
        "seconds": seconds,
        "summary": summary,
        "peak_mb": peak_mb,
        "anon_peak_mb": peaks["RssAnon"],
        "file_peak_mb": peaks["RssFile"],
        "tag_links": tags,
    }


def undo_first_import():
    """Undo the engine's first import as the admin's job does (its plan first, as its page)."""
    from django.contrib.auth import get_user_model

    from articles.undo import plan_undo, undo
    from hitech_portal.models import ImportRecord

    record = ImportRecord.objects.filter(created__gt=0).earliest("pk")
    chief = get_user_model().objects.create_superuser("bench-chief", "", "bench-only-password")
    started = time.perf_counter()
    plan = plan_undo(record)
    planned = time.perf_counter() - started
    plan = undo(record, chief)
    rows = plan.restore + plan.remove
    summary = f"removed={plan.remove} restored={plan.restore} plan={planned:.1f}s"
    return rows, summary, time.perf_counter() - started


def baseline_import(csv_path: str, encoding: str):
    import tablib
    from import_export import fields, resources, widgets

    from articles.models import Article, Category, Tag

    class BaselineResource(resources.ModelResource):
        category = fields.Field("category", "category", widgets.ForeignKeyWidget(Category, "slug"))
        tags = fields.Field("tags", "tags", widgets.ManyToManyWidget(Tag, "、", "name"))

        class Meta:
            model = Article
            fields = ["id", *HEADER.split(",")]

    text = Path(csv_path).read_text(encoding=encoding)
    names = set()
    for line in tablib.Dataset().load(text, format="csv").dict:
        names.update(line["tags"].split("、"))
    for name in sorted(names):
        Tag.objects.get_or_create(name=name)
    started = time.perf_counter()
    dataset = tablib.Dataset().load(text, format="csv")
    result = BaselineResource().import_data(dataset, dry_run=False)
    seconds = time.perf_counter() - started
    totals = result.totals
    summary = f"new={totals['new']} update={totals['update']} errors={len(result.row_errors())}"
    return len(dataset), summary, seconds


def fresh_database(postgres: str | None, tmp: Path, name: str) -> str:
    """A new, empty database URL: a SQLite file in ``tmp``, or a PostgreSQL database ``name``
    (dropped and created again) on the server of the ``--postgres`` URL."""
    if not postgres:
        return f"sqlite:///{tmp / name}.sqlite3"
    import psycopg

    base, _, _ = postgres.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def run_child(
    mode: str, csv_path: Path, database_url: str, encoding: str, *, migrate: bool = True
) -> dict:
    # As in production: DEBUG off (with it on, Django keeps every statement of the baseline).
    env = dict(os.environ, DATABASE_URL=database_url, DEBUG="False")
    env.setdefault("SECRET_KEY", "import-bench-only")
    env.pop("REDIS_URL", None)
    if migrate:  # apart: migrate's imports would count in the measured peak
        manage = [sys.executable, "manage.py", "migrate", "--verbosity=0"]
        subprocess.run(manage, env=env, check=True, cwd=ROOT)
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--csv", str(csv_path), "--encoding", encoding],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if out.returncode != 0:
        sys.exit(f"{mode} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["rows_per_s"] = result["rows"] / result["seconds"]
    print(
        f"{mode:<22} {result['rows']:>7} rows {result['seconds']:8.1f} s "
        f"{result['rows_per_s']:8.0f} rows/s  peak {result['peak_mb']:5.0f} MB "
        f"(own {result['anon_peak_mb']:.0f}, files {result['file_peak_mb']:.0f})  "
        f"tag links {result['tag_links']:>7}  {result['summary']}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="measure on PostgreSQL instead of SQLite: a server URL such as "
        "postgres://postgres@127.0.0.1:5432/x (databases x_base and x_engine are made there)",
    )
    parser.add_argument("--encoding", default="utf-8", help="of the CSV files (gb18030, …)")
    parser.add_argument("--engine-only", action="store_true", help="no baseline, no ratio")
    parser.add_argument("--undo", action="store_true", help="then undo the first import")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.csv, args.encoding)))
        return

    tmp = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        print(f"generating CSV files in {tmp} …", flush=True)
        small, big = tmp / "baseline.csv", tmp / "articles.csv"
        if not args.engine_only:
            write_csv(small, args.baseline_rows, baseline=True, encoding=args.encoding)
        write_csv(big, args.rows, encoding=args.encoding)
        print(
            f"{args.rows} rows: {big.stat().st_size / 2**20:.0f} MB; "
            f"{args.encoding}; {'PostgreSQL' if args.postgres else 'SQLite'}",
            flush=True,
        )
        base = None
        prefix = (args.postgres or "/portal_import_bench").rpartition("/")[2]
        if not args.engine_only:
            base_db = fresh_database(args.postgres, tmp, f"{prefix}_base")
            base = run_child("baseline", small, base_db, args.encoding)
        engine_db = fresh_database(args.postgres, tmp, f"{prefix}_engine")
        first = run_child("engine", big, engine_db, args.encoding)
        again = run_child("engine re-import", big, engine_db, args.encoding, migrate=False)
        if args.undo:
            run_child("undo", big, engine_db, args.encoding, migrate=False)
        peak = max(first["peak_mb"], again["peak_mb"])
        own = max(first["anon_peak_mb"], again["anon_peak_mb"])
        print(
            f"re-import / first import: {again['rows_per_s'] / first['rows_per_s']:.1f}×"
            f"  (target ≥ 2×)\n"
            f"engine peak memory: {peak:.0f} MB at {args.rows} rows, {own:.0f} MB of it the "
            f"process's own  (target < 150 MB at 100,000, flat as the file grows)"
        )
        if base:
            ratio = first["rows_per_s"] / base["rows_per_s"]
            print(
                f"engine / django-import-export default: {ratio:.1f}×  (target ≥ 8×); "
                f"baseline peak memory: {base['peak_mb']:.0f} MB at {base['rows']} rows"
            )
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
