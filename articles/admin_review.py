"""The article admin's review and revision pages (the rules are :mod:`articles.workflow`).

- 审核 (``<id>/review/``): what an article submitted for review, or a pending change of a
  published one, would change — side by side against what readers see now — with 通过 and 退回
  (a note to the author). For 主编s.
- 历史 (``<id>/history/``): every revision, newest first, who made it, how (后台编辑,
  导入：文章.csv, 审核通过 …) and which fields it changed; a fixed number of queries however long
  the history.
- A revision (``<id>/revisions/<revision>/``): what it changed against the one before, and 恢复 —
  its title, text, tags and the rest back, through the same rules as an edit: a published article
  restored by an 编辑 becomes a pending change. State fields (状态, 发布时间, 下线时间) are not
  restored: publishing stays a separate decision.
"""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import router, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from . import public_changes, revisions, workflow
from .models import Article, Category, PendingChange, Tag, may_publish

EDITING_SECONDS = 600  # how long an opened form counts as "someone is editing"
HISTORY_PAGE = 50


class ReviewAdminMixin:
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/review/", wrap(self.review_view), name="articles_article_review"),
            path(
                "<int:object_id>/revisions/<int:revision_id>/",
                wrap(self.revision_view),
                name="articles_article_revision",
            ),
            *super().get_urls(),
        ]

    # --- the change form ------------------------------------------------------------------------
    def get_object(self, request, object_id, from_field=None):
        """An 编辑 reopening a published article they already changed sees their pending change."""
        article = super().get_object(request, object_id, from_field)
        if article is None or not workflow.needs_review(request.user, article):
            return article
        pending = PendingChange.objects.filter(article=article).first()
        if pending is not None:  # every 编辑 continues the one pending change, not the live text
            values = workflow.pending_values(pending)
            article._pending_m2m = {
                name: values.pop(name) for name in ("tags", "related") if name in values
            }
            if "tags" in article._pending_m2m:
                names = article._pending_m2m["tags"]
                found = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
                # Names proposed by an import that are no tag yet stay typed (tag_field.py).
                article._pending_m2m["tags"] = [found.get(n, f"new:{n}") for n in names]
            for name, value in values.items():
                setattr(article, Article._meta.get_field(name).attname, value)
        return article

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {**(extra_context or {}), **self.review_context(request, object_id)}
        return super().change_view(request, object_id, form_url, context)

    def review_context(self, request, object_id) -> dict:
        if not str(object_id).isdigit():
            return {}  # the admin sends an unknown id back to the list itself
        article = Article.objects.filter(pk=object_id).only("status", "review_note").first()
        if article is None:
            return {}
        pending = workflow.pending_of(article)
        editing_key = f"editing:article:{object_id}"
        editing = cache.get(editing_key)
        me = request.user.get_full_name() or request.user.get_username()
        if request.method == "GET":
            cache.set(editing_key, (request.user.pk, me), EDITING_SECONDS)
        return {
            "pending_change": pending,
            "awaits_review": _awaits_review(article, pending),
            "may_review": may_publish(request.user),
            "returned_note": article.review_note if article.status == Article.Status.DRAFT else "",
            "someone_editing": editing[1] if editing and editing[0] != request.user.pk else "",
        }

    def response_change(self, request, obj):
        if getattr(request, "_article_proposed", False):
            self.message_user(
                request,
                f"你对「{obj}」的修改已提交审核：主编通过前，读者仍看到现在的版本。",
                messages.SUCCESS,
            )
            if "_continue" in request.POST:
                return HttpResponseRedirect(request.path)
            return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
        return super().response_change(request, obj)

    # --- 审核 -------------------------------------------------------------------------------------
    def review_view(self, request, object_id):
        if not may_publish(request.user):
            raise PermissionDenied
        article = get_object_or_404(Article, pk=object_id)
        pending = workflow.pending_of(article)
        if request.method == "POST":
            try:
                with transaction.atomic(using=router.db_for_write(Article)):
                    if "_approve" in request.POST:
                        seen = request.POST.get("seen", "")
                        done = workflow.approve(article, request.user, seen=seen)
                    else:
                        note = request.POST.get("note", "").strip()
                        if not note:
                            messages.error(request, "退回时请写明意见，作者才知道要改什么。")
                            return HttpResponseRedirect(request.path)
                        done = workflow.send_back(article, request.user, note)
            except workflow.ReviewConflict as conflict:
                messages.error(request, str(conflict))
                return HttpResponseRedirect(request.path)
            self.message_user(request, f"「{article}」{done}。", messages.SUCCESS)
            queue = reverse("admin:articles_article_changelist") + "?state=review"
            return HttpResponseRedirect(queue)
        if pending is not None:
            changes = revisions.compare(article, workflow.pending_values(pending))
        else:
            published = (
                Article.history.filter(id=article.pk, status=Article.Status.PUBLISHED)
                .order_by("-history_id")
                .first()
            )
            latest = Article.history.filter(id=article.pk).order_by("-history_id").first()
            changes = revisions.compare(published, latest or article)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"审核：{article}",
            "article": article,
            "pending_change": pending,
            "changes": changes,
            "awaits_review": _awaits_review(article, pending),
            "seen": workflow.review_state(article, pending),
        }
        return TemplateResponse(request, "admin/articles/article/review.html", context)

    # --- 历史 and revisions ----------------------------------------------------------------------
    def history_view(self, request, object_id, extra_context=None):
        if not str(object_id).isdigit():
            raise Http404("没有这篇文章。")
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        all_revisions = Article.history.filter(id=article.pk).select_related("history_user")
        page = Paginator(all_revisions.order_by("-history_id"), HISTORY_PAGE).get_page(
            request.GET.get("p")
        )
        rows = list(page.object_list)
        # The revision before the page's last one, so its changes can be listed too: one query.
        before_last = (
            all_revisions.filter(history_id__lt=rows[-1].history_id).order_by("-history_id").first()
            if rows
            else None
        )
        categories = dict(Category.objects.values_list("pk", "name"))
        entries = [
            (revision, revisions.compare(older, revision, categories))
            for revision, older in zip(rows, [*rows[1:], before_last], strict=True)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"「{article}」的修订历史",
            "article": article,
            "entries": entries,
            "page": page,
        }
        return TemplateResponse(request, "admin/articles/article/revision_history.html", context)

    def revision_view(self, request, object_id, revision_id):
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        revision = get_object_or_404(Article.history, id=article.pk, history_id=revision_id)
        if request.method == "POST":
            if not self.has_change_permission(request, article):
                raise PermissionDenied
            return self.restore(request, article, revision)
        previous = (
            Article.history.filter(id=article.pk, history_id__lt=revision.history_id)
            .order_by("-history_id")
            .first()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"「{article}」的一个修订",
            "article": article,
            "revision": revision,
            "changes": revisions.compare(previous, revision),
            "against_now": revisions.compare(article, revisions.revision_values(revision)),
            "may_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/revision.html", context)

    def restore(self, request, article, revision):
        values = revisions.revision_values(revision)
        for name in workflow.STATE_FIELDS:
            values.pop(name, None)
        when = timezone.localtime(revision.history_date).strftime("%Y-%m-%d %H:%M")
        with transaction.atomic(using=router.db_for_write(Article)):
            if workflow.needs_review(request.user, article):
                workflow.propose(article, request.user, values)
                text = f"已把「{article}」恢复到 {when} 的版本，待主编审核后生效。"
            else:
                with public_changes.collected(user=request.user, how=f"恢复到 {when} 的版本"):
                    article.updated_by = request.user
                    workflow.apply_values(article, values)
                text = f"已把「{article}」恢复到 {when} 的版本。"
        self.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))


def _awaits_review(article, pending) -> bool:
    """A submitted article, or a pending change not sent back: something for a 主编 to decide."""
    return article.status == Article.Status.REVIEW or (
        pending is not None and pending.returned_at is None
    )
