"""RSS feeds and sitemaps: valid, public articles only, fixed queries."""

import html
from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_articles, make_category, make_indicator, make_tag

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parse_feed(response):
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def hidden_articles():
    return [
        make_article(title="草稿不可见", status=Article.Status.DRAFT),
        make_article(title="定时不可见", published_at=timezone.now() + timedelta(hours=2)),
    ]


def test_latest_feed_is_valid_rss_2_with_public_articles_newest_first(client):
    tag = make_tag(name="数字经济")
    old = make_article(title="较早", published_at=timezone.now() - timedelta(days=2), tags=[tag])
    new = make_article(title="较新", summary="较新的摘要", published_at=timezone.now())
    drafts = hidden_articles()
    response = client.get("/feeds/latest.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert "Last-Modified" in response
    feed = parse_feed(response)
    assert feed.version == "rss20"
    assert [entry.title for entry in feed.entries] == [new.title, old.title]
    assert feed.entries[0].link.endswith(new.get_absolute_url())
    assert feed.entries[0].summary == "较新的摘要"
    assert {t.term for t in feed.entries[1].tags} == {old.category.name, "数字经济"}
    assert all(d.title not in response.text for d in drafts)


def test_feed_answers_304_when_nothing_changed(client):
    make_article()
    first = client.get("/feeds/latest.xml")
    again = client.get("/feeds/latest.xml", headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304


def test_category_feed_lists_only_that_category(client):
    category = make_category(name="政策观察")
    mine = make_article(category=category)
    make_article(title="别的栏目")
    feed = parse_feed(client.get(f"/category/{category.slug}/feed.xml"))
    assert feed.feed.title.startswith("政策观察")
    assert [entry.title for entry in feed.entries] == [mine.title]
    assert client.get("/category/no-such/feed.xml").status_code == 404


def test_feeds_run_fixed_queries(client, django_assert_max_num_queries):
    category = make_category()
    make_articles(5, category=category, tags=[make_tag()])
    make_articles(40, category=category, tags=[make_tag(), make_tag()])
    with django_assert_max_num_queries(2):
        assert len(parse_feed(client.get("/feeds/latest.xml")).entries) == 30
    with django_assert_max_num_queries(3):
        assert len(parse_feed(client.get(f"/category/{category.slug}/feed.xml")).entries) == 30


def sitemap_urls(client, path):
    response = client.get(path)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {
        node.findtext("sm:loc", namespaces=SITEMAP_NS): node.findtext(
            "sm:lastmod", namespaces=SITEMAP_NS
        )
        for node in root
    }


def test_sitemap_index_names_every_section_with_lastmod(client):
    article = make_article(tags=[make_tag()])
    make_indicator().articles.add(article)
    sections = sitemap_urls(client, "/sitemap.xml")
    names = {loc.rsplit("/", 1)[-1] for loc in sections}
    assert names == {
        "sitemap-articles.xml",
        "sitemap-categories.xml",
        "sitemap-tags.xml",
        "sitemap-indicators.xml",
    }
    assert all(sections.values()), sections


def test_article_sitemap_has_public_articles_only_with_lastmod(client):
    visible = make_article()
    hidden = hidden_articles()
    urls = sitemap_urls(client, "/sitemap-articles.xml")
    assert urls == {
        f"http://127.0.0.1:8000{visible.get_absolute_url()}": timezone.localdate(
            visible.updated_at
        ).isoformat()
    }
    assert all(f"/articles/{a.pk}/" not in "".join(urls) for a in hidden)


def test_category_tag_and_indicator_sitemaps(client):
    category = make_category()
    used, unused, only_draft = make_tag(), make_tag(), make_tag()
    article = make_article(category=category, tags=[used])
    make_article(status=Article.Status.DRAFT, tags=[only_draft])
    indicator = make_indicator()
    indicator.articles.add(article)
    categories = sitemap_urls(client, "/sitemap-categories.xml")
    assert categories[f"http://127.0.0.1:8000{category.get_absolute_url()}"] is not None
    tags = sitemap_urls(client, "/sitemap-tags.xml")
    assert set(tags) == {f"http://127.0.0.1:8000{used.get_absolute_url()}"}
    indicators = sitemap_urls(client, "/sitemap-indicators.xml")
    assert indicators[f"http://127.0.0.1:8000{indicator.get_absolute_url()}"] is not None
    assert unused.slug not in str(tags) and only_draft.slug not in str(tags)


def test_sitemaps_run_fixed_queries(client, django_assert_max_num_queries):
    for _ in range(2):
        make_articles(20, tags=[make_tag(), make_tag()])
        make_indicator().articles.add(Article.objects.first())
        for path, most in [
            ("/sitemap.xml", 8),
            ("/sitemap-articles.xml", 2),
            ("/sitemap-categories.xml", 2),
            ("/sitemap-tags.xml", 2),
            ("/sitemap-indicators.xml", 2),
        ]:
            with django_assert_max_num_queries(most):
                assert client.get(path).status_code == 200


def test_feed_links_use_site_url_whatever_host_the_request_names(client, settings):
    settings.SITE_URL = "https://portal.example.com"
    settings.ALLOWED_HOSTS = ["portal.example.com", "evil.example"]
    article = make_article(title="园区新闻")
    for path in ("/feeds/latest.xml", f"/category/{article.category.slug}/feed.xml"):
        response = client.get(path, HTTP_HOST="evil.example")
        text = response.content.decode()
        assert "evil.example" not in text
        feed = parse_feed(response)
        assert feed.feed.link.startswith("https://portal.example.com/")
        assert feed.entries[0].link == "https://portal.example.com" + article.get_absolute_url()


def test_a_plain_text_summary_with_markup_reaches_readers_as_text(client):
    make_article(summary='<img src=x onerror="alert(1)"><b>加粗</b> & 更多')
    entry = parse_feed(client.get("/feeds/latest.xml")).entries[0]
    assert html.unescape(entry.summary) == '<img src=x onerror="alert(1)"><b>加粗</b> & 更多'
    assert "<b>" not in entry.summary
