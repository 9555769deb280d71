"""The editors' admin: who may publish (enforced on POST), the list editors work from, the form."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_prose_editor.config import allowlist_from_extensions

from articles.admin_forms import BODY_EXTENSIONS
from articles.models import Article, Category
from articles.sanitize import ALLOWED_TAGS
from hitech_portal import pagecache
from tests.admin_client import changeform_data, split_datetime
from tests.factories import make_article, make_articles, make_category, make_tag, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def post_change(client, article, **overrides):
    data = changeform_data(client.get(change_url(article)), **overrides)
    return client.post(change_url(article), data)


def post_add(client, **overrides):
    fields = {"title": "新园区揭牌", "category": make_category().pk, "body": "<p>正文</p>"}
    data = changeform_data(client.get(ADD), **(fields | overrides))
    return client.post(ADD, data)


def post_action(client, action, articles):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [a.pk for a in articles], "index": 0},
    )


# --- 编辑 cannot publish; 主编 can -------------------------------------------------------------


def test_editor_posting_status_published_on_the_change_form_keeps_a_draft(client, editor):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    response = post_change(client, draft, title="改过的标题", status="published")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "改过的标题"  # the draft itself was saved
    assert draft.status == Article.Status.DRAFT
    assert draft.published_at is None
    assert draft.updated_by == editor


def test_editor_cannot_move_the_date_of_a_published_article(client, editor):
    when = timezone.now() - timedelta(days=3)
    article = make_article(published_at=when)
    later = timezone.now() + timedelta(days=30)
    response = post_change(client, article, summary="新摘要", **split_datetime(later))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.summary == "新摘要"
    assert article.published_at == when.replace(microsecond=0) or article.published_at == when
    assert article.is_published()


def test_editor_cannot_unpublish_through_the_change_form(client, editor):
    article = make_article()
    post_change(client, article, status="draft")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_editor_sees_status_read_only_with_a_hint(client, editor):
    response = client.get(change_url(make_article(status=Article.Status.DRAFT)))
    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "published_at" in form.fields  # a draft's intended date is the editor's to propose
    assert "草稿" in response.text
    assert "发布、定时和撤回由主编操作" in response.text


def test_editor_posting_status_published_on_the_add_form_creates_a_draft(client, editor):
    response = post_add(client, title="编辑新写的稿子", status="published")
    assert response.status_code == 302
    article = Article.objects.get(title="编辑新写的稿子")
    assert article.status == Article.Status.DRAFT
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


# --- flags --------------------------------------------------------------------------------------


def test_flag_actions_set_and_clear_headline(client, editor):
    articles = make_articles(2)
    post_action(client, "set_is_headline", articles)
    assert Article.objects.filter(is_headline=True).count() == 2
    post_action(client, "clear_is_headline", articles[:1])
    assert list(Article.objects.filter(is_headline=True)) == [articles[1]]
    listing = client.get(CHANGELIST + "?flag=is_headline")
    assert list(listing.context["cl"].result_list) == [articles[1]]
    assert "头条" in listing.text


# --- the list ------------------------------------------------------------------------------------


def changelist_queries(client, url=CHANGELIST):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_changelist_runs_a_fixed_number_of_queries(client, chief, django_assert_max_num_queries):
    category = make_category()
    tag = make_tag()
    make_articles(5, category=category, tags=[tag], updated_by=chief)
    few, _ = changelist_queries(client)
    make_articles(25, category=make_category(), tags=[tag], updated_by=make_user())
    make_articles(3, status=Article.Status.DRAFT, published_at=None)
    many, response = changelist_queries(client)
    assert len(response.context["cl"].result_list) == 33
    assert many == few
    with django_assert_max_num_queries(10):
        client.get(CHANGELIST + "?state=live&q=高新区")


def test_changelist_columns_and_chinese(client, chief):
    article = make_article(title="中关村科技园新政", source="科技日报", updated_by=chief)
    make_article(status=Article.Status.DRAFT, published_at=None, title="未完成的稿子")
    response = client.get(CHANGELIST)
    text = response.text
    for heading in ("标题", "栏目", "发布状态", "发布时间", "标记", "点击", "最后修改人"):
        assert heading in text
    assert "选择 文章 来修改" in text or "选择文章来修改" in text
    assert article.title in text and "zhubian" in text
    assert "草稿" in text and "已发布" in text


def test_changelist_filters_by_state_and_searches_title_source_and_id(client, chief):
    live = make_article(title="光谷发布年度报告", source="湖北日报")
    scheduled = make_article(published_at=timezone.now() + timedelta(hours=5))
    draft = make_article(status=Article.Status.DRAFT)

    def shown(query):
        return set(client.get(CHANGELIST + query).context["cl"].result_list)

    assert shown("?state=live") == {live}
    assert shown("?state=scheduled") == {scheduled}
    assert shown("?state=draft") == {draft}
    assert shown("?q=湖北日报") == {live}
    assert shown("?q=光谷") == {live}
    assert shown(f"?q={draft.pk}") == {draft}


def test_changelist_mine_filter_and_date_drill_down(client, editor):
    mine = make_article(created_by=editor, published_at=timezone.now() - timedelta(days=400))
    make_article()
    assert list(client.get(CHANGELIST + "?mine=created").context["cl"].result_list) == [mine]
    year = timezone.localtime(mine.published_at).year
    response = client.get(CHANGELIST + f"?published_at__year={year}")
    assert mine in response.context["cl"].result_list


def test_tag_list_links_to_its_articles(client, chief):
    tag = make_tag(name="集成电路")
    tagged = make_article(tags=[tag])
    make_article()
    response = client.get(reverse("admin:articles_tag_changelist"))
    assert f"?tags__id__exact={tag.pk}" in response.text
    listing = client.get(CHANGELIST + f"?tags__id__exact={tag.pk}")
    assert list(listing.context["cl"].result_list) == [tagged]


# --- the form ------------------------------------------------------------------------------------


def test_body_is_sanitised_by_the_one_allow_list_when_saved_from_the_admin(client, chief):
    article = make_article()
    hostile = (
        '<h2>小标题</h2><p onclick="x()">段落<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">坏链接</a><iframe src="https://evil.example"></iframe>'
        "<table><tbody><tr><td>格</td></tr></tbody></table><blockquote>引文</blockquote>"
    )
    post_change(client, article, body=hostile)
    article.refresh_from_db()
    for bad in ("script", "onclick", "javascript:", "iframe", "alert"):
        assert bad not in article.body
    for kept in ("<h2>小标题</h2>", "<td>格</td>", "<blockquote>引文</blockquote>"):
        assert kept in article.body


def test_untouched_editor_saves_an_empty_body(client, chief):
    post_add(client, title="只有标题", body="<p></p>")
    assert Article.objects.get(title="只有标题").body == ""


def test_every_element_the_editor_offers_survives_the_sanitiser():
    offered = allowlist_from_extensions(BODY_EXTENSIONS)["tags"]
    assert offered <= ALLOWED_TAGS
    assert {"h2", "h3", "h4", "ul", "ol", "table", "a", "img", "blockquote", "strong"} <= offered
    assert "h1" not in offered


def test_change_form_loads_the_rich_text_editor_and_its_files_exist(client, chief):
    response = client.get(change_url(make_article()))
    text = response.text
    assert "data-django-prose-editor-configurable" in text
    for path in (
        "django_prose_editor/editor.js",
        "django_prose_editor/configurable.js",
        "django_prose_editor/editor.css",
        "js/admin/prose-editor-zh.js",
        "css/admin.css",
    ):
        assert f"/static/{path}" in text
        assert finders.find(path), path


def test_tags_and_related_use_autocomplete_and_tags_are_searchable(client, editor):
    make_tag(name="人工智能")
    make_tag(name="生物医药")
    response = client.get(ADD)
    assert "admin-autocomplete" in response.text
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "article", "field_name": "tags", "term": "人工"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["人工智能"]


def test_an_article_cannot_be_its_own_related_article(client, chief):
    article = make_article()
    other = make_article()
    response = post_change(client, article, related=[article.pk, other.pk])
    assert response.status_code == 200
    assert "不能把本文设为自己的相关文章" in response.text
    assert post_change(client, article, related=[other.pk]).status_code == 302
    assert list(article.related.all()) == [other]


def test_faq_entries_are_edited_inline_in_order(client, editor):
    article = make_article()
    data = changeform_data(client.get(change_url(article)))
    data.update(
        {
            "faqs-TOTAL_FORMS": 2,
            "faqs-0-question": "第二个问题",
            "faqs-0-answer": "答二",
            "faqs-0-sort_order": 2,
            "faqs-1-question": "第一个问题",
            "faqs-1-answer": "答一",
            "faqs-1-sort_order": 1,
        }
    )
    assert client.post(change_url(article), data).status_code == 302
    assert [f.question for f in article.faqs.all()] == ["第一个问题", "第二个问题"]


def test_view_on_site_previews_a_draft_for_staff(client, editor):
    draft = make_article(status=Article.Status.DRAFT)
    response = client.get(change_url(draft))
    assert f'href="{draft.get_absolute_url()}"' in response.text
    assert "预览" in response.text
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "预览" in preview.text
    live = make_article()
    assert "在站点上查看" in client.get(change_url(live)).text


# --- search index and page cache follow admin writes ---------------------------------------------


@pytest.fixture
def index_calls(monkeypatch):
    calls = {"index": [], "remove": []}
    monkeypatch.setattr("articles.search.index_articles", lambda ids: calls["index"].append(ids))
    monkeypatch.setattr("articles.search.remove_articles", lambda ids: calls["remove"].append(ids))
    return calls


def test_saving_reindexes_with_tags_and_invalidates_pages(
    client, chief, index_calls, django_capture_on_commit_callbacks
):
    article = make_article()
    tag = make_tag(name="新材料")
    generation = pagecache.current_generation()
    with django_capture_on_commit_callbacks(execute=True):
        post_change(client, article, tags=[tag.pk])
    assert index_calls["index"] == [[article.pk]]
    assert list(article.tags.all()) == [tag]
    assert pagecache.current_generation() > generation


def test_publish_action_reindexes_and_invalidates(
    client, chief, index_calls, django_capture_on_commit_callbacks
):
    draft = make_article(status=Article.Status.DRAFT)
    generation = pagecache.current_generation()
    with django_capture_on_commit_callbacks(execute=True):
        post_action(client, "publish_selected", [draft])
    assert index_calls["index"] == [[draft.pk]]
    assert pagecache.current_generation() > generation


def test_deleting_removes_from_the_index(
    client, chief, index_calls, django_capture_on_commit_callbacks
):
    doomed = make_articles(2)
    generation = pagecache.current_generation()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            CHANGELIST,
            {
                "action": "delete_selected",
                "_selected_action": [a.pk for a in doomed],
                "post": "yes",
            },
        )
    assert Article.objects.count() == 0
    assert sorted(index_calls["remove"][0]) == sorted(a.pk for a in doomed)
    assert pagecache.current_generation() > generation


def test_editors_cannot_delete_articles(client, editor):
    article = make_article()
    response = client.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_category_slug_is_made_from_the_name_when_left_blank(client, chief):
    response = client.post(
        reverse("admin:articles_category_add"),
        {
            "name": "新能源汽车",
            "slug": "",
            "description": "",
            "sort_order": 20,
            "show_in_nav": "on",
        },
    )
    assert response.status_code == 302
    assert Category.objects.get(name="新能源汽车").slug == "xin-neng-yuan-qi-che"


def test_date_drill_down_offers_years_then_months_without_scanning_every_row(client, chief):
    shanghai = ZoneInfo("Asia/Shanghai")
    make_article(published_at=datetime(2021, 3, 5, 9, 0, tzinfo=shanghai))
    make_article(published_at=datetime(2024, 1, 1, 0, 30, tzinfo=shanghai))  # 2023 in UTC
    make_article(published_at=datetime(2024, 6, 30, 23, 0, tzinfo=shanghai))
    make_article(status=Article.Status.DRAFT, published_at=None)
    text = client.get(CHANGELIST).text
    for year in (2021, 2022, 2023, 2024):
        assert f"?published_at__year={year}" in text
    assert "published_at__year=2020" not in text and "published_at__year=2025" not in text
    months = client.get(CHANGELIST + "?published_at__year=2024")
    assert len(months.context["cl"].result_list) == 2
    assert "published_at__month=1" in months.text and "published_at__month=6" in months.text
    assert "published_at__month=7" not in months.text


def test_renaming_or_deleting_a_tag_reindexes_its_articles(
    client, chief, index_calls, django_capture_on_commit_callbacks
):
    tag = make_tag(name="新材料")
    tagged = make_article(tags=[tag])
    make_article()
    url = reverse("admin:articles_tag_change", args=[tag.pk])
    assert client.post(url, {"name": "先进材料", "slug": tag.slug}).status_code == 302
    assert index_calls["index"] == [[tagged.pk]]
    generation = pagecache.current_generation()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:articles_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert index_calls["index"][-1] == [tagged.pk]
    assert list(tagged.tags.all()) == []
    assert pagecache.current_generation() > generation
