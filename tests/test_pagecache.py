"""The page cache: anonymous readers get stored pages, every write retires them, staff never."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.importing import ArticleImporter
from articles.models import Article
from hitech_portal import middleware
from hitech_portal.imports.engine import run_import
from hitech_portal.imports.tables import Table
from hitech_portal.pagecache import invalidate_pages, seconds_to_next_publication
from tests.factories import make_article, make_indicator, make_observation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversions(monkeypatch):
    """Counts conversions of HTML pages to traditional."""
    calls = []
    convert = middleware.CONVERTERS["text/html"]

    def counting(text):
        calls.append(1)
        return convert(text)

    monkeypatch.setitem(middleware.CONVERTERS, "text/html", counting)
    return calls


def test_a_cached_page_is_served_without_database_queries(client, django_assert_num_queries):
    article = make_article(title="园区企业数据发布")
    path = article.get_absolute_url()
    first = client.get(path)
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second.status_code == 200
    assert second.content == first.content
    assert "园区企业数据发布" in second.text


def test_a_cached_traditional_page_costs_no_conversion(client, conversions):
    path = "/zh-hant" + make_article(title="园区企业数据发布").get_absolute_url()
    assert "園區企業數據發佈" in client.get(path).text
    assert "園區企業數據發佈" in client.get(path).text
    assert len(conversions) == 1


def test_simplified_and_traditional_are_cached_apart(client, django_assert_num_queries):
    path = make_article(title="园区企业数据发布").get_absolute_url()
    client.get(path), client.get("/zh-hant" + path)
    with django_assert_num_queries(0):
        simplified, traditional = client.get(path), client.get("/zh-hant" + path)
    assert "园区企业数据发布" in simplified.text
    assert "園區企業數據發佈" in traditional.text


def test_every_query_string_is_its_own_page(client):
    article = make_article(title="园区企业数据发布")
    path = article.category.get_absolute_url()
    client.get(path + "?page=1")
    Article.objects.filter(pk=article.pk).update(title="已改的标题")  # no save(): no invalidation
    assert "园区企业数据发布" in client.get(path + "?page=1").text  # the stored page
    assert "已改的标题" in client.get(path + "?page=1&ordering=-view_count").text


@pytest.mark.parametrize("prefix", ["", "/zh-hant"])
def test_saving_an_article_retires_the_cached_pages(
    client, prefix, django_capture_on_commit_callbacks
):
    article = make_article(title="园区企业数据发布")
    client.get(prefix + "/"), client.get(prefix + article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        article.title = "园区企业年报发布"
        article.save()
    assert callbacks  # once more when the transaction commits
    for path in (prefix + "/", prefix + article.get_absolute_url()):
        text = client.get(path).text
        assert "园区企业年报发布" in text or "園區企業年報發佈" in text, path


def test_deleting_and_other_models_retire_the_cached_pages(client):
    article = make_article(title="园区企业数据发布")
    client.get("/")
    article.delete()
    assert "园区企业数据发布" not in client.get("/").text

    observation = make_observation(indicator=make_indicator(slug="zones"), value=178)
    client.get("/indicators/zones/")
    observation.value = 179
    observation.save()
    assert "179" in client.get("/indicators/zones/").text


def test_staff_never_get_a_cached_page_nor_leave_one(client):
    article = make_article(title="园区企业数据发布")
    path = article.get_absolute_url()
    client.get(path)  # stored for readers
    Article.objects.filter(pk=article.pk).update(title="已改的标题")
    client.force_login(make_user())
    assert "已改的标题" in client.get(path).text  # staff: fresh
    client.logout()
    assert "园区企业数据发布" in client.get(path).text  # readers: the stored page


def test_a_staff_preview_is_never_cached_for_readers(client):
    draft = make_article(title="尚未发布的稿件", status=Article.Status.DRAFT)
    client.force_login(make_user(groups=["编辑"]))
    assert "尚未发布的稿件" in client.get(draft.get_absolute_url()).text
    assert "尚未發佈的稿件" in client.get("/zh-hant" + draft.get_absolute_url()).text
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/zh-hant" + draft.get_absolute_url()).status_code == 404


def test_errors_and_never_cache_responses_are_not_stored(client, django_assert_num_queries):
    for path in ("/articles/999999/", "/healthz"):  # a 404; never_cache
        with CaptureQueriesContext(connection) as first:
            client.get(path)
        with django_assert_num_queries(len(first)):  # rendered again, the same queries
            client.get(path)
        assert len(first) > 0


@pytest.mark.parametrize(
    "personal",
    [
        lambda request, response: response.set_cookie("seen", "1"),
        lambda request, response: get_token(request),  # a form with the reader's CSRF token
        lambda request, response: request.session.__setitem__("step", 1),
    ],
    ids=["sets a cookie", "uses the CSRF token", "writes the session"],
)
def test_personal_responses_are_rendered_afresh_each_time(rf, personal):
    rendered = []

    def view(request):
        response = HttpResponse(f"第{len(rendered) + 1}次")
        rendered.append(response)
        personal(request, response)
        return response

    cached = middleware.PageCacheMiddleware(view)
    for _ in range(2):
        request = rf.get("/")
        request.user, request.session, request.LANGUAGE_CODE = (
            AnonymousUser(),
            SessionStore(),
            "zh-hans",
        )
        cached(request)
    assert len(rendered) == 2


def test_page_cache_seconds_zero_turns_it_off(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    path = make_article().get_absolute_url()
    with CaptureQueriesContext(connection) as first:
        client.get(path)
    with django_assert_num_queries(len(first)):
        client.get(path)
    assert len(first) > 0


def test_a_scheduled_article_appears_at_its_time_on_cached_pages(client):
    due = timezone.now() + timedelta(seconds=1)
    make_article(title="定时发布的文章", published_at=due)
    assert "定时发布的文章" not in client.get("/").text  # stored, but only until the article is due
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 1.1)
    assert "定时发布的文章" in client.get("/").text


def test_invalidate_pages_retires_pages_after_bulk_writes(client):
    article = make_article(title="园区企业数据发布")
    client.get("/")
    Article.objects.filter(pk=article.pk).update(title="批量更新的标题")
    assert "园区企业数据发布" in client.get("/").text
    invalidate_pages()  # what the importer calls after bulk_create()/update()
    assert "批量更新的标题" in client.get("/").text


def test_publishing_scheduled_drafts_in_bulk_notes_their_time():
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    due = timezone.now() + timedelta(minutes=5)
    Article.objects.filter(pk=draft.pk).update(published_at=due)  # dated without save()
    assert seconds_to_next_publication() is None
    chief = Client()
    chief.force_login(make_user(groups=["主编"]))
    chief.post(
        "/admin/articles/article/", {"action": "publish_selected", "_selected_action": [draft.pk]}
    )
    assert 290 < seconds_to_next_publication() <= 300


def test_importing_scheduled_articles_notes_their_time():
    due = timezone.localtime() + timedelta(days=2)
    rows = [
        {"title": "定时发布的文章", "category": "policy", "status": "published",
         "published_at": due.strftime("%Y-%m-%d %H:%M")},
    ]  # fmt: skip
    report = run_import(ArticleImporter, Table.from_dicts(rows))
    assert report.created == 1
    assert 2 * 86400 - 120 < seconds_to_next_publication() <= 2 * 86400
