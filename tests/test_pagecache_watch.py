"""With Redis, each process keeps a copy of the page versions that Redis keeps current (client
tracking): a cached page is answered without a round trip, and a save on another app server
still retires it here."""

import os
import time

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from hitech_portal import pagecache
from tests.factories import make_article

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL"),
]


def eventually(check, seconds: float = 3.0):
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {seconds} s")
        time.sleep(0.01)


@pytest.fixture
def watched():
    """The default cache is Redis in this run; its watcher, once a page was read from it."""
    assert type(caches["default"]).__name__ == "ResilientRedisCache"
    return pagecache._watched(caches["default"])


@pytest.fixture
def other_server():
    """What another app server does when an editor saves there: the rows change, and the
    generation and the versions of the tags the save reaches move on (``pagecache.retire``),
    with nothing said to this process."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])

    def save(article, title):
        Article.objects.filter(pk=article.pk).update(title=title)  # no signal: not this process
        for key in (pagecache.GENERATION_KEY, pagecache.VERSION_PREFIX + f"article:{article.pk}"):
            client.incr(caches["default"].make_key(key))

    yield save
    client.close()


def served_from_cache(client, url) -> str:
    with CaptureQueriesContext(connection) as queries:
        text = client.get(url).text
    assert len(queries) == 0, "the page was rendered again"
    return text


def cached_article(client, watched):
    """An article whose page is stored, with this process watching the versions."""
    article = make_article(title="园区新闻甲")
    url = article.get_absolute_url()
    client.get(url)  # rendered and stored
    client.get(url)  # a hit: its versions read from Redis, and the watcher started
    eventually(lambda: watched.live)
    return article, url


def test_a_cached_page_is_answered_without_asking_redis(client, watched, monkeypatch):
    _, url = cached_article(client, watched)
    client.get(url)  # the versions copied

    def no_round_trip(*args, **kwargs):
        raise AssertionError("a hit asked Redis for the versions")

    monkeypatch.setattr(caches["default"]._cache.get_client(), "mget", no_round_trip)
    assert "园区新闻甲" in served_from_cache(client, url)


def test_a_save_on_another_app_server_retires_the_page_here(client, watched, other_server):
    article, url = cached_article(client, watched)
    assert "园区新闻甲" in served_from_cache(client, url)

    other_server(article, "园区新闻乙")
    eventually(lambda: "园区新闻乙" in client.get(url).text)  # Redis pushed the change here
    assert "园区新闻乙" in served_from_cache(client, url)  # and the new page is kept


def test_a_save_in_this_process_retires_the_page_at_once(client, watched):
    article, url = cached_article(client, watched)
    article.title = "园区新闻乙"
    article.save()
    assert "园区新闻乙" in client.get(url).text  # no waiting for Redis's message


def test_without_the_watching_connection_every_hit_asks_redis(client, watched, other_server):
    article, url = cached_article(client, watched)
    redis.Redis.from_url(os.environ["REDIS_URL"]).client_kill_filter(_type="pubsub")
    eventually(lambda: not watched.live)  # the copy is dropped with the connection

    other_server(article, "园区新闻乙")  # no message can come: the page is checked in Redis
    assert "园区新闻乙" in client.get(url).text
    eventually(lambda: watched.live)  # a read from Redis started watching again


def test_values_read_before_a_change_came_in_are_not_kept(watched):
    keys = [pagecache.VERSION_PREFIX + "article:1"]
    pagecache.read_versions(keys, create=True)
    pagecache.read_versions(keys)
    eventually(lambda: watched.live)
    name = caches["default"].make_key(keys[0])
    epoch = watched.epoch  # a read begins…
    watched.forget([name])  # …a change comes in while it waits for Redis…
    watched.fill([name], [b"1"], epoch)  # …so what it read may be older: not copied
    assert watched.get_many([name]) is None


def test_a_part_used_again_costs_no_round_trip(client, watched, monkeypatch):
    make_article(title="园区新闻甲")
    client.get("/")  # the generation read from Redis, the watcher started
    eventually(lambda: watched.live)
    calls = []
    pagecache.kept("navigation-test", lambda: calls.append(1) or ["导航"], 60)

    def no_round_trip(*args, **kwargs):
        raise AssertionError("a kept part was read from Redis again")

    monkeypatch.setattr(caches["pages"], "get", no_round_trip)
    monkeypatch.setattr(caches["default"], "get", no_round_trip)
    assert pagecache.kept("navigation-test", lambda: calls.append(1) or ["导航"], 60) == ["导航"]
    assert calls == [1]
