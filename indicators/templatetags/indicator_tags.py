"""Formatting indicators in templates. Nothing here queries: the tags read observations the
view prefetched (``indicator.observations.all()``)."""

from django import template

from .. import selectors

register = template.Library()


@register.filter
def period_label(period: str) -> str:
    return selectors.period_label(period)


@register.simple_tag
def latest_observation(indicator):
    """``{% latest_observation indicator as latest %}``: the headline value, or None."""
    return selectors.latest_observation(indicator)


@register.simple_tag
def sparkline_points(indicator):
    """``{% sparkline_points indicator as points %}``: the small chart's SVG points, or ""."""
    return selectors.sparkline_points(selectors.primary_series(indicator))


@register.filter
def plain_number(value) -> str:
    """178.0000 → 178, 12.5000 → 12.5."""
    return selectors.plain_number(value)
