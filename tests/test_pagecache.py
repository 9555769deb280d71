"""The page cache: anonymous readers get stored pages, every write retires them, staff never."""

import gzip as gzip_module
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.middleware.locale import LocaleMiddleware
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path as route
from django.utils import timezone

from api import filters as api_filters
from api.filters import ObservationFilter
from api.views import Pages
from articles.filters import ArticleFilter
from articles.forms import SearchForm
from articles.importing import ArticleImporter
from articles.models import Article, Category
from hitech_portal import middleware, pagecache
from hitech_portal import urls as site_urls
from hitech_portal.imports.engine import run_import
from hitech_portal.imports.tables import Table
from hitech_portal.pagecache import (
    QUERY_PARAMETERS,
    current_generation,
    invalidate_pages,
    seconds_to_next_publication,
)
from tests.factories import (
    make_article,
    make_articles,
    make_indicator,
    make_observation,
    make_user,
)

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


def test_staff_never_get_a_cached_page_nor_leave_one(client, monkeypatch):
    path = make_article(title="园区企业数据发布").get_absolute_url()
    client.get(path)  # stored for readers
    answered, stored = [], []
    get, store = pagecache.PageLookup.get, pagecache.PageLookup.set

    def spy_get(lookup):
        response = get(lookup)
        answered.append(response is not None)
        return response

    def spy_set(lookup, *args, **kwargs):
        stored.append(lookup.key)
        return store(lookup, *args, **kwargs)

    monkeypatch.setattr(pagecache.PageLookup, "get", spy_get)
    monkeypatch.setattr(pagecache.PageLookup, "set", spy_set)
    client.force_login(make_user())
    assert "园区企业数据发布" in client.get(path).text
    assert (answered, stored) == ([], [])  # staff: rendered for them, and not stored
    client.logout()
    assert "园区企业数据发布" in client.get(path).text
    assert (answered, stored) == ([True], [])  # readers: the page stored before


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
        client.get(path)  # fills what the page reads from the shared cache (the navigation)
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


