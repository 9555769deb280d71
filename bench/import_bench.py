"""Import speed and memory: the project's engine against django-import-export's default import.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--baseline-rows 10000] [--keep]

Generates CSV files of Chinese articles (about 6 KB of HTML body, 2–4 tags each) into a temporary
directory, then measures, each in a fresh subprocess on a fresh SQLite database (peak RSS from
``resource.getrusage`` of that subprocess):

1. django-import-export's default per-row ``import_data`` of ``--baseline-rows`` rows (category
   by slug, tags by name, default identity ``id``; its tags are created up front because its
   ``ManyToManyWidget`` silently drops unknown names);
2. the engine importing ``--rows`` rows (tags created, bodies sanitised, search index called);
3. the engine re-importing the same file (expected: ``unchanged=`` every row).

Ratios are against the baseline measured in the same run: the machine is shared.
"""

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = [
    "institute-news", "policy", "zone-news", "regional-economy", "development-zone-news",
    "innovation", "emerging-industries", "insights", "belt-and-road", "smart-city-cases",
    "industry-planning", "park-planning", "smart-city-news",
]  # fmt: skip
WORDS = (
    "国家高新区 科技创新 产业集群 园区 专精特新 独角兽 研发投入 成果转化 数字经济 人工智能 "
    "集成电路 生物医药 新能源 新材料 高端装备 营商环境 招商引资 孵化器 众创空间 知识产权 "
    "人才引进 绿色低碳 智慧城市 一带一路 开放合作 双碳 数据要素 算力 低空经济 未来产业"
).split()
HEADER = "title,category,published_at,status,source,source_url,author,summary,keywords,tags,body"


def generate_rows(n: int, seed: int = 0):
    """Deterministic article rows in the import's English columns (strings, CSV-ready)."""
    rng = random.Random(seed)
    start = datetime(2015, 1, 1, 8, 0)
    for i in range(n):
        words = rng.sample(WORDS, 6)
        title = f"{words[0]}{words[1]}：{words[2]}助力{words[3]}发展（第{i + 1}期）"
        paragraphs = []
        for p in range(18):
            sentence = "，".join(rng.sample(WORDS, 8))
            paragraphs.append(
                f"<p>{sentence}。{words[p % 6]}持续推进，<strong>{words[(p + 1) % 6]}</strong>"
                f"成效显著，全年增长{rng.randint(3, 40)}.{rng.randint(0, 9)}%。</p>"
            )
            if p % 6 == 5:
                paragraphs.append(f"<h2>{words[p % 6]}的新进展</h2>")
        published = start + timedelta(minutes=37 * i)
        yield [
            title,
            CATEGORIES[i % len(CATEGORIES)],
            published.strftime("%Y-%m-%d %H:%M:%S"),
            "published",
            "高新院",
            f"https://www.achie.org/bench/{i + 1}.html",
            "编辑部",
            f"{words[0]}与{words[1]}的最新进展。",
            "、".join(words[:3]),
            ",".join(rng.sample(WORDS, rng.randint(2, 4))),
            "".join(paragraphs),
        ]


def write_csv(path: Path, n: int, *, with_id: bool = False) -> None:
    """``with_id`` adds an empty ``id`` column: django-import-export's default identity, so its
    per-row instance lookup is an indexed ``id IS NULL`` rather than a scan."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id"] * with_id + HEADER.split(","))
        for row in generate_rows(n):
            writer.writerow([""] * with_id + row)


# --- measurements, each run in its own subprocess ----------------------------------------------


def child(mode: str, csv_path: str) -> dict:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitech_portal.settings")
    django.setup()
    from articles.models import Article

    if mode == "baseline":
        rows, summary, seconds = baseline_import(csv_path)
    else:
        from articles.importing import COLUMNS, import_articles
        from hitech_portal.tabular import open_table

        started = time.perf_counter()
        with open(csv_path, "rb") as binary:
            report = import_articles(open_table(binary, COLUMNS, name=csv_path))
        seconds = time.perf_counter() - started
        rows = report.created + report.updated + report.unchanged + report.failed
        summary = report.summary()
    tags = Article.tags.through.objects.count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "mode": mode,
        "rows": rows,
        "seconds": seconds,
        "summary": summary,
        "peak_mb": peak_mb,
        "tag_links": tags,
    }


def baseline_import(csv_path: str):
    import tablib
    from import_export import fields, resources, widgets

    from articles.models import Article, Category, Tag

    class BaselineResource(resources.ModelResource):
        category = fields.Field("category", "category", widgets.ForeignKeyWidget(Category, "slug"))
        tags = fields.Field("tags", "tags", widgets.ManyToManyWidget(Tag, ",", "name"))

        class Meta:
            model = Article
            fields = ["id", *HEADER.split(",")]

    text = Path(csv_path).read_text(encoding="utf-8")
    names = set()
    for line in tablib.Dataset().load(text, format="csv").dict:
        names.update(line["tags"].split(","))
    for name in sorted(names):
        Tag.objects.get_or_create(name=name)
    started = time.perf_counter()
    dataset = tablib.Dataset().load(text, format="csv")
    result = BaselineResource().import_data(dataset, dry_run=False)
    seconds = time.perf_counter() - started
    totals = result.totals
    summary = f"new={totals['new']} update={totals['update']} errors={len(result.row_errors())}"
    return len(dataset), summary, seconds


def run_child(mode: str, csv_path: Path, db_path: Path) -> dict:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db_path}")
    env.pop("REDIS_URL", None)
    if not db_path.exists():  # migrate apart: its imports would count in the measured peak
        manage = [sys.executable, "manage.py", "migrate", "--verbosity=0"]
        subprocess.run(manage, env=env, check=True, cwd=ROOT)
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--csv", str(csv_path)],
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
        f"{result['rows_per_s']:8.0f} rows/s  peak {result['peak_mb']:5.0f} MB  "
        f"tag links {result['tag_links']:>7}  {result['summary']}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.csv)))
        return

    tmp = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        print(f"generating CSV files in {tmp} …", flush=True)
        small, big = tmp / "baseline.csv", tmp / "articles.csv"
        write_csv(small, args.baseline_rows, with_id=True)
        write_csv(big, args.rows)
        print(
            f"{args.baseline_rows} rows: {small.stat().st_size / 2**20:.0f} MB; "
            f"{args.rows} rows: {big.stat().st_size / 2**20:.0f} MB (SQLite)",
            flush=True,
        )
        base = run_child("baseline", small, tmp / "baseline.sqlite3")
        first = run_child("engine", big, tmp / "engine.sqlite3")
        again = run_child("engine re-import", big, tmp / "engine.sqlite3")
        ratio = first["rows_per_s"] / base["rows_per_s"]
        print(
            f"engine / django-import-export default: {ratio:.1f}×  (target ≥ 8×)\n"
            f"re-import / first import: {again['rows_per_s'] / first['rows_per_s']:.1f}×"
            f"  (target ≥ 2×)\n"
            f"engine peak memory: {max(first['peak_mb'], again['peak_mb']):.0f} MB"
            f"  (target < 300 MB); baseline: {base['peak_mb']:.0f} MB at {base['rows']} rows"
        )
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
