"""The editorial office: rights on every path, review before anything goes live, revisions, no
silent overwrites, imports that can be seen and undone (articles.workflow and friends)."""

import csv
import io
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from articles import public_changes, search, workflow
from articles import undo as undo_module
from articles.importing import ArticleImporter
from articles.models import Article, PendingChange
from articles.undo import plan_undo, undo
from hitech_portal import pagecache
from hitech_portal.imports.engine import run_import
from hitech_portal.imports.tables import Table
from hitech_portal.models import ImportRecord
from tests.admin_client import CHANGELIST, change_url, changeform_data, post_action, post_change
from tests.factories import make_article, make_tag, make_user

pytestmark = pytest.mark.django_db
Revision = Article.history.model


def revisions_of(article):
    return list(Revision.objects.filter(id=article.pk).order_by("history_id"))


def import_rows(rows, user=None, **options):
    return run_import(ArticleImporter, Table.from_dicts(rows), user=user, **options)


@pytest.fixture
def chief_user():
    return make_user("zhubian2", groups=["主编"], email="chief@example.com")


@pytest.fixture
def editor_user():
    return make_user("bianji2", groups=["编辑"], email="editor@example.com")


# --- one rule for the state, asked on every path -------------------------------------------------


DRAFT = {"status": "draft", "published_at": None, "expires_at": None}
LIVE = {"status": "published", "published_at": 1, "expires_at": None}


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        (None, {"status": "draft"}, True),
        (None, {"status": "review"}, True),
        (None, {"status": "published"}, False),
        (DRAFT, {"status": "review"}, True),
        (LIVE, {"status": "draft"}, False),
        (LIVE, {"published_at": 2}, False),
        (LIVE, {"published_at": 1}, True),  # an unchanged cell is no change
        (DRAFT, {"expires_at": 3}, False),
    ],
)
def test_one_rule_decides_what_an_editor_may_do_to_the_state(editor_user, before, after, allowed):
    assert (workflow.state_change_error(editor_user, before, after) is None) is allowed


def test_a_chief_and_the_command_without_a_user_may_do_anything(chief_user):
    assert workflow.state_change_error(chief_user, LIVE, {"status": "draft"}) is None
    assert workflow.state_change_error(None, LIVE, {"status": "draft"}) is None


# --- the import: an editor's file ----------------------------------------------------------------


def test_an_editor_cannot_withdraw_or_move_a_published_article_through_the_import(editor_user):
    live = make_article(title="已发布", source_url="https://e.gov.cn/1.html")
    scheduled = make_article(
        title="定时",
        published_at=timezone.now() + timedelta(days=2),
        source_url="https://e.gov.cn/2",
    )
    report = import_rows(
        [
            {"id": live.pk, "status": "草稿"},
            {"id": scheduled.pk, "published_at": "2024-01-01"},
        ],
        user=editor_user,
        on_error="skip",
    )
    assert [e.message for e in report.errors] == [
        "已发布文章的状态只能由主编改动",
        "已发布文章的发布时间只能由主编改动",
    ]
    live.refresh_from_db()
    scheduled.refresh_from_db()
    assert live.is_published() and scheduled.published_at > timezone.now()


def test_an_empty_status_cell_keeps_the_article_as_it_is(editor_user):
    live = make_article(title="已发布的文章")
    report = import_rows([{"id": live.pk, "title": live.title, "status": ""}], user=editor_user)
    assert report.summary() == "created=0 updated=0 unchanged=1 failed=0"
    live.refresh_from_db()
    assert live.is_published()