def test_page_cache_seconds_zero_turns_it_off(client, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 0
    looked_up = []
    monkeypatch.setattr(pagecache, "PageLookup", lambda request: looked_up.append(request.path))
    path = make_article(title="园区企业数据发布").get_absolute_url()
    for _ in range(2):
        assert "园区企业数据发布" in client.get(path).text
    assert client.get("/").status_code == 200
    assert looked_up == []  # every page rendered, none looked up or stored


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


def imported_rows(count: int) -> list[dict]:
    return [
        {"title": f"导入的文章{i}", "category": "policy", "status": "published",
         "published_at": f"2024-05-{i + 1:02d} 09:00"}
        for i in range(count)
    ]  # fmt: skip


def test_an_import_retires_its_pages_again_at_commit_with_one_hook(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as at_commit:
        report = run_import(ArticleImporter, Table.from_dicts(imported_rows(3)), batch_size=1)
    assert report.created == 3
    assert len(at_commit) == 1  # one set for the whole file, not one per batch of rows
    # A reader stores the home page while the import's transaction is still open …
    assert "导入的文章0" in client.get("/").text
    Article.objects.filter(title="导入的文章0").update(title="提交时的标题")  # no retiring
    assert "导入的文章0" in client.get("/").text
    at_commit[0]()  # … and the import commits: that page goes.
    assert "提交时的标题" in client.get("/").text


def test_an_import_too_big_to_name_its_pages_retires_every_page_at_commit(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(pagecache, "AT_COMMIT_TAGS", 4)
    zone_news = Category.objects.get(slug="zone-news")
    elsewhere = make_article(title="另一栏目的文章", category=zone_news)
    with django_capture_on_commit_callbacks() as at_commit:
        run_import(ArticleImporter, Table.from_dicts(imported_rows(5)), batch_size=2)
    path = elsewhere.get_absolute_url()
    assert "另一栏目的文章" in client.get(path).text  # no imported article shows here
    Article.objects.filter(pk=elsewhere.pk).update(title="提交时的标题")  # no retiring
    assert "另一栏目的文章" in client.get(path).text
    (retire_all,) = at_commit
    retire_all()
    assert "提交时的标题" in client.get(path).text


def greeting(request):
    """A page that reads the session: it varies on Cookie."""
    return HttpResponse(f"你好，{request.session.get('name', '读者')}")


urlpatterns = [route("greeting/", greeting), *site_urls.urlpatterns]


@pytest.mark.urls("tests.test_pagecache")
def test_a_page_read_from_a_session_is_never_served_to_other_readers(client):
    session = client.session
    session["name"] = "张三"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert client.get("/greeting/").text == "你好，张三"
    assert Client().get("/greeting/").text == "你好，读者"


def test_gzip_and_plain_readers_each_get_their_own_stored_copy(django_assert_num_queries):
    path = make_article(title="园区企业数据发布").get_absolute_url()
    gzip, plain = Client(headers={"accept-encoding": "gzip, br"}), Client()
    gzip.get(path), plain.get(path)
    with django_assert_num_queries(0):
        zipped, unzipped = gzip.get(path), plain.get(path)
    assert zipped["Content-Encoding"] == "gzip"
    assert "园区企业数据发布" in gzip_module.decompress(zipped.content).decode()
    assert not unzipped.has_header("Content-Encoding")
    assert "园区企业数据发布" in unzipped.text
    assert "Accept-Encoding" in zipped["Vary"]


def test_a_cached_page_is_answered_before_session_locale_and_login(client, monkeypatch):
    path = "/zh-hant" + make_article(title="园区企业数据发布").get_absolute_url()
    client.get(path)
    ran = []
    for middleware_class in (SessionMiddleware, LocaleMiddleware, AuthenticationMiddleware):
        monkeypatch.setattr(middleware_class, "process_request", lambda self, r: ran.append(r))
    response = client.get(path)
    assert "園區企業數據發佈" in response.text
    assert ran == []


def test_head_is_answered_from_the_get_entry_and_fills_it(client, django_assert_num_queries):
    first, second = make_article(), make_article()
    client.get(first.get_absolute_url())
    client.head(second.get_absolute_url())
    with django_assert_num_queries(0):
        head = client.head(first.get_absolute_url())
        get = client.get(second.get_absolute_url())
    assert head.status_code == 200 and head.content == b""
    assert int(head["Content-Length"]) > 0
    assert second.title in get.text


def test_unknown_query_parameters_create_no_entries(client):
    article = make_article(title="园区企业数据发布")
    client.get("/")
    Article.objects.filter(pk=article.pk).update(title="已改的标题")  # no save(): no invalidation
    assert "园区企业数据发布" in client.get("/?utm_source=weixin").text  # the entry without it
    invalidate_pages()
    assert "已改的标题" in client.get("/?utm_source=weixin&from=timeline").text
    Article.objects.filter(pk=article.pk).update(title="又改的标题")
    assert "又改的标题" in client.get("/?utm_source=weixin&from=timeline").text  # not stored


def test_known_query_parameters_are_those_the_pages_read():
    read = set(ArticleFilter.base_filters) | set(SearchForm().fields) | {"page"}
    api = set(api_filters.ArticleFilter.base_filters) | set(ObservationFilter.base_filters)
    api |= {"q", Pages.page_query_param, Pages.page_size_query_param, "format"}
    assert read | api == set(QUERY_PARAMETERS)


def test_api_filters_and_page_sizes_are_never_answered_from_another_entry(client):
    indicator = make_indicator(slug="gdp")
    make_observation(indicator=indicator, period="2024", region="全国")
    make_observation(indicator=indicator, period="2024", region="北京")
    make_articles(3)
    observations = "/api/indicators/gdp/observations/"
    assert client.get(observations).json()["count"] == 2
    assert client.get(observations, {"region": "北京"}).json()["count"] == 1
    assert len(client.get("/api/articles/").json()["results"]) == 3
    assert len(client.get("/api/articles/", {"page_size": 1}).json()["results"]) == 1


def test_a_flood_of_query_strings_evicts_neither_generation_nor_schedule(client, settings):
    """Even with a store that empties itself when full (CULL_FREQUENCY 0)."""
    small = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    small["OPTIONS"] = {"MAX_ENTRIES": 30, "CULL_FREQUENCY": 0}
    settings.CACHES = {
        **settings.CACHES,
        "default": {**small, "LOCATION": "flood-default"},
        "pages": {**small, "LOCATION": "flood-pages"},
    }
    article = make_article(title="园区企业数据发布")
    make_article(title="定时发布的文章", published_at=timezone.now() + timedelta(hours=1))
    invalidate_pages()
    generation = current_generation()
    category = article.category.get_absolute_url()
    for n in range(40):
        assert client.get(category, {"source": f"来源{n}"}).status_code == 200
    assert current_generation() == generation
    assert 3500 < seconds_to_next_publication() <= 3600


def test_stored_pages_answer_conditional_requests_with_304(client, django_assert_num_queries):
    path = make_article().get_absolute_url()
    first = client.get(path)
    assert first["ETag"] and first["Last-Modified"]
    with django_assert_num_queries(0):
        by_etag = client.get(path, headers={"if-none-match": first["ETag"]})
        by_date = client.get(path, headers={"if-modified-since": first["Last-Modified"]})
    assert (by_etag.status_code, by_date.status_code) == (304, 304)
    assert by_etag.content == b""
    assert client.get(path, headers={"if-none-match": '"other"'}).status_code == 200


def test_public_pages_let_a_cdn_keep_them_briefly_and_browsers_revalidate(client, settings):
    settings.CDN_CACHE_SECONDS = 60
    path = make_article().get_absolute_url()
    for response in (client.get(path), client.get(path)):  # stored, then from the store
        words = {word.strip() for word in response["Cache-Control"].split(",")}
        assert words == {"public", "max-age=0", "s-maxage=60", "stale-while-revalidate=60"}
    client.force_login(make_user())
    assert "public" not in client.get(path).get("Cache-Control", "")


def test_each_use_of_a_kept_part_gets_objects_of_its_own():
    first = pagecache.kept("part-test", lambda: {"cards": ["甲", "乙"]}, 60)
    first["cards"].append("丙")  # a caller changing what it was given
    assert pagecache.kept("part-test", lambda: {"cards": []}, 60) == {"cards": ["甲", "乙"]}


def test_a_kept_part_is_not_used_past_its_time(monkeypatch):
    assert pagecache.kept("part-test", lambda: "旧", 60) == "旧"
    later = time.time() + 61
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    assert pagecache.kept("part-test", lambda: "新", 60) == "新"
