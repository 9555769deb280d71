"""Category and tag pages: filters, ordering, paging, pinned articles, bad parameters, queries."""

import re
import time
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.filters import DEFAULT_ORDERING, ORDER_BY
from articles.models import Article
from hitech_portal.pagecache import invalidate_pages
from tests.factories import make_article, make_articles, make_category, make_tag, make_user

pytestmark = pytest.mark.django_db


def titles(response):
    return [article.title for article in response.context["page_obj"]]


def day(text):
    return timezone.make_aware(datetime.fromisoformat(text))


def test_category_lists_only_its_public_articles_newest_first(client):
    category = make_category()
    older = make_article(
        category=category, title="较早的文章", published_at=day("2024-01-02T10:00")
    )
    newer = make_article(
        category=category, title="较新的文章", published_at=day("2024-03-02T10:00")
    )
    make_article(category=category, title="草稿", status=Article.Status.DRAFT)
    make_article(category=category, title="定时", published_at=timezone.now() + timedelta(days=1))
    make_article(title="别的栏目")
    response = client.get(category.get_absolute_url())
    assert response.status_code == 200
    assert titles(response) == [newer.title, older.title]
    assert "草稿" not in response.text and "定时" not in response.text


def test_twenty_a_page_with_page_links(client):
    category = make_category()
    make_articles(45, category=category)
    first = client.get(category.get_absolute_url())
    assert len(first.context["page_obj"]) == 20
    assert 'href="?page=2"' in first.text and 'href="?page=3"' in first.text
    third = client.get(category.get_absolute_url(), {"page": 3})
    assert len(third.context["page_obj"]) == 5
    assert 'rel="prev"' in third.text and 'rel="next"' not in third.text


def test_page_links_keep_the_filters(client):
    category = make_category()
    tag = make_tag(name="人工智能")
    make_articles(25, category=category, tags=[tag])
    response = client.get(category.get_absolute_url(), {"tag": tag.slug})
    assert f'href="?tag={tag.slug}&amp;page=2"' in response.text


@pytest.mark.parametrize("number", ["abc", "99999", "0", "-1", "1.5"])
def test_bad_page_numbers_are_404_not_500(client, number):
    category = make_category()
    make_articles(3, category=category)
    response = client.get(category.get_absolute_url(), {"page": number})
    assert response.status_code == 404
    assert "页面不存在" in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"published_after": "2024-13-45"}, "日期应写成 2024-07-05 这样的格式"),
        ({"published_before": "昨天"}, "日期应写成 2024-07-05 这样的格式"),
        ({"ordering": "title"}, "排序只能是最新发布、最早发布或阅读最多"),
        ({"tag": "no-such-tag"}, "没有这个标签"),
    ],
)
def test_bad_filters_are_a_400_page_naming_the_problem(client, params, message):
    category = make_category()
    make_article(category=category, title="不会出现在错误页")
    response = client.get(category.get_absolute_url(), params)
    assert response.status_code == 400
    assert message in response.text
    assert "筛选条件有误" in response.text
    assert "不会出现在错误页" not in response.text
    assert '<meta name="robots" content="noindex, follow">' in response.text


def test_unknown_source_is_an_empty_list_not_an_error(client):
    category = make_category()
    make_article(category=category, source="新华社")
    response = client.get(category.get_absolute_url(), {"source": "不存在的来源"})
    assert response.status_code == 200
    assert "没有符合条件的文章" in response.text


def test_filter_by_tag_and_source(client):
    category = make_category()
    ai = make_tag(name="人工智能")
    make_article(category=category, title="人工智能新华社", tags=[ai], source="新华社")
    make_article(category=category, title="人工智能高新院", tags=[ai], source="高新院")
    make_article(category=category, title="无标签新华社", source="新华社")
    url = category.get_absolute_url()
    assert titles(client.get(url, {"tag": ai.slug})) == ["人工智能新华社", "人工智能高新院"]
    assert titles(client.get(url, {"tag": ai.slug, "source": "新华社"})) == ["人工智能新华社"]


