"""Hits and misses of figure extraction on the seed articles and on generated articles.

    .venv/bin/python bench/figures_report.py [--articles 200] [--seed 0]

Seeds: the figures an editor would record from seed 000 (the 178 zones and the seven "2345678"
shares) are the expected ones; seed 003 quotes none. Generated articles
(``hitech_portal.demo.generator``): every number the generator writes into a sentence (its
``{pct}``, ``{count}``, ``{amount}``… slots) is expected, found when a figure covers it with that
value. Anything else found is listed as an extra (a false positive, or a figure the generator's
own wording holds, such as 三个). Prints counts and the distinct misses and extras.
"""

import argparse
import os
import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitech_portal.settings")

import django

django.setup()

from articles.search.text import html_to_text  # noqa: E402
from hitech_portal.demo import generator, seeds  # noqa: E402
from indicators.figures import find_figures  # noqa: E402

SEED_000_EXPECTED = [
    ("178家", 178),
    ("20%以上", 20),
    ("30%", 30),
    ("40%", 40),
    ("50%", 50),
    ("60%", 60),
    ("70%", 70),
    ("80%", 80),
]
NUMERIC_SLOTS = {"pct", "pct_small", "count", "small", "amount", "round", "count_big"}
OPEN, CLOSE = "\ue000", "\ue001"  # marks around each generated number, taken out before reading
MARKED = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")


def seed_report() -> None:
    text = html_to_text(seeds.seed_000().body)
    figures = find_figures(text)
    found = {(f.text, f.value) for f in figures}
    hits = [e for e in SEED_000_EXPECTED if (e[0], Decimal(e[1])) in found]
    extras = [
        f.text
        for f in figures
        if (f.text, f.value) not in {(t, Decimal(v)) for t, v in SEED_000_EXPECTED}
    ]
    print(
        f"seed 000: expected {len(SEED_000_EXPECTED)}, hits {len(hits)}, "
        f"misses {len(SEED_000_EXPECTED) - len(hits)}, extras {len(extras)} {extras}"
    )
    seed_003 = seeds.seed_003()
    text = html_to_text(seed_003.body) + "\n".join(q + "\n" + a for q, a in seed_003.faqs)
    extras = [f.text for f in find_figures(text)]
    print(f"seed 003: expected 0, extras {len(extras)} {extras}")


def marked_slots():
    """The generator's slots, with each number it draws wrapped in OPEN … CLOSE."""
    plain = generator._Slots.__missing__

    def missing(self, key):
        value = plain(self, key)
        return f"{OPEN}{value}{CLOSE}" if key in NUMERIC_SLOTS else value

    generator._Slots.__missing__ = missing


def generated_report(count: int, seed: int) -> None:
    marked_slots()
    expected = hits = ordinals = 0
    misses, extras = Counter(), Counter()
    for article in generator.generate_articles(count, seed=seed):
        marked = article["title"] + "\n" + html_to_text(article["body"])
        numbers, text, last = [], "", 0
        for match in MARKED.finditer(marked):
            text += marked[last : match.start()]
            numbers.append((len(text), Decimal(match[1])))
            text += match[1]
            last = match.end()
        text += marked[last:]
        figures = find_figures(text)
        covered = set()
        for position, value in numbers:
            expected += 1
            figure = next((f for f in figures if f.start <= position < f.end), None)
            if figure is not None and value in (figure.value, figure.upper):
                hits += 1
                covered.add(figure)
            elif text[position - 1 : position] == "第":
                ordinals += 1  # 第6届: an ordinal, left out by design
            else:
                misses[text[max(0, position - 6) : position + 8]] += 1
        for figure in figures:
            if figure not in covered:
                extras[figure.text] += 1
    print(
        f"{count} generated articles: expected {expected}, hits {hits}, "
        f"misses {expected - hits} (of them ordinals such as 第6届, left out by design: "
        f"{ordinals}), extras {sum(extras.values())}"
    )
    for label, counter in (("misses", misses), ("extras", extras)):
        if counter:
            shown = ", ".join(f"{text!r}×{n}" for text, n in counter.most_common(15))
            print(f"  {label} (most common): {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    seed_report()
    generated_report(args.articles, args.seed)


if __name__ == "__main__":
    main()
