"""How the article changelist scales: its pages against the admin index, in one process.

    .venv/bin/python bench/admin_changelist.py --articles 20000 [--rounds 7]

Without DATABASE_URL a throwaway SQLite file is used (deleted afterwards); with it, the named
database must be empty and migrated (e.g. ``manage.py migrate``) — articles are added and
removed again. Prints the median time of each page and its ratio to the baseline (the admin
index page: same session, permission and template overhead, no article query), measured
interleaved in the same run.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitech_portal.settings")
_tmp_db = None
if not os.environ.get("DATABASE_URL"):
    _tmp_db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp_db}"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Article, Category  # noqa: E402
from hitech_portal.demo import generate_articles  # noqa: E402

PAGES = {
    "baseline /admin/": "/admin/",
    "changelist page 1": "/admin/articles/article/",
    "changelist page 200": "/admin/articles/article/?p=200",
    "filter 已发布 + 栏目": "/admin/articles/article/?state=live&category__id__exact={category}",
    "drill-down year": "/admin/articles/article/?published_at__year=2024",
    "search 高新区": "/admin/articles/article/?q=高新区",
    "most viewed first": "/admin/articles/article/?o=-6",
}


def load(n: int) -> None:
    categories = {c.slug: c for c in Category.objects.all()}
    batch = []
    for i, row in enumerate(generate_articles(n)):
        draft = i % 50 == 0
        batch.append(
            Article(
                title=row["title"],
                category=categories.get(row["category"]) or next(iter(categories.values())),
                status=Article.Status.DRAFT if draft else Article.Status.PUBLISHED,
                published_at=None if draft else row["published_at"],
                source=row["source"],
                source_url=row["source_url"],
                author=row["author"],
                summary=row["summary"],
                keywords=row["keywords"],
                body=row["body"],
            )
        )
        if len(batch) == 1000:
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL times")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if Article.objects.exists():
        sys.exit("the database already holds articles; use an empty one")
    started = time.perf_counter()
    load(args.articles)
    print(
        f"{connection.vendor}: {args.articles} articles loaded in "
        f"{time.perf_counter() - started:.0f} s"
    )

    user = get_user_model().objects.create_superuser("bench-admin", password=None)
    client = Client()
    client.force_login(user)
    category = Category.objects.order_by("id").values_list("pk", flat=True)[2]
    urls = {name: url.format(category=category) for name, url in PAGES.items()}
    timings = {name: [] for name in urls}
    queries = {}
    try:
        for name, url in urls.items():  # warm-up; also checks every page answers
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            queries[name] = len(captured)
            if args.show_queries:
                print(f"-- {name}")
                for query in captured:
                    print(f"   {float(query['time']) * 1000:8.1f} ms  {query['sql'][:150]}")
        for _ in range(args.rounds):
            for name, url in urls.items():
                reset_queries()
                start = time.perf_counter()
                client.get(url)
                timings[name].append(time.perf_counter() - start)
        baseline = statistics.median(timings["baseline /admin/"])
        print(f"{'page':<24}{'median ms':>10}{'× baseline':>12}{'queries':>9}")
        for name in urls:
            median = statistics.median(timings[name])
            print(f"{name:<24}{median * 1000:>10.1f}{median / baseline:>12.1f}{queries[name]:>9}")
    finally:
        Article.objects.all().delete()
        user.delete()
        if _tmp_db:
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{_tmp_db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
