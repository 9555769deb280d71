"""What the API shows of each model. Field names are part of the interface (README, "API"):
add fields, never rename or drop one."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import FAQ, Article, Category, Tag
from articles.search.text import html_to_text
from indicators.models import Indicator, Observation
from indicators.selectors import latest_observation


def absolute(path: str) -> str:
    return settings.SITE_URL + path


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "slug", "name", "description", "parent", "url"]

    def get_url(self, obj) -> str:
        return absolute(obj.get_absolute_url())


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name"]


class TagSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Tag
        fields = ["slug", "name", "url"]

    def get_url(self, obj) -> str:
        return absolute(obj.get_absolute_url())


class TagRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["slug", "name"]


class ArticleSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True)
    tags = TagRefSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "subtitle",
            "summary",
            "category",
            "tags",
            "source",
            "author",
            "published_at",
            "updated_at",
            "url",
            "api_url",
        ]

    def get_url(self, obj) -> str:
        return absolute(obj.get_absolute_url())

    def get_api_url(self, obj) -> str:
        return absolute(reverse("api:article", args=[obj.pk]))


class FAQSerializer(serializers.ModelSerializer):
    class Meta:
        model = FAQ
        fields = ["question", "answer"]


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.CharField(source="body", read_only=True)
    body_text = serializers.SerializerMethodField()
    faqs = FAQSerializer(many=True, read_only=True)
    indicators = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta(ArticleSerializer.Meta):
        fields = [
            *ArticleSerializer.Meta.fields,
            "keywords",
            "source_url",
            "body_html",
            "body_text",
            "faqs",
            "indicators",
        ]

    def get_body_text(self, obj) -> str:
        """The body as plain text: paragraphs on their own lines."""
        lines = (line.strip() for line in html_to_text(obj.body).splitlines())
        return "\n".join(line for line in lines if line)


class LatestSerializer(serializers.Serializer):
    period = serializers.CharField()
    region = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)


class IndicatorSerializer(serializers.ModelSerializer):
    latest = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    observations_url = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "slug",
            "name",
            "unit",
            "description",
            "source",
            "decimals",
            "latest",
            "url",
            "observations_url",
        ]

    @extend_schema_field(LatestSerializer(allow_null=True))
    def get_latest(self, obj):
        latest = latest_observation(obj)
        return None if latest is None else LatestSerializer(latest).data

    def get_url(self, obj) -> str:
        return absolute(obj.get_absolute_url())

    def get_observations_url(self, obj) -> str:
        return absolute(reverse("api:observations", args=[obj.slug]))


class SourceArticleSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["id", "title", "url"]

    def get_url(self, obj) -> str:
        return absolute(obj.get_absolute_url())


class ObservationSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    source_article = serializers.SerializerMethodField()

    class Meta:
        model = Observation
        fields = ["period", "region", "value", "note", "source_article"]

    @extend_schema_field(SourceArticleSerializer(allow_null=True))
    def get_source_article(self, obj):
        """The article the value was taken from, once readers may see it (as the indicator
        page does): a draft or scheduled article is never named."""
        article = obj.source_article
        if article is None or not article.is_published():
            return None
        return SourceArticleSerializer(article).data
