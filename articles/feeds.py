"""RSS 2.0 feeds: the latest articles site-wide and per category, from ``published()``.

``item_pubdate`` lets contrib set ``Last-Modified``, so ConditionalGetMiddleware answers 304s.
Links are absolute on ``SITE_URL`` (contrib leaves absolute links alone): the request's ``Host``
header is whatever a client sends, and a cached feed would hand a forged one to every reader.
The 摘要 is plain text, so it goes out escaped: RSS readers render ``<description>`` as HTML.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import get_language, to_locale

from .models import Article, Category
from .structured_data import absolute

FEED_LENGTH = 30


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed
    title = f"{settings.SITE_NAME} · 最新文章"
    description = "国家高新区新闻、政策解读与产业研究的最新文章"

    @property
    def language(self):
        """zh-Hans, or zh-Hant for the feed under /zh-hant/ (converted on the way out)."""
        return to_locale(get_language()).replace("_", "-")

    def link(self):
        return absolute(reverse("home"))

    def feed_url(self):
        return absolute(reverse("articles:latest_feed"))

    def articles(self):
        return (
            Article.objects.published()
            .select_related("category")
            .prefetch_related("tags")
            .defer("body")
            .newest_first()
        )

    def items(self):
        return self.articles()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_description(self, item):
        return escape(item.summary or item.title)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author or item.source or None

    def item_categories(self, item):
        return [item.category.name, *(tag.name for tag in item.tags.all())]


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def description(self, obj):
        return obj.description or f"{settings.SITE_NAME}「{obj.name}」栏目的最新文章"

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute(reverse("articles:category_feed", args=[obj.slug]))

    def items(self, obj):
        return self.articles().filter(category=obj)[:FEED_LENGTH]
