"""The article admin's side of the editorial workflow (the rules are :mod:`articles.workflow`).

编辑 (editors) write drafts and submit them (待审); only users holding ``articles.publish_article``
(主编) put an article in front of readers, schedule it, take it down or set its 下线时间. The
form offers an 编辑 the states 草稿 and 待审 only, and shows a published article's state fields
read-only (read-only fields are left out of the form, so a forged POST value is ignored); the
save is checked again by :func:`~articles.workflow.state_change_error`. An 编辑's save of a
published article becomes its pending change (:func:`~articles.workflow.propose`). The publish,
unpublish and approve actions declare ``permissions=["publish"]``: Django drops them from the
action list of anyone without :meth:`PublishingAdminMixin.has_publish_permission` and refuses
them when posted anyway.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone
from django.utils.html import format_html

from . import public_changes, workflow
from .models import Article, PendingChange, may_publish, publication_time

BATCH_SIZE = 500  # keeps ``pk IN (...)`` under SQLite's parameter limit when "all" is selected


def batched(ids, size=BATCH_SIZE):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class PublicationState:
    DRAFT = "draft"
    REVIEW = "review"
    SCHEDULED = "scheduled"
    LIVE = "live"
    EXPIRED = "expired"
    LABELS = {DRAFT: "草稿", REVIEW: "待审", SCHEDULED: "定时", LIVE: "已发布", EXPIRED: "已下线"}

    @classmethod
    def of(cls, article, now=None) -> str:
        now = now or timezone.now()
        if article.status == Article.Status.REVIEW:
            return cls.REVIEW
        if article.status != Article.Status.PUBLISHED:
            return cls.DRAFT
        if article.published_at and article.published_at > now:
            return cls.SCHEDULED
        if article.expires_at and article.expires_at <= now:
            return cls.EXPIRED
        return cls.LIVE


class PublicationStateFilter(admin.SimpleListFilter):
    """草稿 / 待审 / 定时 / 已发布 / 已下线 — what readers see, not only the stored status — and
    有待审修改: the 主编's review queue is 待审 plus these."""

    title = "发布状态"
    parameter_name = "state"
    PENDING = "pending"
    RETURNED = "returned"

    def lookups(self, request, model_admin):
        return [
            *PublicationState.LABELS.items(),
            (self.PENDING, "有待审修改"),
            (self.RETURNED, "被退回给我"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = queryset.filter(status=Article.Status.PUBLISHED)
        match self.value():
            case PublicationState.DRAFT:
                return queryset.filter(status=Article.Status.DRAFT)
            case PublicationState.REVIEW:
                return queryset.filter(status=Article.Status.REVIEW)
            case PublicationState.SCHEDULED:
                return published.filter(published_at__gt=now)
            case PublicationState.LIVE:
                return queryset.published()
            case PublicationState.EXPIRED:
                return published.filter(expires_at__lte=now)
            case self.PENDING:
                return queryset.filter(pk__in=PendingChange.objects.waiting().values("article"))
            case self.RETURNED:  # sent back to the one looking
                return queryset.returned_to(request.user)
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
        if obj is not None and obj.status == Article.Status.PUBLISHED:
            note = "这篇文章已发布：你的修改保存后提交主编审核，通过前读者仍看到现在的版本。"
        else:
            note = "你可以保存草稿，或改为“待审”提交主编；发布、定时、撤回和下线由主编操作。"
        return [
            (name, {**options, "description": note})
            if "status" in _flat(options)
            else (name, options)
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("expires_at")
            if obj is not None and obj.status == Article.Status.PUBLISHED:
                fields += ["status", "published_at"]
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not self.has_publish_permission(request):
            kwargs["choices"] = [
                (value, label)
                for value, label in Article.Status.choices
                if value != Article.Status.PUBLISHED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Checked again on the server, then saved, or kept as a pending change."""
        stored = Article.objects.get(pk=obj.pk) if change else None
        state = workflow.STATE_FIELDS
        before = {name: getattr(stored, name) for name in state} if stored else None
        after = {name: form.cleaned_data[name] for name in state if name in form.cleaned_data}
        error = workflow.state_change_error(request.user, before, after)
        if error:
            raise PermissionDenied(error)
        if stored is not None and workflow.needs_review(request.user, stored):
            workflow.propose(stored, request.user, form.proposed_values(stored))
            request._article_proposed = True
            return
        if "_submit_review" in request.POST and obj.status == Article.Status.DRAFT:
            obj.status = Article.Status.REVIEW
        submitted = obj.status == Article.Status.REVIEW and (
            stored is None or stored.status != obj.status
        )
        if submitted:
            workflow.mark_submitted(obj, request.user)
        super().save_model(request, obj, form, change)
        if submitted:
            workflow.notify_submitted(obj, request.user)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "_article_proposed", False):
            return  # the tags and links wait with the rest of the pending change
        super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "_article_proposed", False):
            return "提交待审修改"
        return super().construct_change_message(request, form, formsets, add)

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
        # Publishing a 待审 article is its 通过: who submitted it hears, as from the 审核 page.
        approved = list(
            queryset.filter(status=Article.Status.REVIEW).select_related("submitted_by")
        )
        scheduled = 0
        for batch in batched(ids):
            batch_qs = Article.objects.filter(pk__in=batch)
            batch_qs.filter(published_at__isnull=True).update(
                published_at=publication_time(Article.Status.PUBLISHED, None, now)
            )
            batch_qs.update(
                status=Article.Status.PUBLISHED,
                review_note="",
                updated_at=now,
                updated_by=request.user,
                version=F("version") + 1,
            )
            scheduled += batch_qs.filter(published_at__gt=now).count()
            self._log(request, batch_qs, "发布")
        public_changes.articles_changed(ids, how="批量发布")
        workflow.notify_approved(approved, request.user)
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
            batch_qs.update(
                status=Article.Status.DRAFT,
                updated_at=now,
                updated_by=request.user,
                version=F("version") + 1,
            )
            self._log(request, batch_qs, "撤回为草稿")
        public_changes.articles_changed(ids, how="撤回为草稿")
        self.message_user(
            request, f"已把 {len(ids)} 篇文章撤回为草稿，读者不再能看到。", messages.SUCCESS
        )

    @admin.action(permissions=["change"], description="提交审核")
    def submit_selected(self, request, queryset):
        drafts = list(queryset.filter(status=Article.Status.DRAFT))
        workflow.submit(drafts, request.user)
        self.message_user(request, f"已提交 {len(drafts)} 篇文章待主编审核。", messages.SUCCESS)

    @admin.action(permissions=["publish"], description="审核通过（待审的发布，待审修改生效）")
    def approve_selected(self, request, queryset):
        waiting = queryset.awaiting_review()
        done, refused = 0, []
        for article in waiting:
            try:
                workflow.approve(article, request.user)
                done += 1
            except workflow.ReviewConflict:
                refused.append(str(article))
        text = f"已审核通过 {done} 篇文章。"
        if refused:
            text += f"{len(refused)} 篇在修改提交后又被保存过，未通过，请逐篇审核：" + "、".join(
                refused
            )
        self.message_user(request, text, messages.WARNING if refused else messages.SUCCESS)

    def _log(self, request, queryset, message):
        LogEntry.objects.log_actions(
            request.user.pk, queryset.only("pk", "title"), CHANGE, change_message=message
        )
