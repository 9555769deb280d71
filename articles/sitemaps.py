"""Sitemaps of the public pages, served through the sitemap index (50,000 URLs a file).

Links use ``SITE_URL``, the same origin as the pages' canonical links. Every section's
``lastmod`` comes from the rows it lists and ``get_latest_lastmod`` is one aggregate query.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from .models import Article, Category, Tag, published_q


class SiteSitemap(Sitemap):
    """Builds absolute links on ``SITE_URL`` instead of the request's host."""

    limit = 50_000

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max(self.lastmod_field))["latest"]

    def lastmod(self, item):
        return getattr(item, self.lastmod_field)


class ArticleSitemap(SiteSitemap):
    lastmod_field = "updated_at"

    def items(self):
        return Article.objects.published().only("id", "updated_at").newest_first()


class CategorySitemap(SiteSitemap):
    lastmod_field = "latest"
    changefreq = "daily"

    def items(self):
        return Category.objects.annotate(
            latest=Max("articles__updated_at", filter=published_q("articles__"))
        ).order_by("sort_order", "id")

    def get_latest_lastmod(self):
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class TagSitemap(SiteSitemap):
    """Tags with at least one public article (an empty tag page is not worth a crawl)."""

    lastmod_field = "latest"

    def items(self):
        return (
            Tag.objects.annotate(
                latest=Max("articles__updated_at", filter=published_q("articles__"))
            )
            .filter(latest__isnull=False)
            .order_by("name", "id")
        )

    def get_latest_lastmod(self):
        return (
            Article.objects.published()
            .filter(tags__isnull=False)
            .aggregate(latest=Max("updated_at"))["latest"]
        )
