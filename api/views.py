"""The read-only JSON API (Django REST framework): published content only.

Every list starts from what the public pages start from (``Article.objects.published()``, the
indicator selectors) and runs a fixed number of queries whatever the page size. Responses are
cached, revalidated and given their ``Cache-Control`` like every public page
(``hitech_portal.middleware.PageCacheMiddleware``: ETag, 304, ``s-maxage``); CORS allows GET from
any origin (django-cors-headers, ``CORS_URLS_REGEX``); each client address may make
``API_RATE_LIMIT`` requests (429 past it). Under ``/zh-hant/api/`` the text values come in
traditional characters (``hitech_portal.traditional``), keys and URLs unchanged.
"""

from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import SimpleRateThrottle

from articles.models import Article, Category, Tag
from articles.paging import DeferredJoinPaginator
from articles.search import search
from articles.view_counts import client_address
from indicators import selectors
from indicators.models import PERIOD_RE, Indicator, Observation

from . import serializers
from .filters import ArticleFilter, ObservationFilter


class ClientAddressThrottle(SimpleRateThrottle):
    """``API_RATE_LIMIT`` requests per client address (``REMOTE_ADDR``, or the address the
    ``NUM_PROXIES`` trusted proxies in front put in ``X-Forwarded-For``), signed in or not."""

    scope = "api"

    def get_rate(self):
        return settings.API_RATE_LIMIT or None  # read per request: tests and deployments set it

    def get_cache_key(self, request, view):
        # The site's one rule for who the client is (view counts and the login lockout use it).
        ident = client_address(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class Pages(PageNumberPagination):
    """Pages as the HTML lists read them (``articles.paging``): the page's ids from the index,
    then those rows; the total kept in the shared cache until the next published change."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        filters = sorted(
            (name, value)
            for name, value in request.query_params.items()
            if name not in ("page", self.page_size_query_param, "format")
        )
        count_key = f"api:{request.path}?{urlencode(filters)}"
        self.django_paginator_class = partial(DeferredJoinPaginator, count_key=count_key)
        return super().paginate_queryset(queryset, request, view)


class PublicReadMixin:
    pagination_class = Pages
    throttle_classes = [ClientAddressThrottle]


SLUG = r"^[-a-zA-Z0-9_]+$"
TEXT = r"^[^\x00]*$"  # what a form field takes: anything but NUL
SEARCH_PARAMETER = OpenApiParameter(
    "q",
    OpenApiTypes.STR,
    pattern=TEXT,
    description="全文检索（简体或繁体，空格分隔的词须全部出现；至多 1000 篇），"
    "可与其他条件同用，结果仍按发布时间排序",
)


@extend_schema(
    parameters=[
        SEARCH_PARAMETER,
        OpenApiParameter("category", str, pattern=SLUG, description="栏目的网址名（slug）"),
        OpenApiParameter("tag", str, pattern=SLUG, description="标签的网址名（slug）"),
    ]
)
class ArticleList(PublicReadMixin, generics.ListAPIView):
    """已发布的文章，最新的在前。"""

    name = "文章"  # the browsable page's title

    serializer_class = serializers.ArticleSerializer
    filterset_class = ArticleFilter

    def get_queryset(self):
        return (
            Article.objects.published()
            .newest_first()
            .for_cards()
            .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        query = self.request.query_params.get("q", "").replace("\x00", "").strip()
        if query:
            # The search index finds the matches (as /search/ does, up to its 1,000); the other
            # filters and the order are the list's own.
            queryset = queryset.filter(pk__in=search(query).article_ids())
        return queryset


@extend_schema(
    parameters=[OpenApiParameter("id", {"type": "integer", "minimum": 0}, OpenApiParameter.PATH)]
)
class ArticleDetail(PublicReadMixin, generics.RetrieveAPIView):
    """一篇已发布的文章：正文为清理过的 HTML（body_html）和纯文本（body_text）。"""

    name = "一篇文章"  # the browsable page's title

    serializer_class = serializers.ArticleDetailSerializer

    def get_queryset(self):
        return (
            Article.objects.published()
            .select_related("category")
            .prefetch_related("tags", "faqs", "indicators")
        )


class CategoryList(PublicReadMixin, generics.ListAPIView):
    """全部栏目，按导航顺序。"""

    name = "栏目"  # the browsable page's title

    serializer_class = serializers.CategorySerializer
    queryset = Category.objects.select_related("parent").order_by("sort_order", "id")


class TagList(PublicReadMixin, generics.ListAPIView):
    """有已发布文章的标签。"""

    name = "标签"  # the browsable page's title

    serializer_class = serializers.TagSerializer

    def get_queryset(self):
        used = Article.objects.published().values("tags")
        return Tag.objects.filter(pk__in=used).order_by("name", "id")


class IndicatorList(PublicReadMixin, generics.ListAPIView):
    """全部指标，各带最新数值（全国的最新期间，否则任一地区的最新期间）。"""

    name = "指标"  # the browsable page's title

    serializer_class = serializers.IndicatorSerializer

    def get_queryset(self):
        return selectors.indicator_list()


@extend_schema(
    parameters=[
        OpenApiParameter("slug", str, OpenApiParameter.PATH, pattern=SLUG),
        OpenApiParameter("region", str, pattern=TEXT, description="地区，如 全国、北京"),
        *(
            OpenApiParameter(name, str, pattern=PERIOD_RE.pattern, description=description)
            for name, description in [
                ("period", "期间：2024、2024-06 或 2024-06-30"),
                ("period_from", "期间不早于（同上格式）"),
                ("period_to", "期间不晚于（同上格式）"),
            ]
        ),
    ]
)
class ObservationList(PublicReadMixin, generics.ListAPIView):
    """一个指标的全部观测值，按期间、地区排序；来源文章已发布时注明。"""

    name = "观测值"  # the browsable page's title

    serializer_class = serializers.ObservationSerializer
    filterset_class = ObservationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the types
            return Observation.objects.none()
        indicator = get_object_or_404(Indicator, slug=self.kwargs["slug"])
        return selectors.observations_for(indicator).defer(
            "source_article__body", "source_article__keywords"
        )