def test_the_filter_form_shows_what_each_address_asked_though_its_markup_is_shared(client):
    category = make_category()
    ai = make_tag(name="人工智能")
    make_article(category=category, tags=[ai], source="新华社")
    url = category.get_absolute_url()

    def form(params=None):
        html = client.get(url, params or {}).text
        start = html.index('<details class="filter-panel"')
        return html[start : html.index("</details>", start)]

    plain = form()
    assert " selected" not in plain.replace('value="-published_at" selected', "")
    assert '<details class="filter-panel">' in plain  # closed
    asked = form({"tag": ai.slug, "source": "新华社", "ordering": "-view_count"})
    assert f'<option value="{ai.slug}" selected>人工智能</option>' in asked
    assert "<option selected>新华社</option>" in asked
    assert '<option value="-view_count" selected>' in asked
    assert '<details class="filter-panel" open>' in asked
    assert form({"published_after": "2024-13-45"}).count('aria-invalid="true"') == 1
    assert form({"published_after": "2024-07-05"}).count('value="2024-07-05"') == 1
    assert form() == plain  # each address its own fragment: nothing carried over
    refused = {"tag": "new-tag", "published_after": "2024-13-45"}
    assert 'value="new-tag"' not in form(refused)  # no such tag yet
    make_tag(name="新标签", slug="new-tag")  # a tag alone retires no page
    assert '<option value="new-tag" selected>新标签</option>' in form(refused)
    ai.name = "AI"
    ai.save()
    assert f'<option value="{ai.slug}">AI</option>' in form()


def test_date_range_is_inclusive_in_shanghai_days(client):
    category = make_category()
    for text in ("2024-07-04T23:59", "2024-07-05T00:00", "2024-07-06T23:59", "2024-07-07T00:00"):
        make_article(category=category, title=f"发布于{text}", published_at=day(text))
    response = client.get(
        category.get_absolute_url(),
        {"published_after": "2024-07-05", "published_before": "2024-07-06"},
    )
    assert titles(response) == ["发布于2024-07-06T23:59", "发布于2024-07-05T00:00"]
    assert 'value="2024-07-05"' in response.text  # the form shows what was asked


@pytest.mark.parametrize(
    "params",
    [
        {"published_after": "0001-01-01"},
        {"published_before": "9999-12-31"},
        {"published_after": "0001-01-01", "published_before": "9999-12-31"},
    ],
)
def test_the_calendars_first_and_last_days_bound_nothing(client, params):
    category = make_category()
    make_article(category=category, title="今天的文章")
    response = client.get(category.get_absolute_url(), params)
    assert response.status_code == 200
    assert titles(response) == ["今天的文章"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("-published_at", ["新", "中", "旧"]),
        ("published_at", ["旧", "中", "新"]),
        ("-view_count", ["中", "旧", "新"]),
    ],
)
def test_orderings(client, ordering, expected):
    category = make_category()
    now = timezone.now()
    make_article(category=category, title="旧", published_at=now - timedelta(days=3), view_count=50)
    make_article(category=category, title="中", published_at=now - timedelta(days=2), view_count=90)
    make_article(category=category, title="新", published_at=now - timedelta(days=1), view_count=5)
    response = client.get(category.get_absolute_url(), {"ordering": ordering})
    assert titles(response) == expected


def test_same_time_articles_keep_a_stable_order_across_pages(client):
    category = make_category()
    moment = timezone.now() - timedelta(hours=1)
    articles = make_articles(30, category=category, published_at=moment)
    seen = titles(client.get(category.get_absolute_url())) + titles(
        client.get(category.get_absolute_url(), {"page": 2})
    )
    assert seen == [a.title for a in sorted(articles, key=lambda a: -a.pk)]


def test_pinned_articles_lead_page_one_of_the_plain_list_only(client):
    category = make_category()
    pinned = make_article(
        category=category, title="置顶的旧文章", is_pinned=True, published_at=day("2020-01-01")
    )
    make_articles(25, category=category)
    first = client.get(category.get_absolute_url())
    assert first.context["pinned"] == [pinned]
    assert first.text.index("置顶的旧文章") < first.text.index(titles(first)[0])
    assert first.text.count("置顶的旧文章") == 1
    assert client.get(category.get_absolute_url(), {"page": 2}).context["pinned"] == []
    filtered = client.get(category.get_absolute_url(), {"ordering": "-view_count"})
    assert filtered.context["pinned"] == []


def test_canonical_and_noindex_for_filtered_and_paged_lists(client):
    category = make_category()
    make_articles(25, category=category)
    base = "http://127.0.0.1:8000" + category.get_absolute_url()
    plain = client.get(category.get_absolute_url()).text
    assert f'<link rel="canonical" href="{base}">' in plain
    assert "noindex" not in plain
    second = client.get(category.get_absolute_url(), {"page": 2}).text
    assert f'<link rel="canonical" href="{base}?page=2">' in second
    filtered = client.get(category.get_absolute_url(), {"ordering": "published_at"}).text
    assert f'<link rel="canonical" href="{base}">' in filtered
    assert '<meta name="robots" content="noindex, follow">' in filtered


def test_child_categories_are_linked_from_their_parent(client):
    parent = make_category(name="研究")
    child = make_category(name="区域研究", parent=parent)
    response = client.get(parent.get_absolute_url())
    assert f'href="{child.get_absolute_url()}"' in response.text
    child_page = client.get(child.get_absolute_url()).text
    assert f'<a href="{parent.get_absolute_url()}">研究</a>' in child_page


