"""schema.org JSON-LD for indicator pages: Dataset (with its CSV download) and BreadcrumbList.

Plain dicts from what the view already loaded; ``articles``' ``jsonld`` template filter writes them.
"""

from django.conf import settings
from django.urls import reverse

from articles.structured_data import absolute, breadcrumb_list

from .models import Indicator, Observation
from .selectors import period_label


def indicator_trail(indicator: Indicator | None = None) -> list[tuple[str, str]]:
    """(name, path) from the home page down to the indicator list or one indicator."""
    trail = [("首页", reverse("home")), ("数据", reverse("indicators:list"))]
    if indicator is not None:
        trail.append((indicator.name, indicator.get_absolute_url()))
    return trail


def meta_description(indicator: Indicator, latest: Observation | None) -> str:
    if indicator.description:
        return " ".join(indicator.description.split())[:150]
    text = indicator.name
    if latest is not None:
        text += f"：{period_label(latest.period)}{latest.display_value}{indicator.unit}"
    text += "。走势图、数据表与 CSV 下载"
    if indicator.source:
        text += f"，数据来源：{indicator.source}"
    return text + "。"


def dataset(indicator: Indicator, observations: list[Observation], description: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": indicator.name,
        "description": description,
        "url": absolute(indicator.get_absolute_url()),
        "inLanguage": "zh-Hans",
        "isAccessibleForFree": True,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute("/")},
        "variableMeasured": {"@type": "PropertyValue", "name": indicator.name},
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": "text/csv",
                "contentUrl": absolute(reverse("indicators:csv", args=[indicator.slug])),
            }
        ],
    }
    if indicator.unit:
        data["variableMeasured"]["unitText"] = indicator.unit
    if indicator.source:
        data["creator"] = {"@type": "Organization", "name": indicator.source}
    if observations:
        periods = sorted(obs.period for obs in observations)
        data["temporalCoverage"] = (
            periods[0] if periods[0] == periods[-1] else f"{periods[0]}/{periods[-1]}"
        )
        data["spatialCoverage"] = sorted({obs.region for obs in observations})
    return data


def indicator_graph(indicator, observations, description, trail) -> list[dict]:
    return [dataset(indicator, observations, description), breadcrumb_list(trail)]
