"""The view counter: one more per read by a person, off the request's write path, exact under
concurrent reads and flushes, and not to be inflated by scripts."""

import os
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks import default_task_backend

from articles import view_counts
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
HERE = "http://testserver"


def count(client, article, user_agent=BROWSER, origin=HERE, address="203.0.113.7", **headers):
    if origin is not None:
        headers["origin"] = origin
    return client.post(
        f"/articles/{article.pk}/view/",
        headers={"user-agent": user_agent, **headers},
        REMOTE_ADDR=address,
    )


def stored(article):
    article.refresh_from_db()
    return article.view_count


@pytest.fixture(params=["file", "redis"])
def store(request, settings):
    """Both buffers: the SQLite file (no REDIS_URL) and Redis (when the run has REDIS_URL)."""
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("needs REDIS_URL")
        settings.REDIS_URL = os.environ["REDIS_URL"]
    else:
        settings.REDIS_URL = ""
    return view_counts.get_store()


@pytest.fixture
def no_flush_due(store, settings):
    """A flush has just run on another server: the next one is an hour away."""
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    assert store.flush_due(3600)
    return store


@pytest.mark.django_db
def test_a_read_is_buffered_then_flushed_and_the_reader_sees_it_at_once(client, no_flush_due):
    article = make_article(view_count=41)
    response = count(client, article)
    assert response.status_code == 200
    assert response.json() == {"view_count": 42, "counted": True}
    assert "no-cache" in response["Cache-Control"]
    assert stored(article) == 41  # the database was not written
    out = StringIO()
    call_command("flush_view_counts", stdout=out)
    assert out.getvalue().strip() == "flushed=1"
    assert stored(article) == 42
    assert count(client, article, address="198.51.100.2").json()["view_count"] == 43


@pytest.mark.django_db
def test_a_flood_of_readers_never_writes_to_the_site_database(client, no_flush_due):
    """On SQLite a write would take the lock editors' saves need: reads only read it."""
    article = make_article()
    with CaptureQueriesContext(connection) as queries:
        answers = [count(client, article, address=f"10.0.{n}.1").json() for n in range(50)]
    assert [a["view_count"] for a in answers] == list(range(1, 51))
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries)


@pytest.mark.django_db
def test_a_read_flushes_when_a_flush_is_due(client, store, settings):
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    first, second = make_article(view_count=5), make_article()
    count(client, first)  # the first read finds a flush due and runs it
    assert stored(first) == 6
    count(client, second)  # the next one is an hour away
    assert stored(second) == 0
    assert count(client, second, address="198.51.100.2").json()["view_count"] == 2


