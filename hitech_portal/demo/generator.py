"""Deterministic demo articles: realistic Chinese news text for demos, tests and benchmarks.

``generate_articles(n, seed=0)`` yields dicts whose keys are the article import columns
(title, category, published_at, status, source, source_url, author, summary, keywords, tags,
body). The same ``n`` and ``seed`` always give the same articles, and the first ``k`` articles of
a longer run are the same as a run of ``k`` (so loading 300 after 100,000 adds nothing). Dates
count back from a fixed day, never from "now", so the output never changes with the clock.

No Django needed: ``python -m hitech_portal.demo --csv out.csv --rows 100000`` writes a
spreadsheet-style CSV (Chinese headers by default) for import benchmarks.
"""

import argparse
import csv
import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from . import phrases as P

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Generated articles are published in the five years before this day.
ANCHOR = datetime(2025, 10, 31, tzinfo=SHANGHAI)
SPAN_DAYS = 5 * 365
URL_TEMPLATE = "https://www.achie.org/demo/{}.html"

COLUMNS = [
    "title", "category", "published_at", "status", "source", "source_url", "author", "summary",
    "keywords", "tags", "body",
]  # fmt: skip
CHINESE_HEADERS = {
    "title": "标题", "category": "栏目", "published_at": "发布时间", "status": "状态",
    "source": "来源", "source_url": "原文链接", "author": "作者", "summary": "摘要",
    "keywords": "关键词", "tags": "标签", "body": "正文",
}  # fmt: skip

_CATEGORY_SLUGS = list(P.CATEGORY_WEIGHTS)
_CATEGORY_CUM_WEIGHTS = []
_total = 0
for _slug in _CATEGORY_SLUGS:
    _total += P.CATEGORY_WEIGHTS[_slug]
    _CATEGORY_CUM_WEIGHTS.append(_total)


class _Slots(dict):
    """Template slots: per-article values are stored; numbers are drawn fresh at every use."""

    def __init__(self, rng: random.Random, **fixed):
        super().__init__(**fixed)
        self.rng = rng

    def __missing__(self, key):
        r = self.rng
        if key == "pct":
            return f"{r.uniform(3, 35):.1f}"
        if key == "pct_small":
            return f"{r.uniform(1.5, 9.9):.1f}"
        if key == "count":
            return str(r.randrange(20, 3000))
        if key == "small":
            return str(r.randrange(2, 30))
        if key == "amount":
            low, high = r.choice(((5, 100), (100, 2000), (10, 500)))
            return str(r.randrange(low, high))
        if key == "round":
            return str(r.randrange(2, 60) * 100)
        if key == "count_big":
            return "178"
        raise KeyError(key)


