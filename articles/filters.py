"""The filters of a category page: ``tag``, ``source``, ``published_after``/``published_before``
(YYYY-MM-DD, Asia/Shanghai days, both inclusive) and ``ordering``.

A value the form cannot accept (an unknown tag or ordering, a malformed date) makes the filter
set invalid: the view answers 400 with the form and its error messages, never a silently
different list. An unknown *source* is not an error: it is free text and simply matches nothing.
"""

from datetime import date, datetime, time, timedelta

import django_filters
from django.utils import timezone

from .forms import DateInput
from .models import Article, Tag

ORDERING_CHOICES = [
    ("-published_at", "最新发布"),
    ("published_at", "最早发布"),
    ("-view_count", "阅读最多"),
]
DEFAULT_ORDERING = "-published_at"

# Each ordering ends on ``id`` in the same direction as its first column, so the database walks
# one of the model's indexes — (category, status, -published_at, -id) forwards or backwards, or
# (-view_count, -id) — instead of sorting the whole category.
ORDER_BY = {
    "-published_at": ("-published_at", "-id"),
    "published_at": ("published_at", "id"),
    "-view_count": ("-view_count", "-id"),
}


def start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class ArticleFilter(django_filters.FilterSet):
    tag = django_filters.ModelChoiceFilter(
        label="标签",
        field_name="tags",
        to_field_name="slug",
        queryset=Tag.objects.all(),
        empty_label="全部标签",
    )
    source = django_filters.CharFilter(label="来源", field_name="source", lookup_expr="exact")
    published_after = django_filters.DateFilter(
        label="起始日期", method="filter_after", widget=DateInput
    )
    published_before = django_filters.DateFilter(
        label="截止日期", method="filter_before", widget=DateInput
    )
    ordering = django_filters.ChoiceFilter(
        label="排序", choices=ORDERING_CHOICES, method="filter_ordering", empty_label=None
    )

    class Meta:
        model = Article
        fields = []  # all declared above

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        for name in ("published_after", "published_before"):
            self.form.fields[name].error_messages["invalid"] = "日期应写成 2024-07-05 这样的格式。"
        self.form.fields["tag"].error_messages["invalid_choice"] = "没有这个标签。"
        self.form.fields["ordering"].error_messages["invalid_choice"] = (
            "排序只能是最新发布、最早发布或阅读最多。"
        )

    # The calendar's first and last days are valid dates whose Shanghai midnight lies outside
    # what datetime holds in UTC (or the day after does not exist); they bound nothing anyway.
    def filter_after(self, queryset, name, value):
        if value == date.min:
            return queryset
        return queryset.filter(published_at__gte=start_of_day(value))

    def filter_before(self, queryset, name, value):
        if value == date.max:
            return queryset
        return queryset.filter(published_at__lt=start_of_day(value + timedelta(days=1)))

    def filter_ordering(self, queryset, name, value):
        return queryset  # applied last, in ``filter_queryset``, whatever the value

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering") or DEFAULT_ORDERING
        return queryset.order_by(*ORDER_BY[ordering])

    @property
    def current_ordering(self) -> str:
        return (self.is_bound and self.form.cleaned_data.get("ordering")) or DEFAULT_ORDERING

    @property
    def is_filtered(self) -> bool:
        """True when the list differs from the category's plain newest-first list."""
        data = self.form.cleaned_data
        narrowed = ("tag", "source", "published_after", "published_before")
        return any(data.get(name) for name in narrowed) or self.current_ordering != DEFAULT_ORDERING
