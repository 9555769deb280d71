"""Reading indicators for the public pages and the admin.

Every function here runs a fixed number of queries however many indicators or observations
exist. The helpers that take an indicator (``latest_observation``, ``primary_series``) work on
``indicator.observations.all()``, so callers prefetch observations once for all indicators;
the article page does that through ``article.indicators``.

**The headline rule**, the figure an indicator is known by on the home page, its own page, the
list and the admin: the national (:data:`~indicators.models.DEFAULT_REGION`) observation of the
newest period, else the newest of any region (the one entered first among equals). It is written
once as an ordering, :func:`headline_order`, for the database, and once as a sort key,
:func:`headline_key`, for observations already loaded; a test holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from articles.models import Article

from .models import DEFAULT_REGION, Indicator, Observation

#: Where ``with_latest_observation`` puts its one-item list.
LATEST_ATTR = "latest_observations"
#: Home-page cards: the "2345678" figures (50% names two) and the 178 zones fit.
KEY_FIGURE_LIMIT = 9
#: Articles listed under an indicator, newest first.
CITING_ARTICLE_LIMIT = 20
#: Points in the small chart of an article's 相关数据 block.
SPARKLINE_POINTS = 12


def headline_order() -> list:
    """The headline rule as an ordering: the first observation is the headline."""
    national_first = Case(
        When(region=DEFAULT_REGION, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return [national_first, "-period", "id"]


def headline_key(observation: Observation) -> tuple:
    """The headline rule as a sort key (smallest first), for observations already loaded.
    Periods are ISO strings (``2024``, ``2024-06``): negating their code points sorts them newest
    first, a month of a year before the year itself, as ``-period`` does in the database. Equal
    periods of two regions fall to the one entered first (its id): region names would sort by
    the database's collation, which Python does not share."""
    newest_first = tuple(-ord(char) for char in observation.period) + (1,)
    return (observation.region != DEFAULT_REGION, newest_first, observation.pk)


def headline_subquery(field: str) -> Subquery:
    """One column of each indicator's headline observation, for an annotation."""
    observations = Observation.objects.filter(indicator=OuterRef("pk")).order_by(*headline_order())
    return Subquery(observations.values(field)[:1])


def with_latest_observation(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """Prefetch only each indicator's headline observation, as ``indicator.latest_observations``
    (one windowed query for all; a sliced prefetch needs its own attribute)."""
    latest = Observation.objects.public().order_by(*headline_order())[:1]
    return indicators.prefetch_related(
        Prefetch("observations", queryset=latest, to_attr=LATEST_ATTR)
    )


def key_figures() -> list[Indicator]:
    """The home page's cards, each with its latest observation: two queries.

    Only indicators marked 首页展示, in their sort order, at most ``KEY_FIGURE_LIMIT``; none
    marked, no band.
    """
    marked = Indicator.objects.filter(is_key=True).order_by("sort_order", "id")
    return list(with_latest_observation(marked)[:KEY_FIGURE_LIMIT])


def indicator_list() -> QuerySet[Indicator]:
    """Every indicator with its latest observation: two queries."""
    return with_latest_observation(Indicator.objects.all())


def latest_observation(
    indicator: Indicator, observations: Iterable[Observation] | None = None
) -> Observation | None:
    """The headline observation (the rule above), or None.

    Reads the ``observations`` given, else what ``with_latest_observation`` fetched, else
    ``indicator.observations.all()`` (prefetch it).
    """
    if observations is None:
        observations = getattr(indicator, LATEST_ATTR, None)
    if observations is None:
        observations = public_observations(indicator)
    return min(observations, key=headline_key, default=None)


def public_observations(indicator: Indicator) -> list[Observation]:
    """The prefetched ``indicator.observations.all()`` that readers may see (prefetch their
    ``source_article`` too: see ``Observation.is_public``)."""
    return [obs for obs in indicator.observations.all() if obs.is_public]


def primary_series(indicator: Indicator) -> list[Observation]:
    """The headline region's observations in time order, from the prefetched ones."""
    latest = latest_observation(indicator)
    if latest is None:
        return []
    series = [obs for obs in public_observations(indicator) if obs.region == latest.region]
    return sorted(series, key=lambda obs: obs.period)


def observations_for(indicator: Indicator) -> QuerySet[Observation]:
    """The indicator's table: every period and region readers may see, with the source article,
    one query."""
    return (
        indicator.observations.public()
        .select_related("source_article")
        .order_by("period", "region")
    )


def citing_articles(indicator: Indicator) -> QuerySet[Article]:
    """Published articles linked to the indicator or cited as the source of one of its values."""
    return (
        Article.objects.published()
        .filter(Q(indicators=indicator) | Q(observations__indicator=indicator))
        .for_cards()
        .distinct()[:CITING_ARTICLE_LIMIT]
    )


def period_label(period: str) -> str:
    """``2024`` → 2024年, ``2024-06`` → 2024年6月, ``2024-06-30`` → 2024年6月30日."""
    parts = period.split("-")
    if not all(part.isdigit() for part in parts) or not 1 <= len(parts) <= 3:
        return period
    label = f"{parts[0]}年"
    for part, suffix in zip(parts[1:], "月日", strict=False):
        label += f"{int(part)}{suffix}"
    return label


def plain_number(value: Decimal) -> str:
    """The stored value without trailing zeros or exponent: 178.0000 → 178, 12.5000 → 12.5."""
    return format(value.normalize(), "f")


def sparkline_points(
    observations: Iterable[Observation], *, width: int = 120, height: int = 32, pad: int = 3
) -> str:
    """SVG ``points`` for a small line chart of the last observations, or "" under two points."""
    values = [float(obs.value) for obs in list(observations)[-SPARKLINE_POINTS:]]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / (len(values) - 1)
    return " ".join(
        f"{pad + i * step:.1f},{height - pad - (value - low) / span * (height - 2 * pad):.1f}"
        for i, value in enumerate(values)
    )


def chart_data(indicator: Indicator, observations: Iterable[Observation]) -> dict:
    """What static/js/charts.js draws: one line per region over the sorted periods."""
    observations = list(observations)
    periods = sorted({obs.period for obs in observations})
    regions = sorted({obs.region for obs in observations}, key=lambda r: (r != DEFAULT_REGION, r))
    index = {(obs.region, obs.period): obs.value for obs in observations}
    return {
        "name": indicator.name,
        "unit": indicator.unit,
        "decimals": indicator.decimals,
        "periods": [period_label(period) for period in periods],
        "series": [
            {
                "name": region,
                "values": [
                    float(index[(region, period)]) if (region, period) in index else None
                    for period in periods
                ],
            }
            for region in regions
        ],
    }
