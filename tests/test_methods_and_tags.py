"""Public pages answer GET and HEAD only; a tag that only drafts carry has no public page."""

import pytest

from articles.models import Article
from tests.factories import make_article, make_indicator, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def paths():
    tag = make_tag(name="园区", slug="yuanqu")
    article = make_article(tags=[tag])
    make_indicator(slug="zones")
    return [
        "/",
        f"/category/{article.category.slug}/",
        f"/category/{article.category.slug}/feed.xml",
        article.get_absolute_url(),
        "/zh-hant" + article.get_absolute_url(),
        "/tags/yuanqu/",
        "/search/?q=园区",
        "/indicators/",
        "/indicators/zones/",
        "/indicators/zones.csv",
        "/feeds/latest.xml",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/healthz",
    ]


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS"])
def test_trace_and_options_are_refused_not_answered_with_the_page(client, paths, method):
    for path in paths:
        response = client.generic(method, path)
        assert response.status_code == 405, path
        assert response["Allow"] == "GET, HEAD", path
        assert b"<html" not in response.content


def test_get_and_head_still_answer(client, paths):
    for path in paths:
        assert client.get(path).status_code == 200, path
        assert client.head(path).status_code == 200, path


def test_a_tag_only_drafts_carry_has_no_public_page(client):
    secret = make_tag(name="并购传闻", slug="merger")
    make_article(tags=[secret], status=Article.Status.DRAFT, published_at=None)
    response = client.get("/tags/merger/")
    assert response.status_code == 404
    assert "并购传闻" not in response.content.decode()


def test_a_tag_with_a_public_article_keeps_its_page(client):
    tag = make_tag(name="高新区", slug="zones")
    make_article(tags=[tag], status=Article.Status.DRAFT, published_at=None)
    make_article(title="公开的文章", tags=[tag])
    assert "公开的文章" in client.get("/tags/zones/").content.decode()
