"""Indicators with their observations inline, observations on their own, and the article admin's
"相关指标" inline (registered from here: indicators depend on articles, never the reverse).
"""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from articles.admin import PublicChangesAdminMixin, ReviewedInlineMixin, count_of
from articles.admin_forms import AutoSlugForm
from articles.models import Article
from hitech_portal.imports.admin import EngineImportMixin

from .admin_suggestions import suggestion_view
from .models import (
    DEFAULT_REGION,
    Indicator,
    IndicatorAlias,
    IndicatorLink,
    Observation,
    embargo_error,
)
from .resources import ObservationResource
from .selectors import headline_subquery


class ObservationFormSet(BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        # Django names the fields ("period 和 region"); editors know them by their labels.
        labels = [
            str(Observation._meta.get_field(name).verbose_name)
            for name in unique_check
            if name != self.fk.name
        ]
        return f"有重复的{'和'.join(labels)}：同一指标在同一期间和地区只能有一个数值。"


class ObservationInline(admin.TabularInline):
    model = Observation
    formset = ObservationFormSet
    extra = 1
    fields = ["period", "region", "value", "note", "source_article"]
    autocomplete_fields = ["source_article"]


class IndicatorAliasInline(admin.TabularInline):
    model = IndicatorAlias
    extra = 1
    verbose_name_plural = "别名（文章里的数字按名称或别名对应到指标）"


@admin.register(IndicatorAlias)
class IndicatorAliasAdmin(admin.ModelAdmin):
    """编辑 keep aliases here (the indicator itself is a 主编's)."""

    list_display = ["name", "indicator"]
    list_select_related = ["indicator"]
    list_filter = ["indicator"]
    search_fields = ["name", "indicator__name"]
    autocomplete_fields = ["indicator"]


@admin.register(Indicator)
class IndicatorAdmin(PublicChangesAdminMixin, SimpleHistoryAdmin):
    form = AutoSlugForm
    list_display = ["name", "unit", "latest_value", "latest_period", "n_observations", "is_key"]
    list_filter = ["is_key"]
    search_fields = ["name", "slug", "source", "description"]
    search_help_text = "按名称、网址名、数据来源或说明搜索"
    fields = ["name", "slug", "unit", "decimals", "source", "description", "is_key", "sort_order"]
    inlines = [IndicatorAliasInline, ObservationInline]

    class Media:
        css = {"all": ["css/admin.css"]}  # the observations inline fits the page

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest=headline_subquery("value"),
                latest_at=headline_subquery("period"),
                latest_region=headline_subquery("region"),
                observation_count=count_of(Observation, "indicator"),
            )
        )

    @admin.display(description="最新数值")
    def latest_value(self, obj):
        """The headline figure, as the public pages show it (indicators.selectors)."""
        if obj.latest is None:
            return "—"
        return f"{obj.format_value(obj.latest)} {obj.unit}".strip()

    @admin.display(description="最新期间", ordering="latest_at")
    def latest_period(self, obj):
        if obj.latest_at is None:
            return "—"
        regional = obj.latest_region != DEFAULT_REGION
        return f"{obj.latest_at} · {obj.latest_region}" if regional else obj.latest_at

    @admin.display(description="观测值数", ordering="observation_count")
    def n_observations(self, obj):
        return obj.observation_count


class ObservationForm(forms.ModelForm):
    user = None  # the request's, set by ObservationAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            before = Observation.objects.select_related("source_article").get(pk=self.instance.pk)
            was_public = before.source_article is None or before.source_article.is_published()
            source = cleaned.get("source_article")
            if error := embargo_error(self.user, was_public, source):
                self.add_error("source_article", error)
        return cleaned


@admin.register(Observation)
class ObservationAdmin(EngineImportMixin, PublicChangesAdminMixin, SimpleHistoryAdmin):
    resource_classes = [ObservationResource]  # import runs indicators.importing
    list_display = ["indicator", "period", "region", "display_value", "source_article"]
    list_filter = ["indicator", "region"]
    list_select_related = ["indicator", "source_article"]
    search_fields = ["indicator__name", "period", "region", "note"]
    search_help_text = "按指标名称、期间、地区或备注搜索"
    autocomplete_fields = ["indicator", "source_article"]
    fields = ["indicator", "period", "region", "value", "note", "source_article"]
    form = ObservationForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    @admin.display(description="数值", ordering="value")
    def display_value(self, obj):
        return f"{obj.display_value} {obj.indicator.unit}".strip()

    def get_urls(self):
        suggestion = self.admin_site.admin_view(suggestion_view)
        return [
            path(
                "suggestion/<int:article_id>/",
                suggestion,
                name="indicators_observation_suggestion",
            ),
            *super().get_urls(),
        ]


class IndicatorLinkForm(forms.ModelForm):
    class Meta:
        model = IndicatorLink
        fields = ["indicator"]
        labels = {"indicator": "指标"}


class IndicatorLinkInline(ReviewedInlineMixin, admin.TabularInline):
    """相关指标 on the article form. Linking is part of writing the article, so it follows the
    article's permissions (editors may view but not change indicators themselves)."""

    model = IndicatorLink
    form = IndicatorLinkForm
    extra = 0
    autocomplete_fields = ["indicator"]
    verbose_name = "相关指标"
    verbose_name_plural = "相关指标"

    def _may_edit_article(self, request):
        return request.user.has_perm("articles.change_article") or request.user.has_perm(
            "articles.add_article"
        )

    def has_view_permission(self, request, obj=None):
        return self._may_edit_article(request) or request.user.has_perm("articles.view_article")

    def has_add_permission(self, request, obj):
        return self._may_edit_article(request) and not self._waits_for_review(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit_article(request) and not self._waits_for_review(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit_article(request) and not self._waits_for_review(request, obj)


def _add_indicator_inline(article_admin):
    if IndicatorLinkInline not in article_admin.inlines:
        article_admin.inlines = [*article_admin.inlines, IndicatorLinkInline]


_add_indicator_inline(admin.site.get_model_admin(Article))
