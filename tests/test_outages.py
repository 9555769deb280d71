"""When PostgreSQL or Redis is away: readers get a friendly 503 for the first, pages as usual for
the second (a cache that cannot be reached is a miss), and /healthz says which is failing.
The drills that stop the real services under load are bench/drills/."""

import pytest
from django.db import OperationalError
from django.test import Client

from hitech_portal import views as site_views
from tests.factories import make_article

pytestmark = pytest.mark.django_db

NOWHERE = "redis://127.0.0.1:8169/0"  # nothing listens there


def test_a_database_that_is_away_gives_readers_a_503_page_without_traceback(monkeypatch):
    def database_gone(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(site_views, "key_figures", database_gone)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "<h1>网站暂时无法访问</h1>" in page and "返回首页" in page
    assert "Traceback" not in page and "Connection refused" not in page


def test_other_errors_are_still_a_500(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(site_views, "key_figures", broken)
    assert Client(raise_request_exception=False).get("/").status_code == 500


@pytest.fixture
def redis_away(settings):
    settings.CACHES = {
        alias: {
            "BACKEND": "hitech_portal.cache.ResilientRedisCache",
            "LOCATION": NOWHERE,
            "KEY_PREFIX": alias,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
        for alias in ("default", "pages", "jobs")  # every store Redis keeps (settings.py)
    }


def test_pages_are_served_while_redis_is_away(client, redis_away):
    article = make_article(title="缓存不可用时的文章")
    for path in ("/", article.get_absolute_url(), "/zh-hant/", "/search/?q=缓存"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "缓存不可用时的文章" in client.get("/").content.decode()


def test_editors_can_save_while_redis_is_away(client, redis_away):
    article = make_article(title="旧标题")
    article.title = "新标题"
    article.save()  # retires cached pages: a dropped write, not an error
    assert "新标题" in client.get(article.get_absolute_url()).content.decode()


def test_healthz_names_the_cache_while_redis_is_away(client, redis_away):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "cache": "error: no read-back",
    }