def test_unknown_category_is_404(client):
    assert client.get("/category/no-such-category/").status_code == 404


@pytest.mark.parametrize("params", [{}, {"page": 2}, {"tag": "t", "ordering": "-view_count"}])
def test_category_page_runs_fixed_queries(client, django_assert_max_num_queries, params):
    category = make_category()
    tag = make_tag(slug="t")
    make_articles(45, category=category, tags=[tag], is_pinned=True)
    with django_assert_max_num_queries(9) as few:
        client.get(category.get_absolute_url(), params)
    make_articles(60, category=category, tags=[tag, make_tag()], is_pinned=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(category.get_absolute_url(), params)
    assert len(response.context["page_obj"]) == 20


def test_tag_page_lists_public_articles_with_that_tag(client, django_assert_max_num_queries):
    tag = make_tag(name="新质生产力")
    make_articles(3, tags=[tag])
    make_article(title="草稿带标签", tags=[tag], status=Article.Status.DRAFT)
    make_article(title="没有这个标签")
    with django_assert_max_num_queries(5):
        response = client.get(tag.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 3
    assert '<h1><span class="page-kind">标签</span>新质生产力</h1>' in response.text
    assert "草稿带标签" not in response.text and "没有这个标签" not in response.text
    make_articles(40, tags=[tag])
    invalidate_pages()  # what every write path calls
    with django_assert_max_num_queries(5):
        assert len(client.get(tag.get_absolute_url()).context["page_obj"]) == 20
    assert client.get(tag.get_absolute_url(), {"page": "x"}).status_code == 404
    assert client.get("/tags/no-such-tag/").status_code == 404


def test_null_characters_in_a_filter_are_a_400_not_a_database_error(client):
    category = make_category()
    response = client.get(category.get_absolute_url(), {"source": "新华\x00社"})
    assert response.status_code == 400
    assert "筛选条件有误" in response.text


def test_list_totals_are_kept_until_the_next_published_change(client):
    category = make_category()
    make_articles(25, category=category)
    elsewhere = make_articles(20, category=make_category())
    assert client.get(category.get_absolute_url()).context["paginator"].count == 25
    # Moved in bulk: no save(), so no invalidation until the bulk path calls invalidate_pages().
    Article.objects.filter(pk__in=[a.pk for a in elsewhere]).update(category=category)
    assert client.get(category.get_absolute_url(), {"page": 2}).context["paginator"].count == 25
    invalidate_pages()
    response = client.get(category.get_absolute_url(), {"page": 3})
    assert response.context["paginator"].count == 45
    assert len(response.context["page_obj"]) == 5


def test_filter_choices_are_counted_once_per_published_change(client, settings):
    """Uncached pages (a logged-in reader, or the page cache off) reuse the filter's choices
    until a write changes what the category shows."""
    settings.PAGE_CACHE_SECONDS = 0
    category = make_category()
    make_article(category=category, source="科技日报", tags=[make_tag(name="人工智能")])
    path = category.get_absolute_url()
    first = client.get(path)
    with CaptureQueriesContext(connection) as again:
        second = client.get(path + "?page=1")
    sql = " ".join(query["sql"] for query in again.captured_queries)
    assert "COUNT(" not in sql.upper().replace("COUNT(*)", "")  # no tag-use counting
    assert [t.name for t in second.context["tag_choices"]] == ["人工智能"]
    assert first.context["source_choices"] == second.context["source_choices"] == ["科技日报"]
    make_article(category=category, source="新华社", tags=[make_tag(name="数字经济")])
    third = client.get(path)
    assert {t.name for t in third.context["tag_choices"]} == {"人工智能", "数字经济"}
    assert third.context["source_choices"] == ["新华社", "科技日报"]


def test_a_pinned_article_on_page_one_is_listed_once(client):
    category = make_category()
    make_articles(3, category=category)
    make_article(category=category, title="置顶的新文章", is_pinned=True)
    html = client.get(category.get_absolute_url()).text
    assert html.count("置顶的新文章</a>") == 1
    assert html.count('<li class="card') == 4


def test_a_scheduled_article_is_counted_and_reachable_from_its_moment(client):
    """The list's total is kept in the shared cache, but never past the next publication."""
    client.force_login(make_user())  # a reader with a session: the view runs every time
    category = make_category()
    make_articles(20, category=category, published_at=timezone.now() - timedelta(hours=1))
    due = timezone.now() + timedelta(seconds=1)
    make_article(category=category, title="定时发布的第二十一篇", published_at=due)
    assert "共 21 篇" not in client.get(category.get_absolute_url()).text  # total kept
    assert client.get(category.get_absolute_url() + "?page=2").status_code == 404
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 1.1)
    response = client.get(category.get_absolute_url() + "?page=2")
    assert response.status_code == 200
    assert "共 21 篇" in response.text


@pytest.mark.parametrize("ordering", ["", "published_at", "-view_count"])
def test_deep_pages_started_from_a_noted_row_show_what_counting_rows_shows(client, ordering):
    """Each page read notes where it and the next page start; later reads start there. They
    must show exactly the rows the plain walk shows, and follow a published change at once."""
    client.force_login(make_user())  # a reader with a session: the view runs every time
    category = make_category()
    now = timezone.now()
    for n in range(65):  # ties on the time and on the count: id decides
        make_article(
            category=category,
            title=f"第{n}篇",
            published_at=now - timedelta(hours=n // 3),
            view_count=n % 4,
        )
    query = f"ordering={ordering}&" if ordering else ""

    def shown(page):
        response = client.get(f"{category.get_absolute_url()}?{query}page={page}")
        return titles(response)

    def truth(page):
        order = ORDER_BY[ordering or DEFAULT_ORDERING]
        rows = category.articles.published().order_by(*order)
        return [article.title for article in rows[(page - 1) * 20 : page * 20]]

    first = [shown(page) for page in (2, 3, 4)]  # 3 and 4 start from noted rows
    assert first == [truth(2), truth(3), truth(4)]
    assert [shown(page) for page in (4, 3, 2)] == first[::-1]  # again, from the noted starts
    make_article(category=category, title="新发布的一篇", published_at=now, view_count=2)
    assert [shown(page) for page in (3, 2, 4)] == [truth(3), truth(2), truth(4)]
    assert first != [truth(2), truth(3), truth(4)]  # the new article moved every page


def test_a_deep_page_read_again_reads_no_rows_and_the_next_starts_at_its_first_row(client):
    client.force_login(make_user())
    category = make_category()
    make_articles(85, category=category, published_at=timezone.now() - timedelta(hours=1))
    client.get(category.get_absolute_url() + "?page=3")
    with CaptureQueriesContext(connection) as again:
        response = client.get(category.get_absolute_url() + "?page=3")
    assert len(response.context["page_obj"]) == 20
    assert not [q for q in again.captured_queries if "articles_article" in q["sql"]]
    with CaptureQueriesContext(connection) as following:  # a crawler going on to page 4
        response = client.get(category.get_absolute_url() + "?page=4")
    assert len(response.context["page_obj"]) == 20
    listed = [q["sql"] for q in following.captured_queries if "articles_article" in q["sql"]]
    assert listed and not any("OFFSET" in sql.upper() for sql in listed)


def test_the_navigation_marks_the_current_category_in_each_script_on_every_page(client):
    """The header and footer are kept once per generation: never one page's for another."""
    first = make_category(name="导航甲栏目", slug="nav-first", show_in_nav=True)
    second = make_category(name="导航乙栏目", slug="nav-second", show_in_nav=True)
    for category in (first, second, first):
        html = client.get(category.get_absolute_url()).text
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', html)
        assert current and set(current) == {category.get_absolute_url()}
    html = client.get("/zh-hant" + second.get_absolute_url()).text
    assert f'href="/zh-hant{second.get_absolute_url()}" aria-current="page"' in html
    assert f'<a href="/zh-hant{first.get_absolute_url()}">' in html
    first.name = "导航丙栏目"
    first.save()
    assert "导航丙栏目" in client.get(second.get_absolute_url()).text


def test_an_edited_title_shows_at_once_on_category_and_tag_lists(client):
    """The list's cards are kept per page generation: an editor's save retires them."""
    client.force_login(make_user())
    tag = make_tag()
    article = make_article(title="原来的标题", tags=[tag])
    lists = (article.category.get_absolute_url(), tag.get_absolute_url())
    assert all("原来的标题" in client.get(path).text for path in lists)
    article.title = "改过的标题"
    article.save()
    for path in lists:
        html = client.get(path).text
        assert "改过的标题" in html and "原来的标题" not in html


def test_a_reader_with_a_session_gets_a_category_page_again_without_a_query_until_it_changes(
    client, django_assert_max_num_queries
):
    client.force_login(make_user(is_staff=False))
    category = make_category(name="园区动态", slug="zone-news-x")
    make_articles(25, category=category)
    client.get(category.get_absolute_url())
    with django_assert_max_num_queries(0):
        response = client.get(category.get_absolute_url())
    assert len(response.context["page_obj"]) == 20
    category.slug = "zone-news-y"
    category.save()
    assert client.get("/category/zone-news-x/").status_code == 404
    assert "园区动态" in client.get("/category/zone-news-y/").text
