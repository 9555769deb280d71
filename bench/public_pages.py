"""Time the public pages on a large table, as ratios to a page that touches no database.

    DATABASE_URL=postgres://…/portal_bench .venv/bin/python bench/public_pages.py --articles 100000

Fills the configured database (migrating it first) up to ``--articles`` published articles, all
in one category so its page 2,000 exists, then requests each page in process through Django's
test client, interleaving the pages round by round, and prints the median time of each and its
ratio to ``/robots.txt`` measured in the same rounds. Also prints the SQL query count per page.
Never run it against a database you care about: it adds rows.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitech_portal.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Category, Tag  # noqa: E402

BODY = "<p>" + "国家高新区坚持发展高科技、实现产业化，加快形成新质生产力。" * 40 + "</p>"
TAG_NAMES = ["人工智能", "新质生产力", "专精特新", "数字经济", "产业园区", "一带一路"]


def fill(total: int) -> Category:
    call_command("migrate", verbosity=0)
    category = Category.objects.order_by("sort_order", "id").first()
    have = Article.objects.count()
    if have >= total:
        return category
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAG_NAMES]
    through = Article.tags.through
    start = timezone.now() - timedelta(days=1)
    batch = 2000
    for offset in range(have, total, batch):
        rows = [
            Article(
                title=f"高新区产业观察第{n}期：园区创新与产业集群",
                category=category,
                status=Article.Status.PUBLISHED,
                published_at=start - timedelta(minutes=n),
                source="高新院",
                summary="国家高新区贡献了全国两成以上的工业增加值。",
                keywords="高新区,新质生产力",
                body=BODY,
                view_count=n % 997,
            )
            for n in range(offset, min(offset + batch, total))
        ]
        created = Article.objects.bulk_create(rows)
        through.objects.bulk_create(
            through(article_id=a.pk, tag_id=tags[(a.pk + k) % len(tags)].pk)
            for a in created
            for k in range(2)
        )
        print(f"filled {offset + len(rows)}/{total}", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return category


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    category = fill(args.articles)
    count = category.articles.published().count()
    last = (count + 19) // 20
    middle = min(2000, last)
    article = category.articles.published().order_by("-published_at", "-id")[count // 2]
    tag = Tag.objects.get(name=TAG_NAMES[0])
    pages = {
        "baseline /robots.txt": "/robots.txt",
        "home": "/",
        "category p1": category.get_absolute_url(),
        f"category p{middle}": f"{category.get_absolute_url()}?page={middle}",
        f"category last p{last}": f"{category.get_absolute_url()}?page={last}",
        "category most read p50": f"{category.get_absolute_url()}?ordering=-view_count&page=50",
        "category tag filter p1": f"{category.get_absolute_url()}?tag={tag.slug}",
        "article": article.get_absolute_url(),
        "tag p1": tag.get_absolute_url(),
        "feed latest": "/feeds/latest.xml",
    }
    client = Client()
    timings = {name: [] for name in pages}
    queries = {}
    for name, path in pages.items():  # warm up, check, count queries
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        assert status == 200, (name, status)
        queries[name] = len(captured.captured_queries)
    for _ in range(args.rounds):
        for name, path in pages.items():
            began = time.perf_counter()
            client.get(path)
            timings[name].append(time.perf_counter() - began)
    base = statistics.median(timings["baseline /robots.txt"])
    print(f"{connection.vendor}, {count} public articles in one category, {args.rounds} rounds")
    print(f"{'page':28} {'median ms':>10} {'× baseline':>11} {'queries':>8}")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:28} {median * 1000:10.1f} {median / base:11.1f} {queries[name]:8}")


if __name__ == "__main__":
    main()
