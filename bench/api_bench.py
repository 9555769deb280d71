"""Time the API's article list against the HTML category page, in the same run.

    mkdir -p bench/out && DATABASE_URL=sqlite:///bench/out/api.sqlite3 \
        .venv/bin/python bench/api_bench.py --articles 100000

Fills the configured database as ``bench/public_pages.py`` does (never one you care about: it adds
rows), turns the page cache and the API's rate limit off, then requests each page in process,
round by round, and prints the median of each, its ratio to the HTML category page of the same
position (target: the API's page of 20 at most 1.5×) and its SQL query count.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitech_portal.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"  # time the views, not the cache
os.environ["API_RATE_LIMIT"] = ""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from public_pages import fill


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    category = fill(args.articles)
    count = category.articles.published().count()
    page = min(2000, (count + 19) // 20)
    html = category.get_absolute_url()
    pairs = {
        "page 1": (html, f"/api/articles/?category={category.slug}"),
        f"page {page}": (
            f"{html}?page={page}",
            f"/api/articles/?category={category.slug}&page={page}",
        ),
        "page 1, all categories": (html, "/api/articles/"),
    }
    pages = {name: path for name, (h, a) in pairs.items() for name, path in
             ((f"html {name}", h), (f"api {name}", a))}  # fmt: skip
    client = Client()
    timings = {name: [] for name in pages}
    queries = {}
    for name, path in pages.items():  # warm up, check, count queries
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        queries[name] = len(captured.captured_queries)
    for _ in range(args.rounds):
        for name, path in pages.items():
            began = time.perf_counter()
            client.get(path)
            timings[name].append(time.perf_counter() - began)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    print(f"{connection.vendor}, {count} public articles in one category, {args.rounds} rounds")
    print(f"{'page':34} {'median ms':>10} {'× HTML':>8} {'queries':>8}")
    for name in pairs:
        base = medians[f"html {name}"]
        for kind in ("html", "api"):
            key = f"{kind} {name}"
            print(
                f"{key:34} {medians[key] * 1000:10.1f} {medians[key] / base:8.2f} {queries[key]:8}"
            )


if __name__ == "__main__":
    main()