@pytest.mark.django_db
def test_a_flood_of_due_reads_queues_one_flush_job_and_no_reader_runs_it(client, store, settings):
    """The workers are busy (a long import): the readers do not flush, nor pile up jobs."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.VIEW_COUNT_FLUSH_SECONDS = 0  # a flush is always due
    article = make_article(view_count=5)
    for n in range(40):
        count(client, article, address=f"10.1.{n}.1")
    queued = default_task_backend.results
    assert [result.task.name for result in queued] == ["flush_buffered_reads"]
    assert stored(article) == 5  # no reader paid for a flush
    assert queued[0].task.call() == 40  # the worker's turn
    assert stored(article) == 45
    count(client, article, address="10.2.0.1")  # the job put the next flush 0 s ahead
    assert len(default_task_backend.results) == 2


@pytest.mark.django_db
def test_the_counter_works_without_a_csrf_token_because_cached_pages_carry_none(store):
    article = make_article()
    response = count(Client(enforce_csrf_checks=True), article)
    assert response.status_code == 200
    assert response.json()["counted"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["https://evil.example", "null", None, "http://testserver.evil"])
def test_reads_posted_from_other_sites_or_without_origin_are_refused(client, store, origin):
    article = make_article(view_count=7)
    for address in range(41):
        response = count(client, article, origin=origin, address=f"198.51.100.{address}")
        assert response.status_code == 403
    assert response.json() == {"error": "只统计本站页面上的阅读。"}
    call_command("flush_view_counts", stdout=StringIO())
    assert stored(article) == 7


@pytest.mark.django_db
def test_trusted_origins_count(client, store, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://portal.example.com"]
    article = make_article()
    assert count(client, article, origin="https://portal.example.com").json()["counted"] is True


@pytest.mark.django_db
def test_a_reader_reloading_counts_once_within_the_window(client, no_flush_due):
    article = make_article()
    answers = [count(client, article).json() for _ in range(20)]
    assert answers[0] == {"view_count": 1, "counted": True}
    assert answers[1:] == [{"view_count": 1, "counted": False}] * 19
    other = make_article()
    assert count(client, other).json()["counted"] is True  # another article is another read
    call_command("flush_view_counts", stdout=StringIO())
    assert (stored(article), stored(other)) == (1, 1)


@pytest.mark.django_db
def test_one_address_counts_at_most_its_limit_per_article(client, no_flush_due):
    """Many readers behind one address (an office) count, a script cycling User-Agents stops."""
    article = make_article()
    limit = view_counts.ADDRESS_LIMIT
    counted = [
        count(client, article, user_agent=f"{BROWSER} r{n}").json()["counted"]
        for n in range(limit + 10)
    ]
    assert counted == [True] * limit + [False] * 10
    assert count(client, article, address="198.51.100.9").json()["counted"] is True
    call_command("flush_view_counts", stdout=StringIO())
    assert stored(article) == limit + 1


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_address_is_the_reader(client, no_flush_due, settings):
    settings.NUM_PROXIES = 1
    article = make_article()
    readers = [f"198.51.100.{n}, 10.0.0.{n}" for n in range(3)]  # spoofed first part, then nginx's
    answers = [
        count(client, article, address="127.0.0.1", x_forwarded_for=forwarded).json()["counted"]
        for forwarded in readers * 2
    ]
    assert answers == [True, True, True, False, False, False]


@pytest.mark.django_db
@pytest.mark.parametrize("user_agent", CRAWLERS)
def test_crawlers_are_not_counted(client, store, user_agent):
    article = make_article(view_count=7)
    response = count(client, article, user_agent)
    assert response.json() == {"view_count": 7, "counted": False}
    call_command("flush_view_counts", stdout=StringIO())
    assert stored(article) == 7


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
def test_drafts_and_scheduled_are_not_counted(client, store):
    draft = make_article(status=Article.Status.DRAFT)
    assert count(client, draft).status_code == 404
    assert client.post("/articles/999999/view/", headers={"origin": HERE}).status_code == 404
    call_command("flush_view_counts", stdout=StringIO())
    assert stored(draft) == 0


@pytest.mark.django_db
def test_only_post_counts(client):
    article = make_article()
    assert client.get(f"/articles/{article.pk}/view/").status_code == 405
    assert stored(article) == 0


@pytest.mark.django_db
def test_the_article_page_itself_never_writes(client):
    article = make_article(view_count=3)
    response = client.get(article.get_absolute_url())
    assert f'data-view-url="/articles/{article.pk}/view/"' in response.text
    assert stored(article) == 3


@pytest.mark.django_db
def test_a_flush_killed_before_its_commit_loses_nothing(client, no_flush_due, monkeypatch):
    article = make_article()
    for n in range(5):
        count(client, article, address=f"198.51.100.{n}")

    def killed(counts):
        raise SystemExit("killed")

    with monkeypatch.context() as patched:
        patched.setattr(view_counts, "_add", killed)
        with pytest.raises(SystemExit):
            view_counts.flush_view_counts()
    assert stored(article) == 0
    assert view_counts.flush_view_counts() == 5
    assert stored(article) == 5


@pytest.mark.django_db
def test_a_flush_killed_after_its_commit_counts_nothing_twice(client, no_flush_due, monkeypatch):
    article = make_article()
    for n in range(5):
        count(client, article, address=f"198.51.100.{n}")

    def killed(*args):
        raise SystemExit("killed")

    with monkeypatch.context() as patched:
        patched.setattr(type(no_flush_due), "drop_through", killed)
        with pytest.raises(SystemExit):
            view_counts.flush_view_counts()
    assert stored(article) == 5
    count(client, article, address="198.51.100.99")
    assert view_counts.flush_view_counts() == 1
    assert stored(article) == 6
    assert count(client, article, address="198.51.100.100").json()["view_count"] == 7


@pytest.mark.django_db(transaction=True)
def test_concurrent_reads_and_flushes_are_counted_exactly(store, settings):
    """Several app servers at once: 8 threads, 300 reads by different readers; on PostgreSQL
    the threads flush as they go (one flush due every second), as servers do."""
    concurrent_flushes = connection.vendor != "sqlite"  # in-memory SQLite locks between threads
    settings.VIEW_COUNT_FLUSH_SECONDS = 1 if concurrent_flushes else 3600
    if not concurrent_flushes:
        store.flush_due(3600)
    articles = [make_article(), make_article()]

    def read(n):
        try:
            response = count(Client(), articles[n % 2], address=f"10.{n // 250}.{n % 250}.1")
            if concurrent_flushes and n % 25 == 0:
                view_counts.flush_view_counts()
            return response.json()["counted"]
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=8) as pool:
        counted = list(pool.map(read, range(300)))
    assert counted == [True] * 300
    view_counts.flush_view_counts()
    assert [stored(article) for article in articles] == [150, 150]
