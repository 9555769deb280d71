"""What the traditional view costs: the same uncached page in simplified and in traditional.

    .venv/bin/python bench/hant_overhead.py [--requests 200] [--articles 2000]

Runs Django's test client over the whole middleware stack with the page cache off, on a SQLite
database of its own under bench/out/ (or DATABASE_URL) filled once with ``load_demo``. For the
home page and one article page it times N simplified and N traditional requests, interleaved
(A B B A …) so both see the same machine, and reports per page: medians of wall-clock time and of
CPU time (the thread's own; on a shared machine it leaves out the time other processes held the
cores), the ratios traditional/simplified, the median extra CPU time of a traditional request over
its simplified neighbour, and the conversion alone (``convert_html`` on the simplified page, CPU
time). A cached page costs no conversion at all (tests/test_pagecache.py).
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

    def timed(path: str) -> tuple[float, float, bytes]:
        wall, cpu = time.perf_counter(), time.thread_time()
        response = client.get(path)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        assert response.status_code == 200, (path, response.status_code)
        return wall, cpu, response.content

    print(
        f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"{Article.objects.count():,} articles, profile {settings.OPENCC_PROFILE}, "
        f"{args.requests} requests per page and script, interleaved; medians"
    )
    print(
        f"{'page':<8} {'KB':>5} {'wall 简/繁 ms':>15} {'ratio':>6} "
        f"{'CPU 简/繁 ms':>15} {'ratio':>6} {'extra CPU ms':>13} {'convert ms':>11}"
    )
    for name, path in pages.items():
        for _ in range(5):  # warm up templates, connections, the converter
            timed(path), timed("/zh-hant" + path)
        simplified, traditional = [], []
        for i in range(args.requests):
            pair = [(simplified, path), (traditional, "/zh-hant" + path)]
            for bucket, url in pair if i % 2 == 0 else pair[::-1]:
                bucket.append(timed(url)[:2])
        original = timed(path)[2].decode()
        conversions = []
        for _ in range(args.requests):
            started = time.thread_time()
            convert_html(original)
            conversions.append(time.thread_time() - started)
        ws, wt = (statistics.median(wall for wall, _ in runs) for runs in (simplified, traditional))
        cs, ct = (statistics.median(cpu for _, cpu in runs) for runs in (simplified, traditional))
        extra = statistics.median(t[1] - s[1] for s, t in zip(simplified, traditional, strict=True))
        print(
            f"{name:<8} {len(original.encode()) / 1024:>5.1f} "
            f"{ws * 1000:>7.2f}/{wt * 1000:<7.2f} {wt / ws:>6.2f} "
            f"{cs * 1000:>7.2f}/{ct * 1000:<7.2f} {ct / cs:>6.2f} "
            f"{extra * 1000:>13.2f} {statistics.median(conversions) * 1000:>11.2f}"
        )


if __name__ == "__main__":
    main()
