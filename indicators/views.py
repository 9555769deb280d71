from csp.decorators import csp_replace
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from . import selectors
from .exporting import observation_rows, write_csv
from .models import Indicator
from .structured_data import indicator_graph, indicator_trail, meta_description


@require_safe
def indicator_list(request):
    return render(
        request,
        "indicators/indicator_list.html",
        {"indicators": list(selectors.indicator_list()), "trail": indicator_trail()},
    )


@require_safe
def indicator_detail(request, slug):
    indicator = get_object_or_404(Indicator, slug=slug)
    observations = list(selectors.observations_for(indicator))
    latest = selectors.latest_observation(indicator, observations)
    description = meta_description(indicator, latest)
    trail = indicator_trail(indicator)
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "observations": observations,
            "latest": latest,
            "description": description,
            "trail": trail,
            "structured_data": indicator_graph(indicator, observations, description, trail),
            "chart": selectors.chart_data(indicator, observations),
            "articles": selectors.citing_articles(indicator),
        },
    )


@require_safe
def indicator_csv(request, slug):
    indicator = get_object_or_404(Indicator, slug=slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{indicator.slug}.csv"'
    write_csv(response, observation_rows(indicator, selectors.observations_for(indicator)))
    return response


# The one page other sites may frame: X_FRAME_OPTIONS is DENY and the policy's frame-ancestors
# 'none' everywhere else (CONTENT_SECURITY_POLICY).
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@require_safe
def indicator_embed(request, slug):
    """The chart, the source and a link back, for another site's ``<iframe>``."""
    indicator = get_object_or_404(Indicator, slug=slug)
    observations = list(selectors.observations_for(indicator))
    latest = selectors.latest_observation(indicator, observations)
    return render(
        request,
        "indicators/indicator_embed.html",
        {
            "indicator": indicator,
            "observations": observations,
            "latest": latest,
            "description": meta_description(indicator, latest),
            "chart": selectors.chart_data(indicator, observations),
        },
    )
