"""The public search page: /search/?q=…&category=…&from=…&to=…&page=…"""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db
URL = reverse("articles:search")
# Session, navigation, two capped counts, up to two plans per tier, the page's articles; on
# PostgreSQL each GIN-only statement is wrapped in its two planner settings.
QUERIES = 8 if connection.vendor == "sqlite" else 16


def test_results_show_marked_titles_and_snippets_and_are_not_indexed(client):
    make_article(title="國家高新區發展報告", body="<p>今年国家高新区营收增长。</p>")
    make_article(title="无关", body="<p>其他内容</p>")
    response = client.get(URL, {"q": "国家高新区"})
    assert response.status_code == 200
    text = response.text
    assert "找到 1 篇" in text
    assert "<mark>國家高新區</mark>發展報告" in text
    assert "今年<mark>国家高新区</mark>营收增长" in text
    assert '<meta name="robots" content="noindex, follow">' in text
    assert 'value="国家高新区"' in text


def test_pagination_links_keep_the_query_and_category(client):
    category = make_category(name="能源", slug="energy")
    for n in range(25):
        make_article(title=f"储能项目{n}", category=category)
    response = client.get(URL, {"q": "储能", "category": "energy"})
    assert "找到 25 篇" in response.text
    assert "第 1/2 页" in response.text
    assert 'href="?q=%E5%82%A8%E8%83%BD&amp;category=energy&amp;page=2"' in response.text
    second = client.get(URL, {"q": "储能", "category": "energy", "page": 2})
    assert second.text.count('class="search-hit"') == 5


def test_query_count_is_fixed_whatever_the_number_of_hits(client, django_assert_max_num_queries):
    now = timezone.now()
    for n in range(30):
        make_article(title=f"氢能{n}", published_at=now - timedelta(hours=n))
    with django_assert_max_num_queries(QUERIES):
        few = client.get(URL, {"q": "氢能29"})
    with django_assert_max_num_queries(QUERIES):
        many = client.get(URL, {"q": "氢能"})
    assert few.text.count('class="search-hit"') == 1
    assert many.text.count('class="search-hit"') == 20


def test_a_huge_total_is_shown_capped(client, monkeypatch):
    monkeypatch.setattr("articles.search.COUNT_CAP", 3)
    for n in range(5):
        make_article(title=f"光伏{n}")
    assert "找到 3+ 篇" in client.get(URL, {"q": "光伏"}).text


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 200),
        ({"q": ""}, 200),
        ({"q": '"'}, 200),
        ({"q": "园" * 1000}, 200),
        ({"q": "园区", "page": "999999999999"}, 200),
        ({"q": "园区", "page": "abc"}, 400),
        ({"q": "园区", "page": "-1"}, 400),
        ({"q": "园区", "page": "²"}, 400),  # a digit to str.isdigit(), not to int()
        ({"q": "园区", "category": "no-such-category"}, 400),
        ({"q": "园区", "category": "\x00"}, 400),  # PostgreSQL refuses a NUL in a query
        ({"q": "园区", "from": "2024-13-45"}, 400),
        ({"q": "园区", "to": "yesterday"}, 400),
        ({"q": "园区", "from": "2024-01-01", "to": "2024-12-31"}, 200),
    ],
)
def test_bad_parameters_get_a_normal_page_or_a_clear_error(client, params, status):
    make_article(title="园区产业")
    response = client.get(URL, params)
    assert response.status_code == status
    if status == 400:
        assert "参数有误" in response.content.decode()


def test_a_bad_parameter_is_a_400_page_in_the_site_design_naming_the_problem(client):
    response = client.get(URL, {"q": "园区", "from": "2024-13-45", "category": "nope"})
    assert response.status_code == 400
    text = response.text
    assert '<html lang="zh-Hans">' in text and 'class="site-header' in text
    assert "起始日期：起始日期应写成 2024-07-05 这样的格式。（收到「2024-13-45」）" in text
    assert "栏目：没有这个栏目。（收到「nope」）" in text
    assert 'value="2024-13-45"' not in text  # a date input holds real dates only
    page = client.get(URL, {"q": "园区", "page": "abc"}).text
    assert "页码：页码应为正整数。（收到「abc」）" in page


def test_search_pages_like_every_other_list(client):
    for n in range(45):
        make_article(title=f"智能制造{n}")
    third = client.get(URL, {"q": "智能制造", "page": 3})
    assert third.text.count('class="search-hit"') == 5
    assert '<ol class="search-results" start="41">' in third.text  # numbered on from page 2
    assert 'href="?q=%E6%99%BA%E8%83%BD%E5%88%B6%E9%80%A0">1</a>' in third.text  # page 1: no page=
    assert 'href="?q=%E6%99%BA%E8%83%BD%E5%88%B6%E9%80%A0&amp;page=2" rel="prev"' in third.text
    assert 'aria-current="page">3</a>' in third.text


def test_a_page_past_the_end_shows_the_last_page(client):
    make_article(title="园区产业")
    response = client.get(URL, {"q": "园区", "page": "50"})
    assert "<mark>园区</mark>产业" in response.text


def test_date_filters_narrow_the_results(client):
    now = timezone.localtime()
    make_article(title="旧的海洋经济", published_at=now - timedelta(days=400))
    make_article(title="新的海洋经济", published_at=now - timedelta(days=1))
    since = (now - timedelta(days=30)).date().isoformat()
    response = client.get(URL, {"q": "海洋经济", "from": since})
    assert "新的<mark>海洋经济</mark>" in response.text
    assert "旧的" not in response.text


def test_rebuilding_the_index_retires_cached_search_pages(client):
    from django.core.management import call_command

    from articles import search as search_module

    make_article(title="氢能产业园开工", body="<p>氢能</p>")
    search_module._backend().clear()
    assert "找到 0 篇" in client.get("/search/", {"q": "氢能"}).text  # now cached for visitors
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert "找到 1 篇" in client.get("/search/", {"q": "氢能"}).text


def test_the_category_choice_lists_every_category_and_keeps_the_chosen_one(client):
    client.get("/search/?q=高新区")  # the choices are kept …
    category = make_category(name="新设的栏目", slug="new-section")  # … until a category changes
    html = client.get("/search/?q=高新区&category=new-section").text
    assert '<option value="new-section" selected>新设的栏目</option>' in html
    assert '<option value="">全部栏目</option>' in html
    html = client.get("/search/?q=高新区").text
    assert '<option value="" selected>全部栏目</option>' in html
    assert f'<option value="{category.slug}">' in html
    response = client.get("/search/?q=高新区&category=no-such-section")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text and " selected>" not in response.text


def test_a_repeated_search_counts_from_the_page_store_until_an_article_changes(client, monkeypatch):
    make_article(title="光伏产业园区", body="<p>光伏组件出口</p>")
    path = "/search/?q=光伏&ref=home"  # a parameter the page cache does not know: the view runs
    with CaptureQueriesContext(connection) as first:
        assert "找到 1 篇" in client.get(path).text
    now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: now() + timedelta(seconds=3))  # a later second
    with CaptureQueriesContext(connection) as again:
        assert "找到 1 篇" in client.get(path).text
    counted = [q["sql"] for q in again.captured_queries if "count(" in q["sql"].lower()]
    assert any("count(" in q["sql"].lower() for q in first.captured_queries)
    assert counted == []  # the matches were counted once; the page's rows are still read
    make_article(title="光伏电站并网", body="<p>新的光伏电站</p>")  # a published change
    assert "找到 2 篇" in client.get(path).text