def test_an_editor_reimports_their_own_export_and_nothing_moves(client, editor_user):
    make_article(title="甲")
    make_article(title="乙", status=Article.Status.DRAFT)
    client.force_login(editor_user)
    exported = client.post(reverse("admin:articles_article_export"), {"format": "0"})
    assert "版本" in next(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    file = io.BytesIO(exported.content)
    report = run_import(ArticleImporter, file, name="文章.csv", user=editor_user)
    assert report.summary() == "created=0 updated=0 unchanged=2 failed=0"


def test_an_editor_fixes_a_typo_of_a_published_article_with_only_id_and_title(editor_user):
    live = make_article(title="园区产业稳步发屏")
    draft = make_article(title="草稿错字", status=Article.Status.DRAFT)
    report = import_rows(
        [{"id": live.pk, "title": "园区产业稳步发展"}, {"id": draft.pk, "title": "草稿没错字"}],
        user=editor_user,
    )
    assert report.summary() == "created=0 updated=2 unchanged=0 failed=0"
    assert [row.note for row in report.rows] == ["待主编审核", ""]
    live.refresh_from_db()
    draft.refresh_from_db()
    assert live.title == "园区产业稳步发屏"  # readers keep the approved title
    assert PendingChange.objects.get(article=live).values == {"title": "园区产业稳步发展"}
    assert draft.title == "草稿没错字"  # a draft is the editor's to change


def test_a_row_exported_before_someone_else_saved_is_refused(editor_user):
    article = make_article(title="原标题", status=Article.Status.DRAFT)
    version = article.version
    article.title = "主编改的标题"
    article.save()
    report = import_rows([{"id": article.pk, "title": "编辑改的标题", "version": version}])
    assert report.failed == 1
    assert "这篇文章在导出（第 1 版）之后已被修改（现在是第 2 版）" in str(report.errors[0])
    article.refresh_from_db()
    assert article.title == "主编改的标题"


def test_the_command_imports_as_a_named_user_with_their_rights(tmp_path, editor_user):
    path = tmp_path / "稿件.csv"
    path.write_text("标题,栏目,状态\n新稿,policy,已发布\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(path), "--user", "bianji2", stdout=out)
    assert "你没有发布权限" in out.getvalue()
    with pytest.raises(CommandError, match="没有这个用户"):
        call_command("import_articles", str(path), "--user", "nobody", stdout=StringIO())
    call_command("import_articles", str(path), stdout=StringIO())  # the server's own: all rights
    assert Article.objects.get(title="新稿").is_published()
    record = ImportRecord.objects.get(created=1)
    assert (record.file_name, record.via, record.user) == ("稿件.csv", "命令", None)


# --- review --------------------------------------------------------------------------------------


def approve(client, article):
    """通过, as the 主编 does it: from the review page, which says what they saw."""
    url = reverse("admin:articles_article_review", args=[article.pk])
    return client.post(url, {"_approve": "通过", "seen": client.get(url).context["seen"]})


def test_submit_send_back_resubmit_approve(
    client, editor_user, chief_user, django_capture_on_commit_callbacks
):
    draft = make_article(title="园区新政解读", status=Article.Status.DRAFT, created_by=editor_user)
    client.force_login(editor_user)
    with django_capture_on_commit_callbacks(execute=True):  # mail goes once committed
        post_change(client, draft, _submit_review="提交审核")
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    assert mail.outbox[-1].to == ["chief@example.com"]
    assert workflow.awaiting(chief_user)["review"] == 1

    client.force_login(chief_user)
    review = reverse("admin:articles_article_review", args=[draft.pk])
    assert "园区新政解读" in client.get(review).text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review, {"_send_back": "退回", "note": "标题太长，请精简"})
    draft.refresh_from_db()
    assert (draft.status, draft.review_note) == (Article.Status.DRAFT, "标题太长，请精简")
    assert "标题太长，请精简" in mail.outbox[-1].body and mail.outbox[-1].to == [
        "editor@example.com"
    ]
    assert workflow.awaiting(editor_user)["returned"] == 1

    client.force_login(editor_user)
    assert "标题太长，请精简" in client.get(change_url(draft)).text
    post_change(client, draft, title="园区新政", _submit_review="提交审核")
    client.force_login(chief_user)
    approve(client, draft)
    draft.refresh_from_db()
    assert draft.is_published() and draft.title == "园区新政"
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert [r.history_change_reason for r in revisions_of(draft)][-1] == "审核通过"


def test_an_import_that_puts_articles_in_review_submits_them_like_the_form(
    editor_user, chief_user, django_capture_on_commit_callbacks
):
    returned = make_article(title="被退回的稿", status=Article.Status.DRAFT, review_note="请补数据")
    with django_capture_on_commit_callbacks(execute=True):
        report = import_rows(
            [
                {"id": returned.pk, "status": "待审"},
                {"title": "导入的新稿", "category": "policy", "status": "待审"},
            ],
            user=editor_user,
        )
    assert report.summary() == "created=1 updated=1 unchanged=0 failed=0"
    assert [m.to for m in mail.outbox] == [["chief@example.com"]]  # one notice for the batch
    assert "2 篇" in mail.outbox[0].subject
    for article in Article.objects.all():
        assert (article.status, article.submitted_by, article.review_note) == (
            Article.Status.REVIEW,
            editor_user,
            "",
        )
    assert workflow.awaiting(chief_user)["review"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        workflow.send_back(Article.objects.get(title="导入的新稿"), chief_user, "来源不全")
    assert mail.outbox[-1].to == ["editor@example.com"]  # 退回 reaches who submitted
    assert workflow.awaiting(editor_user)["returned"] == 1


def test_readers_keep_the_approved_text_until_the_chief_approves_a_change(
    client, editor_user, chief_user
):
    live = make_article(title="批准的标题", body="<p>批准的正文</p>")
    client.force_login(editor_user)
    response = post_change(client, live, title="编辑改的标题", body="<p>编辑改的正文</p>")
    assert "修改已提交审核" in client.get(response.url).text
    assert "批准的标题" in client.get(live.get_absolute_url()).text
    assert "编辑改的标题" in client.get(change_url(live)).text  # the editor sees their change

    client.force_login(chief_user)
    review = client.get(reverse("admin:articles_article_review", args=[live.pk])).text
    assert "<del>批准</del>" in review and "<ins>编辑改</ins>" in review
    assert "批准的标题" in client.get(live.get_absolute_url()).text
    approve(client, live)
    client.logout()
    page = client.get(live.get_absolute_url()).text
    assert "编辑改的标题" in page and "编辑改的正文" in page
    assert not PendingChange.objects.exists()


def test_send_back_without_a_note_is_refused(client, chief_user):
    article = make_article(status=Article.Status.REVIEW)
    client.force_login(chief_user)
    url = reverse("admin:articles_article_review", args=[article.pk])
    response = client.post(url, {"_send_back": "退回", "note": " "}, follow=True)
    assert "退回时请写明意见" in response.text
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_the_queue_and_the_change_form_run_fixed_queries(
    client, chief_user, django_assert_max_num_queries
):
    article = make_article(status=Article.Status.REVIEW)
    client.force_login(chief_user)
    for n in range(3):
        article.title = f"第{n}稿"
        article.save()
    with django_assert_max_num_queries(40) as few:
        client.get(change_url(article))
    for n in range(30):
        article.title = f"第{n}次修改"
        article.save()
    with django_assert_max_num_queries(len(few)):
        client.get(change_url(article))
    with django_assert_max_num_queries(20) as queue:
        client.get(CHANGELIST + "?state=review")
    PendingChange.objects.create(article=make_article(), values={"title": "x"}, base_version=1)
    make_article(status=Article.Status.REVIEW)
    with django_assert_max_num_queries(len(queue)):
        client.get(CHANGELIST + "?state=review")
    with django_assert_max_num_queries(20) as history:
        client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert len(history) < 20


def test_bulk_submit_for_editors_and_bulk_approve_for_chiefs(
    client, editor_user, chief_user, django_capture_on_commit_callbacks
):
    drafts = [make_article(status=Article.Status.DRAFT) for _ in range(3)]
    client.force_login(editor_user)
    with django_capture_on_commit_callbacks(execute=True):
        post_action(client, "submit_selected", drafts)
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.REVIEW}
    assert [m.to for m in mail.outbox] == [["chief@example.com"]]  # one notice for the three
    assert "3 篇" in mail.outbox[0].subject
    assert "审核通过（待审的发布，待审修改生效）" not in client.get(CHANGELIST).text
    client.force_login(chief_user)
    post_action(client, "approve_selected", drafts)
    assert all(article.is_published() for article in Article.objects.all())


def test_publishing_review_articles_in_bulk_tells_who_submitted_them(
    client, editor_user, chief_user, django_capture_on_commit_callbacks
):
    drafts = [make_article(status=Article.Status.DRAFT, review_note="上次的意见") for _ in range(2)]
    client.force_login(editor_user)
    post_action(client, "submit_selected", drafts)
    client.force_login(chief_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_action(client, "publish_selected", drafts)
    assert all(article.is_published() for article in Article.objects.all())
    assert set(Article.objects.values_list("review_note", flat=True)) == {""}
    assert [m.to for m in mail.outbox] == [["editor@example.com"]] * 2
    assert all("已通过" in m.subject for m in mail.outbox)


# --- 下线时间 ------------------------------------------------------------------------------------


def test_an_article_goes_offline_at_its_expiry_everywhere(client, chief_user):
    soon = timezone.now() + timedelta(hours=1)
    article = make_article(title="限时公告：园区开放日", expires_at=soon)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert [hit.article.pk for hit in search.search("开放日")[:20]] == [article.pk]
    assert 3500 < pagecache.seconds_to_next_publication() <= 3600  # no page outlives it
    later = soon + timedelta(seconds=1)
    # By then the cache has let the page go (its timeout was capped at the expiry, above); a
    # shared cache (Redis) keeps its own clock, so let it go here.
    cache.clear()
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch("time.time", return_value=later.timestamp()),  # the cache's clock too
    ):
        assert client.get(article.get_absolute_url()).status_code == 404
        assert "限时公告" not in client.get("/").text
        assert search.search("开放日").count() == 0


# --- no silent overwrites ------------------------------------------------------------------------


def test_the_second_of_two_saves_from_the_same_version_is_refused_with_who_and_what(
    client, chief_user
):
    article = make_article(title="原来的标题", status=Article.Status.DRAFT)
    other = make_user("wang", groups=["主编"], first_name="王编辑")
    client.force_login(chief_user)
    mine = changeform_data(client.get(change_url(article)), title="我改的标题")
    client.force_login(other)
    post_change(client, article, title="王编辑改的标题")
    client.force_login(chief_user)
    response = client.post(change_url(article), mine)
    assert response.status_code == 200
    assert "已被 王编辑" in response.text and "你的修改没有保存" in response.text
    assert "<del>原来</del>" in response.text and "<ins>王编辑改</ins>" in response.text
    article.refresh_from_db()
    assert article.title == "王编辑改的标题"


# --- revisions -----------------------------------------------------------------------------------


def test_every_path_leaves_a_revision_saying_who_and_how(client, chief_user):
    article = make_article(title="起草", status=Article.Status.DRAFT)
    client.force_login(chief_user)
    post_change(client, article, title="后台改的")
    post_action(client, "publish_selected", [article])
    import_rows([{"id": article.pk, "title": "导入改的"}], user=chief_user, via="后台",
                file_name="文章.csv")  # fmt: skip
    import_rows([{"id": article.pk, "title": "导入改的"}], user=chief_user)  # unchanged
    reasons = [(r.history_change_reason, r.history_user) for r in revisions_of(article)]
    assert reasons[1:] == [
        ("后台编辑", chief_user),
        ("批量发布", chief_user),
        ("导入：文章.csv", chief_user),
    ]
    history = client.get(reverse("admin:articles_article_history", args=[article.pk])).text
    assert "导入：文章.csv" in history and "title" in history


def test_restoring_a_revision_goes_through_the_workflow(client, chief_user, editor_user):
    article = make_article(title="第一版标题", body="<p>第一版</p>")
    article.tags.set([make_tag(name="第一版标签")])
    first = revisions_of(article)[-1]
    article.title = "第二版标题"
    article.save()
    article.tags.set([])
    url = reverse("admin:articles_article_revision", args=[article.pk, first.history_id])
    client.force_login(editor_user)
    client.post(url)
    article.refresh_from_db()
    assert article.title == "第二版标题"  # published: the restore waits for a 主编
    assert PendingChange.objects.get(article=article).values["title"] == "第一版标题"
    client.force_login(chief_user)
    client.post(url)
    article.refresh_from_db()
    assert article.title == "第一版标题"
    assert list(article.tags.values_list("name", flat=True)) == ["第一版标签"]
    assert revisions_of(article)[-1].history_change_reason.startswith("恢复到")


# --- imports recorded and undone -----------------------------------------------------------------


def test_a_chief_undoes_an_import_and_only_when_nothing_was_edited_since(client, chief_user):
    kept = make_article(title="导入前的标题", status=Article.Status.DRAFT)
    report = import_rows(
        [{"id": kept.pk, "title": "导入改的标题"}, {"title": "导入新建", "category": "policy"}],
        user=chief_user,
        via="后台",
        file_name="第一批.csv",
    )
    assert report.summary() == "created=1 updated=1 unchanged=0 failed=0"
    record = ImportRecord.objects.get()
    assert (record.file_name, record.user, record.created, record.updated) == (
        "第一批.csv",
        chief_user,
        1,
        1,
    )
    client.force_login(chief_user)
    page = client.get(reverse("admin:hitech_portal_importrecord_change", args=[record.pk])).text
    assert "导入新建" in page and "撤销这次导入" in page
    client.post(reverse("admin:hitech_portal_importrecord_undo", args=[record.pk]))
    kept.refresh_from_db()
    assert kept.title == "导入前的标题"
    assert not Article.objects.filter(title="导入新建").exists()
    record.refresh_from_db()
    assert record.undone_by == chief_user


def retitled_by_import(user, count, before, after):
    """``count`` drafts titled ``before``0…, then an import (by ``user``) that retitles them
    ``after``0…: the drafts and the import's record."""
    articles = [
        make_article(title=f"{before}{n}", status=Article.Status.DRAFT) for n in range(count)
    ]
    import_rows(
        [{"id": article.pk, "title": f"{after}{n}"} for n, article in enumerate(articles)],
        user=user,
        via="后台",
    )
    return articles, ImportRecord.objects.get()


def test_an_import_edited_since_cannot_be_undone_and_says_which(
    chief_user, django_assert_num_queries
):
    articles, record = retitled_by_import(chief_user, 4, "甲", "乙")
    with public_changes.collected(user=chief_user):  # three edited by hand since
        for article in articles[:3]:
            article.refresh_from_db()
            article.title = article.title.replace("乙", "丙")
            article.save()
    with django_assert_num_queries(4):  # the same however many were edited since
        plan = plan_undo(record)
    assert not plan.possible
    assert sorted(title for _, title, _, _ in plan.edited_since) == ["丙0", "丙1", "丙2"]
    assert {who for _, _, who, _ in plan.edited_since} == {chief_user.get_username()}
    undo(record, chief_user)
    assert sorted(Article.objects.values_list("title", flat=True)) == ["丙0", "丙1", "丙2", "乙3"]
    record.refresh_from_db()
    assert record.undone_at is None


def test_a_big_import_is_undone_chunk_by_chunk_in_one_transaction(
    client, chief_user, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(undo_module, "CHUNK", 3)  # 7 revisions: 3 chunks
    changed = [make_article(title=f"导入前{n}", status=Article.Status.DRAFT) for n in range(3)]
    rows = [{"id": article.pk, "title": f"导入改{n}"} for n, article in enumerate(changed)]
    rows += [{"title": f"导入新建{n}", "category": "policy"} for n in range(4)]
    import_rows(rows, user=chief_user, via="后台")
    record = ImportRecord.objects.get()
    with django_assert_num_queries(4):  # a count, then one query per chunk and the empty end
        plan = plan_undo(record)
    assert (plan.restore, plan.remove, plan.possible) == (3, 4, True)
    client.force_login(chief_user)
    url = reverse("admin:hitech_portal_importrecord_undo", args=[record.pk])
    assert "3 篇被这次导入修改的文章恢复到导入前的版本，4 篇这次导入新建的文章被删除" in (
        client.get(url).text
    )
    done = []
    undo(record, chief_user, progress=lambda n, total: done.append((n, total)))
    assert done == [(0, 7), (3, 7), (6, 7), (7, 7)]
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "导入前0",
        "导入前1",
        "导入前2",
    ]
    assert not search.search("导入新建")[:10]
    record.refresh_from_db()
    assert record.undone_by == chief_user


def test_an_undo_stopped_in_a_later_chunk_writes_nothing(chief_user, monkeypatch):
    monkeypatch.setattr(undo_module, "CHUNK", 2)
    changed, record = retitled_by_import(chief_user, 4, "导入前", "导入改")
    chunks, restore = undo_module._chunks, undo_module._restore
    walks, restored = [], []

    def edited_meanwhile(record):  # in the undo's walk (after the plan's), the second chunk
        walks.append(1)  # finds an article saved since the plan by a write that took no lock
        for number, chunk in enumerate(chunks(record)):
            if len(walks) == 2 and number == 1:
                chunk.edited.append((changed[3].pk, None))
            yield chunk

    def restoring(pairs, user):
        restored.append([pk for pk, _ in pairs])
        restore(pairs, user)

    monkeypatch.setattr(undo_module, "_chunks", edited_meanwhile)
    monkeypatch.setattr(undo_module, "_restore", restoring)
    undo(record, chief_user)
    assert restored == [[changed[0].pk, changed[1].pk]]  # the first chunk went back …
    titles = sorted(Article.objects.values_list("title", flat=True))
    assert titles == ["导入改0", "导入改1", "导入改2", "导入改3"]  # … and came forward again
    record.refresh_from_db()
    assert record.undone_at is None


def test_the_plan_names_the_first_articles_edited_since_and_counts_them_all(
    chief_user, monkeypatch
):
    monkeypatch.setattr(undo_module, "LISTED", 2)
    articles, record = retitled_by_import(chief_user, 4, "甲", "乙")
    for article in articles:
        article.refresh_from_db()
        article.title = article.title.replace("乙", "丙")
        article.save()
    plan = plan_undo(record)
    assert (plan.edited, len(plan.edited_since)) == (4, 2)


def test_approval_is_refused_when_the_text_moved_after_it_was_seen_or_proposed(
    client, editor_user, chief_user
):
    live = make_article(title="批准的标题")
    client.force_login(editor_user)
    post_change(client, live, title="编辑改的标题")
    client.force_login(chief_user)
    url = reverse("admin:articles_article_review", args=[live.pk])
    seen = client.get(url).context["seen"]
    client.force_login(editor_user)
    post_change(client, live, summary="审核期间又改的摘要")  # after the 主编 looked
    client.force_login(chief_user)
    response = client.post(url, {"_approve": "通过", "seen": seen}, follow=True)
    assert "审核期间内容又有变动" in response.text
    live.refresh_from_db()
    assert live.title == "批准的标题"
    # A 主编 saves the article after the change was proposed: approving would undo that save.
    post_change(client, live, body="<p>主编的更正</p>")
    response = approve(client, live)
    assert "通过会覆盖那次保存" in client.get(response.url).text
    live.refresh_from_db()
    assert (live.title, live.body) == ("批准的标题", "<p>主编的更正</p>")
    # The way out the message names: 退回, the author revises on the latest text, 通过.
    url = reverse("admin:articles_article_review", args=[live.pk])
    client.post(url, {"_send_back": "退回", "note": "请在主编更正后的版本上改"})
    client.force_login(editor_user)
    assert workflow.awaiting(editor_user)["returned"] == 1
    post_change(client, live, title="编辑重改的标题")
    client.force_login(chief_user)
    approve(client, live)
    live.refresh_from_db()
    assert (live.title, live.body) == ("编辑重改的标题", "<p>主编的更正</p>")
    assert not PendingChange.objects.exists()
    assert workflow.awaiting(editor_user)["returned"] == 0


def test_a_change_to_an_article_withdrawn_meanwhile_waits_until_it_is_live_again(
    client, editor_user, chief_user
):
    live = make_article(title="已发布的标题")
    client.force_login(editor_user)
    post_change(client, live, title="编辑提议的标题")
    client.force_login(chief_user)
    post_action(client, "unpublish_selected", [live])
    assert workflow.awaiting(chief_user) == {"review": 0, "pending": 0, "returned": 0}
    assert live.pk not in client.get(CHANGELIST + "?state=pending").context["cl"].result_list
    # As a draft it is the 编辑's to edit directly, and 通过 of it publishes the draft itself.
    client.force_login(editor_user)
    post_change(client, live, title="草稿里改的标题", _submit_review="提交审核")
    client.force_login(chief_user)
    approve(client, live)
    live.refresh_from_db()
    assert (live.status, live.title) == (Article.Status.PUBLISHED, "草稿里改的标题")
    # Live again: the earlier proposal waits once more, for a 主编 to decide.
    assert workflow.awaiting(chief_user)["pending"] == 1


def test_two_editors_changes_wait_together_and_related_articles_can_be_approved(
    client, editor_user, chief_user
):
    live = make_article(title="原标题")
    other = make_article(title="另一篇")
    client.force_login(editor_user)
    post_change(client, live, title="编辑甲改的标题")
    client.force_login(make_user("bianji3", groups=["编辑"]))
    assert "编辑甲改的标题" in client.get(change_url(live)).text  # the change waiting so far
    post_change(client, live, summary="编辑乙补的摘要", related=[other.pk])
    assert set(PendingChange.objects.get().values) == {"title", "summary", "related"}
    client.force_login(chief_user)
    assert "另一篇" in client.get(reverse("admin:articles_article_review", args=[live.pk])).text
    approve(client, live)
    live.refresh_from_db()
    assert (live.title, live.summary) == ("编辑甲改的标题", "编辑乙补的摘要")
    assert list(live.related.all()) == [other]


def test_a_sent_back_change_leaves_the_queue_and_cannot_be_approved_in_bulk(
    client, editor_user, chief_user
):
    live = make_article(title="原标题")
    client.force_login(editor_user)
    post_change(client, live, title="错误的标题")
    client.force_login(chief_user)
    review = reverse("admin:articles_article_review", args=[live.pk])
    client.post(review, {"_send_back": "退回", "note": "标题有误"})
    assert list(client.get(CHANGELIST + "?state=pending").context["cl"].result_list) == []
    post_action(client, "approve_selected", [live])
    live.refresh_from_db()
    assert live.title == "原标题"
    client.force_login(editor_user)
    returned = client.get(CHANGELIST + "?state=returned").context["cl"].result_list
    assert list(returned) == [live]
