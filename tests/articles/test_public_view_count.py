"""The view counter: one more per read by a person, exact under concurrent reads."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from articles.crawlers import is_crawler
from articles.models import Article
from tests.factories import make_article

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CRAWLERS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
    "(compatible; Bytespider; spider-feedback@bytedance.com)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 "
    "Safari/537.36",
    "curl/8.5.0",
    "",
]


def count(client, article, user_agent=BROWSER):
    return client.post(f"/articles/{article.pk}/view/", headers={"user-agent": user_agent})


@pytest.mark.django_db
def test_a_read_adds_one_and_answers_the_new_count(client):
    article = make_article(view_count=41)
    response = count(client, article)
    assert response.status_code == 200
    assert response.json() == {"view_count": 42, "counted": True}
    assert "no-cache" in response["Cache-Control"]
    article.refresh_from_db()
    assert article.view_count == 42


@pytest.mark.django_db
def test_the_counter_works_without_a_csrf_token_because_cached_pages_carry_none():
    article = make_article()
    response = count(Client(enforce_csrf_checks=True), article)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("user_agent", CRAWLERS)
def test_crawlers_are_not_counted(client, user_agent):
    article = make_article(view_count=7)
    response = count(client, article, user_agent)
    assert response.json() == {"view_count": 7, "counted": False}
    article.refresh_from_db()
    assert article.view_count == 7


@pytest.mark.parametrize(
    "user_agent",
    [
        BROWSER,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
        "Mozilla/5.0 (Linux; Android 14; 2211133C Build/UKQ1.230804.001; wv) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/122.0 Mobile Safari/537.36 XWEB/1220053 "
        "MMWEBSDK/20240404 MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin",
    ],
)
def test_browsers_including_wechat_are_people(user_agent):
    assert not is_crawler(user_agent)


@pytest.mark.django_db
def test_drafts_and_scheduled_are_not_counted(client):
    draft = make_article(status=Article.Status.DRAFT)
    assert count(client, draft).status_code == 404
    draft.refresh_from_db()
    assert draft.view_count == 0
    assert client.post("/articles/999999/view/").status_code == 404


@pytest.mark.django_db
def test_only_post_counts(client):
    article = make_article()
    assert client.get(f"/articles/{article.pk}/view/").status_code == 405
    article.refresh_from_db()
    assert article.view_count == 0


@pytest.mark.django_db
def test_the_article_page_itself_never_writes(client, django_assert_max_num_queries):
    article = make_article(view_count=3)
    response = client.get(article.get_absolute_url())
    assert f'data-view-url="/articles/{article.pk}/view/"' in response.text
    article.refresh_from_db()
    assert article.view_count == 3


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database locks whole tables between threads",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_reads_are_counted_exactly():
    article = make_article()

    def read(_):
        try:
            return count(Client(), article).status_code
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(read, range(200)))
    assert statuses == [200] * 200
    article.refresh_from_db()
    assert article.view_count == 200
