"""What the traditional view costs: the same uncached page in simplified and in traditional.

    .venv/bin/python bench/hant_overhead.py [--requests 200] [--articles 2000]

Runs Django's test client over the whole middleware stack with the page cache off, on a SQLite
database of its own under bench/out/ (or DATABASE_URL) filled once with ``load_demo``. For the
home page and one article page it times N simplified and N traditional requests, interleaved
(A B B A …) so both see the same machine, and reports medians, the ratio traditional/simplified,
the median extra time of a traditional request over its simplified neighbour, and the conversion
alone (``convert_html`` on the simplified page). A cached page costs no conversion at all
(tests/test_pagecache.py).
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page and script")
    parser.add_argument("--articles", type=int, default=2000, help="demo articles to load")
    args = parser.parse_args()

    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'out' / 'hant.sqlite3'}")
    os.environ["PAGE_CACHE_SECONDS"] = "0"  # every request renders (and converts) afresh
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitech_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from articles.models import Article
    from hitech_portal.traditional import convert_html

    setup_test_environment()  # testserver host, as the test client expects
    call_command("migrate", verbosity=0)
    if Article.objects.count() < args.articles:
        call_command("load_demo", articles=args.articles, stdout=io.StringIO())
    article = Article.objects.published().order_by("id").first()
    client = Client()
    pages = {"home": "/", "article": article.get_absolute_url()}

    def timed(path: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        return elapsed, response.content

    print(
        f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"{Article.objects.count():,} articles, profile {settings.OPENCC_PROFILE}, "
        f"{args.requests} requests per page and script, interleaved; medians"
    )
    print(
        f"{'page':<8} {'KB':>6} {'简体 ms':>8} {'繁體 ms':>8} {'ratio':>6} {'extra ms':>9} "
        f"{'convert ms':>11}"
    )
    for name, path in pages.items():
        for _ in range(5):  # warm up templates, connections, the converter
            timed(path), timed("/zh-hant" + path)
        simplified, traditional = [], []
        for i in range(args.requests):
            pair = [(simplified, path), (traditional, "/zh-hant" + path)]
            for bucket, url in pair if i % 2 == 0 else pair[::-1]:
                bucket.append(timed(url)[0])
        original = timed(path)[1].decode()
        conversions = []
        for _ in range(args.requests):
            started = time.perf_counter()
            convert_html(original)
            conversions.append(time.perf_counter() - started)
        s, t = statistics.median(simplified), statistics.median(traditional)
        extra = statistics.median(b - a for a, b in zip(simplified, traditional, strict=True))
        print(
            f"{name:<8} {len(original.encode()) / 1024:>6.1f} {s * 1000:>8.2f} {t * 1000:>8.2f} "
            f"{t / s:>6.2f} {extra * 1000:>9.2f} {statistics.median(conversions) * 1000:>11.2f}"
        )


if __name__ == "__main__":
    main()
