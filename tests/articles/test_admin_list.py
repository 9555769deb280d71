"""The article list (articles.admin_list): columns, filters, drill-down, bulk actions."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from tests.admin_client import CHANGELIST, post_action
from tests.factories import make_article, make_articles, make_category, make_tag, make_user

pytestmark = pytest.mark.django_db


def changelist_queries(client, url=CHANGELIST):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_changelist_runs_a_fixed_number_of_queries(client, chief, django_assert_max_num_queries):
    category = make_category()
    tag = make_tag()
    make_articles(5, category=category, tags=[tag], updated_by=chief)
    few, _ = changelist_queries(client)
    make_articles(25, category=make_category(), tags=[tag], updated_by=make_user())
    make_articles(3, status=Article.Status.DRAFT, published_at=None)
    many, response = changelist_queries(client)
    assert len(response.context["cl"].result_list) == 33
    assert many == few
    with django_assert_max_num_queries(10):
        client.get(CHANGELIST + "?state=live&q=高新区")


def test_changelist_columns_and_chinese(client, chief):
    article = make_article(title="中关村科技园新政", source="科技日报", updated_by=chief)
    make_article(status=Article.Status.DRAFT, published_at=None, title="未完成的稿子")
    response = client.get(CHANGELIST)
    text = response.text
    for heading in ("标题", "栏目", "发布状态", "发布时间", "标记", "点击", "最后修改人"):
        assert heading in text
    assert "选择 文章 来修改" in text or "选择文章来修改" in text
    assert article.title in text and "zhubian" in text
    assert "草稿" in text and "已发布" in text


def test_changelist_filters_by_state_and_searches_title_source_and_id(client, chief):
    live = make_article(title="光谷发布年度报告", source="湖北日报")
    scheduled = make_article(published_at=timezone.now() + timedelta(hours=5))
    draft = make_article(status=Article.Status.DRAFT)

    def shown(query):
        return set(client.get(CHANGELIST + query).context["cl"].result_list)

    assert shown("?state=live") == {live}
    assert shown("?state=scheduled") == {scheduled}
    assert shown("?state=draft") == {draft}
    assert shown("?q=湖北日报") == {live}
    assert shown("?q=光谷") == {live}
    assert shown(f"?q={draft.pk}") == {draft}


def test_changelist_mine_filter_and_date_drill_down(client, editor):
    mine = make_article(created_by=editor, published_at=timezone.now() - timedelta(days=400))
    make_article()
    assert list(client.get(CHANGELIST + "?mine=created").context["cl"].result_list) == [mine]
    year = timezone.localtime(mine.published_at).year
    response = client.get(CHANGELIST + f"?published_at__year={year}")
    assert mine in response.context["cl"].result_list


def test_date_drill_down_offers_years_then_months_without_scanning_every_row(client, chief):
    shanghai = ZoneInfo("Asia/Shanghai")
    make_article(published_at=datetime(2021, 3, 5, 9, 0, tzinfo=shanghai))
    make_article(published_at=datetime(2024, 1, 1, 0, 30, tzinfo=shanghai))  # 2023 in UTC
    make_article(published_at=datetime(2024, 6, 30, 23, 0, tzinfo=shanghai))
    make_article(status=Article.Status.DRAFT, published_at=None)
    text = client.get(CHANGELIST).text
    for year in (2021, 2022, 2023, 2024):
        assert f"?published_at__year={year}" in text
    assert "published_at__year=2020" not in text and "published_at__year=2025" not in text
    months = client.get(CHANGELIST + "?published_at__year=2024")
    assert len(months.context["cl"].result_list) == 2
    assert "published_at__month=1" in months.text and "published_at__month=6" in months.text
    assert "published_at__month=7" not in months.text


def test_flag_actions_set_and_clear_headline(client, chief):
    articles = make_articles(2)
    post_action(client, "set_is_headline", articles)
    assert Article.objects.filter(is_headline=True).count() == 2
    post_action(client, "clear_is_headline", articles[:1])
    assert list(Article.objects.filter(is_headline=True)) == [articles[1]]
    listing = client.get(CHANGELIST + "?flag=is_headline")
    assert list(listing.context["cl"].result_list) == [articles[1]]
    assert "头条" in listing.text


def test_a_new_draft_without_a_date_is_at_the_top_of_the_list(client, chief):
    make_articles(60)  # more than a page of 50
    draft = make_article(title="刚写的草稿", status=Article.Status.DRAFT, published_at=None)
    listing = client.get(CHANGELIST)
    assert listing.context["cl"].result_list[0] == draft


def test_an_editor_flags_drafts_but_not_what_readers_see(client, editor):
    live = make_article()
    draft = make_article(status=Article.Status.DRAFT)
    response = post_action(client, "set_is_featured", [live, draft], follow=True)
    assert list(Article.objects.filter(is_featured=True)) == [draft]
    assert "1 篇已发布的文章未改：已发布文章的标记由主编设定" in response.text
