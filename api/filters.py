"""Query parameters of the API's lists (django-filter): a value it cannot take is a 400 that
names it, never a 500."""

import django_filters

from articles.models import Article, Category, Tag
from indicators.models import PERIOD_RE, Observation


class ArticleFilter(django_filters.FilterSet):
    # An unknown slug finds nothing (an empty list), as a filter on any other value does. The slug
    # is looked up first, so the list reads by category id, as the category page does, down the
    # (category, status, published_at) index rather than through a join.
    category = django_filters.CharFilter(method="by_category", help_text="栏目的网址名（slug）")
    tag = django_filters.CharFilter(method="by_tag", help_text="标签的网址名（slug）")
    published_after = django_filters.DateFilter(
        field_name="published_at",
        lookup_expr="date__gte",
        help_text="发布日期不早于（YYYY-MM-DD，北京时间）",
    )
    published_before = django_filters.DateFilter(
        field_name="published_at",
        lookup_expr="date__lte",
        help_text="发布日期不晚于（YYYY-MM-DD，北京时间）",
    )

    class Meta:
        model = Article
        fields = ["category", "tag", "published_after", "published_before"]

    def by_category(self, queryset, name, value):
        found = Category.objects.filter(slug=value).values_list("pk", flat=True).first()
        return queryset.none() if found is None else queryset.filter(category_id=found)

    def by_tag(self, queryset, name, value):
        found = Tag.objects.filter(slug=value).values_list("pk", flat=True).first()
        return queryset.none() if found is None else queryset.filter(tags=found)


class ObservationFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(help_text="地区，如 全国、北京")
    period = django_filters.CharFilter(help_text="期间：2024、2024-06 或 2024-06-30")
    period_from = django_filters.CharFilter(
        field_name="period", lookup_expr="gte", help_text="期间不早于（同上格式）"
    )
    period_to = django_filters.CharFilter(
        field_name="period", lookup_expr="lte", help_text="期间不晚于（同上格式）"
    )

    class Meta:
        model = Observation
        fields = ["region", "period", "period_from", "period_to"]

    def is_valid(self):
        valid = super().is_valid()
        for name in ("period", "period_from", "period_to"):
            value = self.form.cleaned_data.get(name) if valid else None
            if value and not PERIOD_RE.match(value):
                self.form.add_error(name, "期间应写成 2024、2024-06 或 2024-06-30。")
                valid = False
        return valid
