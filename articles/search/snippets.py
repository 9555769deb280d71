"""Result rows: the article, its title and a short passage with the matched terms in ``<mark>``.

Matching happens on normalised text (so a traditional-character article shows 國家 marked for the
query 国家); the passage is cut from the original text at the same offsets. Everything but the
``<mark>`` tags is escaped.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import Article
from .text import Term, html_to_text, normalise

BEFORE = 30  # characters of context before the first match
LENGTH = 120  # characters of a passage


SHOWN = ["title", "summary", "body", "published_at", "category__name", "category__slug"]


@dataclass
class Hit:
    article: object
    title_html: SafeString
    snippet_html: SafeString


def _aligned(text: str) -> tuple[str, str]:
    """The text and its normalised form, of equal length so offsets carry over."""
    folded = normalise(text)
    if len(folded) != len(text):  # rare (ligatures, some case folds): fold char by char
        folded = "".join(normalise(c)[:1] or " " for c in text)
    return text, folded


def _spans(folded: str, needles: list[str], start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for needle in needles:
        at = folded.find(needle, start)
        while at != -1 and at < end:
            spans.append((at, min(at + len(needle), end)))
            at = folded.find(needle, at + len(needle))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def highlight(text: str, needles: list[str], start: int = 0, end: int | None = None) -> str:
    return _highlight(*_aligned(text), needles, start, end)


def _highlight(original, folded, needles, start=0, end=None) -> str:
    end = len(original) if end is None else end
    out, pos = [], start
    for a, b in _spans(folded, needles, start, end):
        out += [escape(original[pos:a]), "<mark>", escape(original[a:b]), "</mark>"]
        pos = b
    out.append(escape(original[pos:end]))
    return "".join(out)


def passage(text: str, needles: list[str]) -> str | None:
    """A passage around the first match in ``text``, or None when no term occurs in it."""
    text = " ".join(text.split())
    original, folded = _aligned(text)
    found = [at for at in (folded.find(n) for n in needles) if at != -1]
    if not found:
        return None
    start = max(0, min(found) - BEFORE)
    end = min(len(original), start + LENGTH)
    html = _highlight(original, folded, needles, start, end)
    return ("…" if start else "") + html + ("…" if end < len(original) else "")


def _needles(terms: list[Term]) -> list[str]:
    # The longest first, so 国家高新区 is marked whole rather than as 国家 + 高新区.
    return sorted({t.text for t in terms}, key=len, reverse=True)


def make_hits(article_ids: list[int], terms: list[Term]) -> list[Hit]:
    """Hits in the given order, for the ids that are visible now (one query)."""
    articles = (
        Article.objects.published().select_related("category").only(*SHOWN).in_bulk(article_ids)
    )
    needles = _needles(terms)
    hits = []
    for article_id in article_ids:
        article = articles.get(article_id)
        if article is None:
            continue
        snippet = (
            passage(html_to_text(article.body), needles)
            or passage(article.summary, needles)
            or escape(" ".join((article.summary or html_to_text(article.body)).split())[:LENGTH])
        )
        hits.append(Hit(article, mark_safe(highlight(article.title, needles)), mark_safe(snippet)))
    return hits
