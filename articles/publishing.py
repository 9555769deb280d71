"""Who may publish, enforced on the server.

编辑 (editors) write and edit; only users holding ``articles.publish_article`` (主编) may put an
article in front of readers or take it down again. For everyone else the admin shows ``status``
read-only, and ``published_at`` too once the article is published: read-only fields are left out
of the form, so a forged POST value is ignored, not trusted. The publish and unpublish actions
declare ``permissions=["publish"]``: Django drops them from the action list of anyone without
:meth:`PublishingAdminMixin.has_publish_permission` and refuses them when posted anyway.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone
from django.utils.html import format_html

from . import public_changes
from .models import Article, may_publish

BATCH_SIZE = 500  # keeps ``pk IN (...)`` under SQLite's parameter limit when "all" is selected


def batched(ids, size=BATCH_SIZE):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class PublicationState:
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    LIVE = "live"
    LABELS = {DRAFT: "草稿", SCHEDULED: "定时", LIVE: "已发布"}

    @classmethod
    def of(cls, article, now=None) -> str:
        if article.status != Article.Status.PUBLISHED:
            return cls.DRAFT
        if article.published_at and article.published_at > (now or timezone.now()):
            return cls.SCHEDULED
        return cls.LIVE


class PublicationStateFilter(admin.SimpleListFilter):
    """草稿 / 定时 / 已发布 — what readers see, not only the stored status."""

    title = "发布状态"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return list(PublicationState.LABELS.items())

    def queryset(self, request, queryset):
        now = timezone.now()
        published = Article.Status.PUBLISHED
        if self.value() == PublicationState.DRAFT:
            return queryset.exclude(status=published)
        if self.value() == PublicationState.SCHEDULED:
            return queryset.filter(status=published, published_at__gt=now)
        if self.value() == PublicationState.LIVE:
            return queryset.published()
        return queryset


def _flat(options):
    for entry in options.get("fields", []):
        yield from entry if isinstance(entry, list | tuple) else [entry]


class PublishingAdminMixin:
    """The publish rules of the article admin, in one place."""

    def has_publish_permission(self, request, obj=None):
        """What ``@admin.action(permissions=["publish"])`` asks (articles.models.may_publish)."""
        return may_publish(request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_publish_permission(request):
            return fieldsets
        note = "发布、定时和撤回由主编操作；你可以保存草稿，并为草稿拟定发布时间。"
        return [
            (name, {**options, "description": note})
            if "status" in _flat(options)
            else (name, options)
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("status")
            if obj is not None and obj.status == Article.Status.PUBLISHED:
                fields.append("published_at")
        return fields

    @admin.display(description="发布状态", ordering="status")
    def publication_state(self, obj):
        state = PublicationState.of(obj)
        label = PublicationState.LABELS[state]
        if state == PublicationState.SCHEDULED:
            when = timezone.localtime(obj.published_at).strftime("%m-%d %H:%M")
            label = f"{label} {when}"
        return format_html('<span class="pub-state pub-state-{}">{}</span>', state, label)

    def publication_message(self, request, obj):
        """After a save: tell the editor where the article now stands."""
        state = PublicationState.of(obj)
        if state == PublicationState.SCHEDULED:
            when = timezone.localtime(obj.published_at).strftime("%Y-%m-%d %H:%M")
            self.message_user(request, f"「{obj}」已定时发布，将于 {when} 对读者可见。")
        elif state == PublicationState.DRAFT and not self.has_publish_permission(request):
            self.message_user(request, f"「{obj}」是草稿，读者看不到；发布由主编操作。")

    @admin.action(permissions=["publish"], description="发布所选文章（定时的到时可见）")
    def publish_selected(self, request, queryset):
        now = timezone.now()
        # Counted before anything changes: the list's filter may no longer match what it publishes.
        selected = queryset.count()
        ids = list(queryset.exclude(status=Article.Status.PUBLISHED).values_list("pk", flat=True))
        scheduled = 0
        for batch in batched(ids):
            batch_qs = Article.objects.filter(pk__in=batch)
            batch_qs.filter(published_at__isnull=True).update(published_at=now)
            batch_qs.update(
                status=Article.Status.PUBLISHED, updated_at=now, updated_by=request.user
            )
            scheduled += batch_qs.filter(published_at__gt=now).count()
            self._log(request, batch_qs, "发布")
        public_changes.articles_changed(ids)
        text = f"已发布 {len(ids)} 篇文章"
        if scheduled:
            text += f"，其中 {scheduled} 篇定时发布，到时才对读者可见"
        skipped = selected - len(ids)
        if skipped:
            text += f"；{skipped} 篇原本已发布，未改动"
        self.message_user(request, text + "。", messages.SUCCESS)

    @admin.action(permissions=["publish"], description="撤回为草稿")
    def unpublish_selected(self, request, queryset):
        now = timezone.now()
        ids = list(queryset.filter(status=Article.Status.PUBLISHED).values_list("pk", flat=True))
        for batch in batched(ids):
            batch_qs = Article.objects.filter(pk__in=batch)
            batch_qs.update(status=Article.Status.DRAFT, updated_at=now, updated_by=request.user)
            self._log(request, batch_qs, "撤回为草稿")
        public_changes.articles_changed(ids)
        self.message_user(
            request, f"已把 {len(ids)} 篇文章撤回为草稿，读者不再能看到。", messages.SUCCESS
        )

    def _log(self, request, queryset, message):
        LogEntry.objects.log_actions(
            request.user.pk, queryset.only("pk", "title"), CHANGE, change_message=message
        )
