"""Figure suggestions on an article's admin page: figures found in its text (:mod:`.figures`),
each matched to the indicators it may be a value of, for an editor to take or dismiss.

Nothing is written until an editor clicks. :func:`write_error` is the one rule for what a click
may write, asked by the panel (to offer the button) and by the view (to refuse the POST): adding
a value needs ``indicators.add_observation`` (编辑 and 主编), replacing a different value already
recorded needs ``indicators.change_observation``. What is written is a plain save of an
:class:`~.models.Observation`: simple-history records the revision with the editor's name, the
signal in ``articles.public_changes`` retires cached pages, and the source article is named to
readers only once it is published (the indicator page and the API ask ``is_published()``).

Matching: an alias of the indicator (:class:`~.models.IndicatorAlias`) written in the figure's
phrase; else most of the indicator's name, counted in two-character pieces, leaving out pieces
most indicators share (国家, 高新, 占比…). The unit must fit (``value_in``); changes (同比增长…)
are not levels and are never suggested.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from articles.models import Article
from articles.search.text import html_to_text

from .figures import Figure, find_figures
from .models import DEFAULT_REGION, DismissedFigure, Indicator, Observation, embargo_error

#: Provincial-level regions, as a figure's phrase may name them (北京, 广东省, 新疆维吾尔自治区).
REGIONS = (
    "北京 天津 上海 重庆 河北 山西 内蒙古 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 "
    "湖北 湖南 广东 广西 海南 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 香港 澳门 台湾"
).split()
NAME_COVERAGE = 0.5  # share of an indicator's distinctive name pieces the phrase must hold


@dataclass
class Candidate:
    indicator: Indicator
    value: Decimal  # in the indicator's unit
    existing: Observation | None = None  # already recorded for this period and region

    @property
    def recorded(self) -> bool:
        return self.existing is not None and self.existing.value == self.value


@dataclass
class Suggestion:
    key: str
    figure: Figure
    region: str
    period: str
    candidates: list[Candidate] = field(default_factory=list)


def figure_key(figure: Figure) -> str:
    """Names a figure across edits elsewhere in the article: its text and phrase, not position."""
    return hashlib.sha256(f"{figure.text}|{figure.phrase}".encode()).hexdigest()[:40]


def period_of(article: Article) -> str:
    """The period a figure of ``article`` is taken to be for: the year it is dated."""
    moment = article.published_at or article.created_at or timezone.now()
    return str(timezone.localtime(moment).year)


def region_in(phrase: str) -> str:
    named = [region for region in REGIONS if region in phrase]
    return named[0] if len(named) == 1 else DEFAULT_REGION


def _pieces(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _matcher(indicators: list[Indicator]):
    counts: dict[str, int] = {}
    for indicator in indicators:
        for piece in _pieces(indicator.name):
            counts[piece] = counts.get(piece, 0) + 1
    common = {p for p, n in counts.items() if len(indicators) >= 4 and n > len(indicators) / 2}
    distinctive = {ind.pk: _pieces(ind.name) - common for ind in indicators}

    def score(indicator: Indicator, phrase: str) -> float:
        aliases = [alias.name for alias in indicator.aliases.all() if alias.name in phrase]
        if aliases or indicator.name in phrase:
            return 2.0 + max(map(len, aliases), default=len(indicator.name)) / 100
        pieces = distinctive[indicator.pk]
        if not pieces:
            return 0.0
        coverage = len(pieces & _pieces(phrase)) / len(pieces)
        return coverage if coverage >= NAME_COVERAGE else 0.0

    return score


def suggestions_for(article: Article) -> list[Suggestion]:
    """The figures of the article's title and body, each with its candidate indicators, best
    first: four queries."""
    # Titles carry the figure of the story as often as the body does.
    text = f"{article.title}\n{html_to_text(article.body)}"
    figures = [f for f in find_figures(text) if not f.is_change]
    if not figures:
        return []
    dismissed = set(DismissedFigure.objects.filter(article=article).values_list("key", flat=True))
    indicators = list(Indicator.objects.prefetch_related("aliases"))
    score = _matcher(indicators)
    period = period_of(article)
    existing = {
        (obs.indicator_id, obs.region): obs
        for obs in Observation.objects.filter(period=period).select_related("source_article")
    }
    suggestions = []
    for figure in figures:
        key = figure_key(figure)
        if key in dismissed:
            continue
        dismissed.add(key)  # the same figure in the same words again is the same suggestion
        region = region_in(figure.phrase)
        ranked = []
        for indicator in indicators:
            value = figure.value_in(indicator.unit)
            points = score(indicator, figure.phrase) if value is not None else 0.0
            if points:
                found = existing.get((indicator.pk, region))
                ranked.append((points, Candidate(indicator, value, found)))
        ranked.sort(key=lambda pair: -pair[0])
        suggestions.append(
            Suggestion(key, figure, region, period, [candidate for _, candidate in ranked[:3]])
        )
    return suggestions


def write_error(user, candidate: Candidate, article: Article) -> str | None:
    """Why ``user`` may not record ``candidate`` from ``article``, or None when they may (the one
    rule; a value readers see goes under an unpublished article's embargo only by a 主编's hand,
    :func:`~indicators.models.embargo_error`)."""
    if candidate.recorded:
        return "已录入"
    if candidate.existing is None:
        return None if user.has_perm("indicators.add_observation") else "你没有添加观测值的权限"
    if not user.has_perm("indicators.change_observation"):
        return "已有不同的数值，你没有修改观测值的权限"
    existing = candidate.existing
    public = existing.source_article is None or existing.source_article.is_published()
    return embargo_error(user, public, article)


def dismiss_error(user) -> str | None:
    """Setting a figure aside is part of the same work: whoever may record values may."""
    return None if user.has_perm("indicators.add_observation") else "你没有添加观测值的权限"


def take(article: Article, suggestion: Suggestion, candidate: Candidate, user) -> Observation:
    """Record the figure as the indicator's value for the article's period and the region."""
    observation = candidate.existing or Observation(
        indicator=candidate.indicator, period=suggestion.period, region=suggestion.region
    )
    observation.value = candidate.value
    observation.source_article = article
    if suggestion.figure.qualifier and not observation.note:
        observation.note = f"原文为“{suggestion.figure.text}”"
    observation._change_reason = "采用文章中的数字"
    observation.full_clean()
    observation.save()
    return observation


def dismiss(article: Article, suggestion: Suggestion, user) -> None:
    DismissedFigure.objects.get_or_create(
        article=article,
        key=suggestion.key,
        defaults={"text": suggestion.figure.text[:200], "dismissed_by": user},
    )
