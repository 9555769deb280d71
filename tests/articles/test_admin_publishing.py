"""Who may publish (articles.publishing): 编辑 writes drafts, 主编 publishes; enforced on POST."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from articles.models import Article
from tests.admin_client import (
    CHANGELIST,
    change_url,
    post_action,
    post_add,
    post_change,
    split_datetime,
)
from tests.factories import make_article, make_articles, make_user

pytestmark = pytest.mark.django_db


def test_editor_posting_status_published_on_the_change_form_is_refused(client, editor):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    response = post_change(client, draft, title="改过的标题", status="published")
    assert response.status_code == 200  # 已发布 is not among an editor's choices
    assert "status" in response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert (draft.title, draft.status) != ("改过的标题", Article.Status.PUBLISHED)
    assert draft.status == Article.Status.DRAFT and draft.published_at is None


def test_editor_saves_a_draft_and_submits_it_for_review(client, editor):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    assert post_change(client, draft, title="改过的标题").status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.status, draft.updated_by) == (
        "改过的标题",
        Article.Status.DRAFT,
        editor,
    )
    assert post_change(client, draft, _submit_review="提交审核").status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW


def test_editor_cannot_move_the_date_of_a_published_article(client, editor):
    when = timezone.now() - timedelta(days=3)
    article = make_article(published_at=when)
    later = timezone.now() + timedelta(days=30)
    response = post_change(client, article, summary="新摘要", **split_datetime(later))
    assert response.status_code == 302
    article.refresh_from_db()
    # The date is read-only; the summary waits for a 主编 as a pending change.
    assert article.published_at == when.replace(microsecond=0) or article.published_at == when
    assert article.summary != "新摘要" and article.is_published()
    assert article.pending_change.values == {"summary": "新摘要"}


def test_editor_cannot_unpublish_through_the_change_form(client, editor):
    article = make_article()
    post_change(client, article, status="draft")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_editor_chooses_only_draft_or_review_and_sees_why(client, editor):
    response = client.get(change_url(make_article(status=Article.Status.DRAFT)))
    form = response.context["adminform"].form
    assert [value for value, _ in form.fields["status"].choices] == ["draft", "review"]
    assert "published_at" in form.fields  # a draft's intended date is the editor's to propose
    assert "expires_at" not in form.fields  # 下线时间 is the 主编's
    assert "发布、定时、撤回和下线由主编操作" in response.text
    live = client.get(change_url(make_article()))
    assert "status" not in live.context["adminform"].form.fields
    assert "你的修改保存后提交主编审核" in live.text


def test_editor_posting_status_published_on_the_add_form_is_refused(client, editor):
    response = post_add(client, title="编辑新写的稿子", status="published")
    assert response.status_code == 200
    assert not Article.objects.filter(title="编辑新写的稿子").exists()
    assert post_add(client, title="编辑新写的稿子", status="review").status_code == 302
    article = Article.objects.get(title="编辑新写的稿子")
    assert article.status == Article.Status.REVIEW
    assert not article.is_published()
    assert article.created_by == editor
    assert article.updated_by == editor


def test_editor_bulk_publish_is_refused_and_the_action_is_not_offered(client, editor):
    drafts = make_articles(2, status=Article.Status.DRAFT, published_at=None)
    page = client.get(CHANGELIST)
    choices = dict(page.context["action_form"].fields["action"].choices)
    assert "publish_selected" not in choices
    assert "unpublish_selected" not in choices
    assert "set_is_headline" in choices

    response = post_action(client, "publish_selected", drafts)
    assert response.status_code == 302
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == 0
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert any("未选择动作" in m or "没有选择" in m for m in messages), messages


def test_editor_cannot_unpublish_through_the_bulk_action(client, editor):
    article = make_article()
    post_action(client, "unpublish_selected", [article])
    article.refresh_from_db()
    assert article.is_published()


def test_chief_editor_publishes_from_the_change_form_and_the_date_is_filled(client, chief):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    before = timezone.now()
    response = post_change(client, draft, status="published")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at >= before.replace(microsecond=0)
    assert draft.is_published()
    assert client.logout() is None
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_chief_editor_publishes_from_the_add_form(client, chief):
    response = post_add(client, title="主编直接发布", status="published")
    assert response.status_code == 302
    article = Article.objects.get(title="主编直接发布")
    assert article.is_published()


def test_chief_editor_schedules_with_a_future_date_and_the_list_says_so(client, chief):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    when = timezone.now() + timedelta(days=2)
    response = post_change(client, draft, status="published", **split_datetime(when))
    followed = client.get(response.url)
    assert any("已定时发布" in str(m) for m in followed.context["messages"])
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED and not draft.is_published()
    listing = client.get(CHANGELIST)
    assert "pub-state-scheduled" in listing.text
    assert f"定时 {timezone.localtime(when):%m-%d %H:%M}" in listing.text


def test_chief_editor_bulk_publishes_keeping_dates_given_and_filling_missing_ones(client, chief):
    undated = make_article(status=Article.Status.DRAFT, published_at=None)
    future = timezone.now() + timedelta(days=1)
    scheduled = make_article(status=Article.Status.DRAFT, published_at=future)
    already = make_article()
    response = post_action(client, "publish_selected", [undated, scheduled, already])
    text = " ".join(str(m) for m in client.get(response.url).context["messages"])
    assert "已发布 2 篇文章" in text and "1 篇定时发布" in text and "1 篇原本已发布" in text
    undated.refresh_from_db()
    scheduled.refresh_from_db()
    assert undated.is_published() and undated.updated_by == chief
    assert scheduled.status == Article.Status.PUBLISHED and scheduled.published_at == future
    assert LogEntry.objects.filter(object_id=str(undated.pk), change_message="发布").exists()


def test_bulk_publish_from_a_filtered_list_counts_what_was_selected(client, chief):
    # The chief reviews one editor's articles: publishing makes the chief their last editor,
    # so afterwards the list's filter no longer matches the two it published.
    editor = make_user("bianji", groups=["编辑"])
    drafts = make_articles(2, status=Article.Status.DRAFT, published_at=None, updated_by=editor)
    already = make_article(updated_by=editor)
    data = {
        "action": "publish_selected",
        "_selected_action": [a.pk for a in [*drafts, already]],
        "index": 0,
    }
    response = client.post(f"{CHANGELIST}?updated_by={editor.pk}", data)
    text = " ".join(str(m) for m in client.get(response.url).context["messages"])
    assert "已发布 2 篇文章；1 篇原本已发布，未改动。" in text
    assert Article.objects.published().count() == 3


def test_chief_editor_unpublishes_in_bulk(client, chief):
    articles = make_articles(3)
    post_action(client, "unpublish_selected", articles[:2])
    assert Article.objects.published().count() == 1


def test_superuser_may_publish(client):
    client.force_login(make_user("root", is_superuser=True))
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    post_action(client, "publish_selected", [draft])
    draft.refresh_from_db()
    assert draft.is_published()