def _period_label(month: int) -> str:
    return {1: "去年全年", 2: "一季度", 3: "上半年", 4: "前三季度"}[(month - 1) // 3 + 1]


def _article_slots(rng: random.Random, category: str, published: datetime) -> _Slots:
    zone, city, province = rng.choice(P.ZONES)
    devzone, dev_city, dev_province = rng.choice(P.DEV_ZONES)
    if category == "development-zone-news":
        zone, city, province = devzone, dev_city, dev_province
    year = published.year
    return _Slots(
        rng,
        zone=zone,
        city=city,
        province=province,
        devzone=devzone,
        industry=rng.choice(P.INDUSTRIES),
        tech=rng.choice(P.TECHS),
        region=P.PROVINCE_REGIONS.get(province) or rng.choice(P.REGIONS),
        org=rng.choice(P.ORGS),
        ministry=rng.choice(P.MINISTRIES),
        country=rng.choice(P.COUNTRIES),
        smart_topic=rng.choice(P.SMART_TOPICS),
        park_topic=rng.choice(P.PARK_TOPICS),
        metric=rng.choice(P.METRICS),
        year=str(year),
        last_year=str(year - 1),
        year5=str(year + rng.randrange(2, 6)),
        date=f"{published.month}月{published.day}日",
        quarter=_period_label(published.month),
    )


def _paragraph(rng: random.Random, slots: _Slots, pool: list[str], first: str = "") -> str:
    count = rng.randrange(2, 5)
    parts = [first.format_map(slots)] if first else []
    for _ in range(count):
        parts.append(pool.pop().format_map(slots) if pool else "")
    return "<p>" + "".join(parts) + "</p>"


def _body(rng: random.Random, slots: _Slots) -> tuple[str, str]:
    """The body HTML and its first sentence (for the summary)."""
    long_form = rng.random() < 0.12
    paragraphs = rng.randrange(9, 15) if long_form else rng.randrange(3, 7)
    pool = list(P.SENTENCES)
    rng.shuffle(pool)
    if long_form:  # long reads quote sentences more than once, as long reads do
        pool += rng.sample(P.SENTENCES, len(P.SENTENCES))
    opening = rng.choice(P.OPENINGS).format_map(slots)
    html = [_paragraph(rng, slots, pool, first=opening)]
    headings = rng.sample(P.HEADINGS, 4) if long_form else []
    for index in range(1, paragraphs):
        if headings and index % 3 == 1:
            html.append(f"<h2>{headings.pop()}</h2>")
        html.append(_paragraph(rng, slots, pool))
    html.append("<p>" + rng.choice(P.CLOSINGS).format_map(slots) + "</p>")
    return "\n".join(html), opening


def _tags(rng: random.Random, category: str, industry: str) -> list[str]:
    wanted = rng.randrange(2, 5)
    tags = [rng.choice(P.CATEGORY_TAGS[category])]
    if industry in P.TAGS and industry not in tags:
        tags.append(industry)
    for tag in rng.sample(P.TAGS, 5):
        if len(tags) >= wanted:
            break
        if tag not in tags:
            tags.append(tag)
    return tags


def _title(rng: random.Random, category: str, slots: _Slots, seen: set[str], index: int) -> str:
    templates = P.CATEGORY_TITLES[category]
    for _ in range(8):
        title = rng.choice(templates).format_map(slots)
        if title not in seen:
            return title
    # Common phrasings run out after many thousand articles: date them, then number them.
    dated = f"{title}（{slots['year']}年{slots['date']}）"
    return dated if dated not in seen else f"{title}（第{index}期）"


def generate_articles(n: int, *, seed: int = 0) -> Iterator[dict]:
    """Yield ``n`` article dicts (import columns), the same ones for the same ``seed``."""
    rng = random.Random(seed)
    seen: set[str] = set()
    for index in range(1, n + 1):
        # The first 13 cover every category once; then news-heavy weights.
        if index <= len(_CATEGORY_SLUGS):
            category = _CATEGORY_SLUGS[index - 1]
        else:
            category = rng.choices(_CATEGORY_SLUGS, cum_weights=_CATEGORY_CUM_WEIGHTS)[0]
        day = ANCHOR - timedelta(days=rng.randrange(1, SPAN_DAYS))
        published = day.replace(hour=rng.randrange(7, 22), minute=rng.randrange(60))
        slots = _article_slots(rng, category, published)
        title = _title(rng, category, slots, seen, index)
        seen.add(title)
        body, opening = _body(rng, slots)
        tags = _tags(rng, category, slots["industry"])
        keywords = "，".join(dict.fromkeys([*tags, slots["industry"], slots["city"]]))
        source = rng.choice(P.SOURCES)
        author = rng.choice(P.SURNAMES) + rng.choice(P.GIVEN_NAMES)
        yield {
            "title": title,
            "category": category,
            "published_at": published,
            "status": "published",
            "source": source,
            "source_url": URL_TEMPLATE.format(index),
            "author": author,
            "summary": opening[:120],
            "keywords": keywords,
            "tags": tags,
            "body": body,
        }


def as_row(article: dict) -> dict:
    """An article dict as spreadsheet cells (local time, tags joined with 、)."""
    row = dict(article)
    row["published_at"] = article["published_at"].astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    row["tags"] = "、".join(article["tags"])
    return row


def write_csv(
    path, n: int, *, seed: int = 0, chinese_headers: bool = True, encoding: str = "utf-8"
) -> int:
    """Stream ``n`` generated articles to a CSV file; returns the number of rows written."""
    headers = [CHINESE_HEADERS[c] if chinese_headers else c for c in COLUMNS]
    rows = 0
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for article in generate_articles(n, seed=seed):
            row = as_row(article)
            writer.writerow([row[c] for c in COLUMNS])
            rows += 1
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write generated demo articles to a CSV file.")
    parser.add_argument("--csv", required=True, help="output file")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--english-headers", action="store_true")
    parser.add_argument("--encoding", default="utf-8", help="utf-8, utf-8-sig or gb18030")
    args = parser.parse_args(argv)
    written = write_csv(
        args.csv,
        args.rows,
        seed=args.seed,
        chinese_headers=not args.english_headers,
        encoding=args.encoding,
    )
    sys.stderr.write(f"{written} rows → {args.csv}\n")
    return 0
