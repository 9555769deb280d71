"""Site-wide public behaviour: the home page, every page's head, crawlers' files, error pages."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article, Category
from hitech_portal import views as site_views
from tests.factories import make_article, make_articles, make_category, make_tag

pytestmark = pytest.mark.django_db


def test_home_leads_with_pinned_then_headline_then_featured(client):
    featured = make_article(title="推荐文章", is_featured=True)
    headline = make_article(title="头条文章", is_headline=True)
    pinned = make_article(
        title="置顶文章",
        is_featured=True,
        is_pinned=True,
        published_at=timezone.now() - timedelta(days=9),
    )
    make_article(title="普通文章")
    make_article(title="推荐草稿", is_headline=True, status=Article.Status.DRAFT)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["lead"] == pinned
    assert response.context["featured"] == [headline, featured]
    html = response.text
    assert html.index("置顶文章") < html.index("头条文章") < html.index("推荐文章")
    assert "推荐草稿" not in html


def test_home_without_flagged_articles_leads_with_the_latest(client):
    older = make_article(published_at=timezone.now() - timedelta(days=1))
    newest = make_article(published_at=timezone.now() - timedelta(minutes=1))
    response = client.get("/")
    assert response.context["lead"] == newest
    assert older in response.context["latest"]


def test_home_has_a_block_of_latest_articles_per_category(client):
    policy = Category.objects.get(name="政策解读")
    news = Category.objects.get(name="高新区新闻")
    make_articles(7, category=policy)
    make_articles(2, category=news)
    make_article(category=news, status=Article.Status.DRAFT, title="栏目草稿")
    response = client.get("/")
    blocks = dict(response.context["category_blocks"])
    assert len(blocks[policy]) == 5
    assert len(blocks[news]) == 2
    assert [c.name for c in blocks] == ["政策解读", "高新区新闻"]  # navigation order
    assert blocks[policy] == sorted(blocks[policy], key=lambda a: a.published_at, reverse=True)
    assert f'href="{policy.get_absolute_url()}">政策解读</a></h2>' in response.text
    assert "栏目草稿" not in response.text


def test_a_quiet_category_keeps_its_block_beside_a_busy_one(client):
    """Every block is its own category's newest, however many newer articles others have."""
    busy = Category.objects.get(name="高新区新闻")
    quiet = Category.objects.get(name="政策解读")
    now = timezone.now()
    old = [
        make_article(category=quiet, title=f"旧文{n}", published_at=now - timedelta(days=300 + n))
        for n in range(6)
    ]
    for n in range(30):
        make_article(category=busy, published_at=now - timedelta(minutes=n))
    blocks = dict(client.get("/").context["category_blocks"])
    assert [a.title for a in blocks[quiet]] == [a.title for a in old[:5]]
    assert len(blocks[busy]) == 5 and all(a.category == busy for a in blocks[busy])


def test_home_most_read_and_search_box_and_grouped_navigation(client):
    parent = make_category(name="产业研究", sort_order=100)
    make_category(name="园区研究", parent=parent, sort_order=101)
    make_article(title="阅读最多", view_count=900)
    make_article(title="阅读较少", view_count=10)
    html = client.get("/").text
    assert html.index("阅读最多") < html.index("阅读较少")
    assert re.search(
        r'<form class="search-form" role="search" method="get" action="/search/">', html
    )
    assert '<label for="site-search" class="visually-hidden">搜索</label>' in html
    assert 'name="q"' in html
    groups = html[html.index('id="all-categories-heading"') :]
    assert re.search(r"产业研究</a>\s*<ul>\s*<li><a [^>]*>园区研究</a></li>\s*</ul>", groups)


def test_home_runs_fixed_queries(client, django_assert_max_num_queries):
    make_articles(3, is_featured=True, view_count=5)
    with django_assert_max_num_queries(8) as few:  # 6, and 2 for the key figures
        client.get("/")
    for category in Category.objects.all():
        make_articles(6, category=category, is_featured=True, view_count=3, tags=[make_tag()])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert len(response.context["category_blocks"]) == 13


def page_urls():
    article = make_article(tags=[make_tag(slug="t")])
    return [
        "/",
        article.category.get_absolute_url(),
        article.get_absolute_url(),
        "/tags/t/",
    ]


def test_every_page_has_lang_title_description_canonical_and_open_graph(client):
    for url in page_urls():
        html = client.get(url).text
        assert '<html lang="zh-Hans">' in html, url
        assert html.count("<h1") == 1, url
        assert re.search(r"<title>[^<]+</title>", html), url
        assert re.search(r'<meta name="description" content="[^"]+">', html), url
        assert f'<link rel="canonical" href="http://127.0.0.1:8000{url}">' in html, url
        for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
            assert f'<meta property="{prop}" content="' in html, (url, prop)
        assert 'href="#main">跳到正文</a>' in html and '<main id="main"' in html
        assert "style=" not in html and "<style" not in html
        assert not re.search(r"<script(?! (src=|type=\"application/ld\+json\"))", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_robots_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    # Search result pages and the view counter, in both scripts.
    assert {"Disallow: /search/", "Disallow: /zh-hant/search/"} <= set(lines)
    assert {"Disallow: /articles/*/view/", "Disallow: /zh-hant/articles/*/view/"} <= set(lines)
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in lines


def test_favicon_ico_is_never_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"


def test_404_page_is_in_the_site_design(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.text
    assert "<h1>页面不存在</h1>" in html
    assert 'class="site-nav"' in html and "返回首页" in html
    assert '<meta name="robots" content="noindex">' in html


def test_500_page_is_in_the_site_design_and_needs_no_database(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(site_views, "key_figures", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/")
    assert response.status_code == 500
    assert "<h1>服务器出错了</h1>" in response.text
    assert "/static/css/site.css" in response.text
    assert "高新区产业门户" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/articles/99999999999999999999999/",
        "/category/x/?page=99999999999999999999999",
        "/tags/x/?page=-0",
    ],
)
def test_out_of_range_numbers_are_404(client, url):
    make_category(slug="x")
    make_tag(slug="x")
    assert client.get(url).status_code == 404


def test_counting_an_out_of_range_article_is_404(client):
    response = client.post(
        "/articles/99999999999999999999999/view/", headers={"origin": "http://testserver"}
    )
    assert response.status_code == 404


def test_pages_are_compressed_for_browsers_that_accept_it(client):
    response = client.get("/", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
