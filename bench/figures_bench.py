"""Time figure extraction on a 10,000-character article, against reading the same text once.

    .venv/bin/python bench/figures_bench.py [--chars 10000] [--rounds 200]

The article is made of the generated articles' sentences (``hitech_portal.demo``) and the seed
article's "2345678" paragraph, so it holds figures as dense as real news. Prints the median time
of ``find_figures`` (target: under 20 ms) and, as the baseline measured in the same run, of
``articles.search.text.tokens`` on the same text (the search index's bigrams, made on every
save of an article), with their ratio.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitech_portal.settings")

import django

django.setup()

from articles.search.text import html_to_text, tokens  # noqa: E402
from hitech_portal.demo import seeds  # noqa: E402
from hitech_portal.demo.generator import generate_articles  # noqa: E402
from indicators.figures import find_figures  # noqa: E402


def article_html(chars: int) -> str:
    parts, length = [seeds.seed_000().body], 0
    for article in generate_articles(500, seed=7):
        parts.append(article["body"])
        length = len(html_to_text("".join(parts)))
        if length >= chars:
            break
    return "".join(parts)


def median_ms(function, argument, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        function(argument)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    html = article_html(args.chars)
    text = html_to_text(html)[: args.chars]
    figures = find_figures(text)
    base = median_ms(tokens, text, args.rounds)
    extraction = median_ms(find_figures, text, args.rounds)
    print(f"{len(text)} characters, {len(figures)} figures, {args.rounds} rounds")
    print(f"{'step':34} {'median ms':>10} {'× baseline':>11}")
    print(f"{'baseline search tokens':34} {base:10.2f} {1:11.1f}")
    print(f"{'find_figures':34} {extraction:10.2f} {extraction / base:11.1f}")
    print(f"target: find_figures under 20 ms — {'met' if extraction < 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
