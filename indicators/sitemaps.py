"""The indicator pages in the sitemap.

An indicator has no timestamp of its own; its ``lastmod`` is the last change of the public
articles linked to it (where its figures are reported), one aggregate query for the section.
"""

from django.db.models import Max

from articles.models import Article, published_q
from articles.sitemaps import SiteSitemap

from .models import Indicator


class IndicatorSitemap(SiteSitemap):
    lastmod_field = "latest"
    changefreq = "monthly"

    def items(self):
        return Indicator.objects.annotate(
            latest=Max("articles__updated_at", filter=published_q("articles__"))
        ).order_by("sort_order", "id")

    def get_latest_lastmod(self):
        return (
            Article.objects.published()
            .filter(indicators__isnull=False)
            .aggregate(latest=Max("updated_at"))["latest"]
        )
