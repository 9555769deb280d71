"""The editors' admin: categories, tags and articles (with FAQ entries inline).

Publishing rules live in :class:`articles.publishing.PublishingAdminMixin`. What follows a
write (the search index, the page cache) is :mod:`articles.public_changes`' business; each admin
request that may write collects it, so a save is followed once. ``indicators.admin`` adds the
linked-indicators inline to the article admin (indicators depend on articles, not the reverse).
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models, router, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from hitech_portal.imports.admin import EngineImportExportMixin

from . import public_changes, workflow
from .admin_forms import ArticleAdminForm, AutoSlugForm
from .admin_list import FLAGS, ArticleChangeList, FlagFilter, MineFilter, short_datetime
from .admin_review import ReviewAdminMixin
from .exporting import export_articles
from .models import FAQ, Article, Category, Tag, may_publish
from .publishing import PublicationStateFilter, PublishingAdminMixin, batched
from .resources import ArticleResource


def count_of(model, field):
    """Counted per row shown, not over the whole table: the list stays cheap at any size."""
    counted = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


class PublicChangesAdminMixin:
    """Each request that may write (a form, a delete, the change list's actions and inline edits)
    runs in one transaction that collects what must follow its writes
    (:func:`articles.public_changes.collected`): the search index and the cached pages are brought
    up to date once, when everything the request writes is written."""

    def _collected(self, view, request, *args, how="", **kwargs):
        if request.method in ("GET", "HEAD"):  # shows, never writes
            return view(request, *args, **kwargs)
        with transaction.atomic(using=router.db_for_write(self.model)):
            with public_changes.collected(user=request.user, how=how):
                return view(request, *args, **kwargs)

    def changeform_view(self, request, *args, **kwargs):
        return self._collected(super().changeform_view, request, *args, how="后台编辑", **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._collected(super().delete_view, request, *args, how="后台删除", **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._collected(
            super().changelist_view, request, *args, how="后台批量操作", **kwargs
        )


@admin.register(Category)
class CategoryAdmin(PublicChangesAdminMixin, admin.ModelAdmin):
    form = AutoSlugForm
    list_display = ["name", "slug", "parent", "sort_order", "show_in_nav", "article_count"]
    list_editable = ["sort_order", "show_in_nav"]
    list_filter = ["show_in_nav", "parent"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "description", "parent", "sort_order", "show_in_nav"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=count_of(Article, "category"))

    @admin.display(description="文章数", ordering="n_articles")
    def article_count(self, obj):
        url = reverse("admin:articles_article_changelist") + f"?category__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.n_articles)


@admin.register(Tag)
class TagAdmin(PublicChangesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "slug"]
    search_help_text = "按名称或网址名搜索"
    fields = ["name", "slug"]

    def get_queryset(self, request):
        through = Article.tags.through
        return super().get_queryset(request).annotate(n_articles=count_of(through, "tag"))

    @admin.display(description="文章数", ordering="n_articles")
    def article_count(self, obj):
        url = reverse("admin:articles_article_changelist") + f"?tags__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.n_articles)


class ReviewedInlineMixin:
    """Rows that belong to the article (FAQ entries, indicator links): an 编辑 changes those of a
    published article through a 主编 too, so they show read-only then."""

    def _waits_for_review(self, request, obj):
        return obj is not None and workflow.needs_review(request.user, obj)

    def has_add_permission(self, request, obj):
        return not self._waits_for_review(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._waits_for_review(request, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return not self._waits_for_review(request, obj) and super().has_delete_permission(
            request, obj
        )


class FAQInline(ReviewedInlineMixin, admin.TabularInline):
    model = FAQ
    extra = 0
    fields = ["question", "answer", "sort_order"]
    formfield_overrides = {
        models.TextField: {"widget": admin.widgets.AdminTextareaWidget(attrs={"rows": 3})}
    }


def flag_action(field, label, value):
    """设为/取消 头条·推荐·置顶 for the selected articles."""
    description = f"{'设为' if value else '取消'}{label}"

    def action(modeladmin, request, queryset):
        selected = queryset.exclude(**{field: value})
        held = 0
        if not may_publish(request.user):  # what readers see of a published article: 主编
            held = selected.filter(status=Article.Status.PUBLISHED).count()
            selected = selected.exclude(status=Article.Status.PUBLISHED)
        ids = list(selected.values_list("pk", flat=True))
        now = timezone.now()
        for batch in batched(ids):
            batch_qs = Article.objects.filter(pk__in=batch)
            batch_qs.update(
                **{field: value},
                updated_at=now,
                updated_by=request.user,
                version=F("version") + 1,
            )
            LogEntry.objects.log_actions(
                request.user.pk, batch_qs.only("pk", "title"), CHANGE, change_message=description
            )
        public_changes.articles_changed(ids, how=description, searched=False)
        text = f"已{description} {len(ids)} 篇文章。"
        if held:
            text += f"{held} 篇已发布的文章未改：已发布文章的标记由主编设定。"
        modeladmin.message_user(request, text, messages.SUCCESS)

    action.__name__ = f"{'set' if value else 'clear'}_{field}"
    return admin.action(permissions=["change"], description=description)(action)


FLAG_ACTIONS = [
    flag_action(field, label, value) for field, label in FLAGS for value in (True, False)
]


@admin.register(Article)
class ArticleAdmin(
    PublicChangesAdminMixin,
    ReviewAdminMixin,
    EngineImportExportMixin,
    PublishingAdminMixin,
    admin.ModelAdmin,
):
    resource_classes = [ArticleResource]  # import/export run articles.importing/exporting
    exporter = export_articles
    form = ArticleAdminForm
    list_display = [
        "title",
        "category",
        "publication_state",
        "published",
        "flags",
        "view_count",
        "updated_by",
        "updated",
    ]
    list_filter = [PublicationStateFilter, "category", FlagFilter, MineFilter]
    list_select_related = ["category", "updated_by"]
    list_per_page = 50
    # A changelist of 100,000 rows must not count the whole table on every page view.
    show_full_result_count = False
    search_fields = ["title", "summary", "source", "author"]
    search_help_text = "按标题、摘要、来源或作者搜索；输入数字按编号查找"
    date_hierarchy = "published_at"
    autocomplete_fields = ["tags", "related", "cover_image"]
    readonly_fields = ["view_count", "created_at", "created_by", "updated_at", "updated_by"]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "category", "opened_version"]}),
        (
            "发布",
            {
                "fields": [
                    ("status", "published_at", "expires_at"),
                    ("is_headline", "is_featured", "is_pinned"),
                ],
                "description": "已发布且到了发布时间才对读者可见；发布时间留空则为保存时刻。",
            },
        ),
        ("正文", {"fields": ["body"]}),
        ("摘要与来源", {"fields": ["summary", "keywords", ("source", "author"), "source_url"]}),
        ("标签与相关文章", {"fields": ["tags", "related"]}),
        ("封面图", {"fields": ["cover_image"]}),
        (
            "记录",
            {
                "fields": [
                    ("created_at", "created_by"),
                    ("updated_at", "updated_by"),
                    "view_count",
                ],
                "classes": ["collapse"],
            },
        ),
    ]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [FAQInline]
    actions = [
        "submit_selected",
        "approve_selected",
        "publish_selected",
        "unpublish_selected",
        *FLAG_ACTIONS,
    ]
    ordering = ["-updated_at", "-id"]  # a new draft, which has no date yet, comes first
    save_on_top = True

    class Media:
        css = {"all": ["css/admin.css", "css/admin-review.css"]}
        js = ["js/admin/unsaved-changes.js"]

    @admin.display(description="发布时间", ordering="published_at")
    def published(self, obj):
        return short_datetime(obj.published_at)

    @admin.display(description="更新时间", ordering="updated_at")
    def updated(self, obj):
        return short_datetime(obj.updated_at)

    @admin.display(description="标记")
    def flags(self, obj):
        return " · ".join(label for field, label in FLAGS if getattr(obj, field)) or "—"

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def view_on_site(self, obj):
        # Staff see drafts and scheduled articles there as a preview (articles.views).
        return obj.get_absolute_url()

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term.isascii() and term.isdigit() and len(term) < 16:  # not ², not ٣
            results |= queryset.filter(pk=int(term))
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.publication_message(request, form.instance)
