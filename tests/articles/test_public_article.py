"""The article page: what it shows, its structured data, related articles, neighbours, queries."""

import json
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from articles.models import FAQ, Article
from hitech_portal import pagecache
from tests.factories import (
    make_article,
    make_articles,
    make_category,
    make_indicator,
    make_observation,
    make_tag,
    make_user,
)

pytestmark = pytest.mark.django_db


def jsonld_blocks(html):
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return {block["@type"]: block for block in map(json.loads, found)}


def test_article_page_shows_header_body_faq_and_tags(client):
    tag = make_tag(name="新质生产力")
    article = make_article(
        title="工信部：引导有条件的高新区建设未来产业先导区",
        source="高新院",
        view_count=41,
        published_at=timezone.make_aware(timezone.datetime(2024, 7, 5, 10, 30)),
        body="<p>国家高新区是经国务院批准建立的科技产业园区。</p>",
        tags=[tag],
    )
    FAQ.objects.create(article=article, question="什么是国家高新区？", answer="科技产业园区。")
    response = client.get(article.get_absolute_url())
    html = response.text
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "<h1>工信部：引导有条件的高新区建设未来产业先导区</h1>" in html
    assert "来源：高新院" in html and "日期：" in html and "2024-07-05" in html
    assert "点击：<span data-view-count>41</span>" in html
    assert "<p>国家高新区是经国务院批准建立的科技产业园区。</p>" in html
    assert "什么是国家高新区？" in html
    assert f'href="{tag.get_absolute_url()}" rel="tag">新质生产力</a>' in html
    assert f'href="{article.category.get_absolute_url()}"' in html  # breadcrumb


def test_seo_head_and_json_ld(client):
    article = make_article(title="标题</script><script>alert(1)</script>", summary="一段摘要")
    FAQ.objects.create(article=article, question="问一？", answer="答一。")
    html = client.get(article.get_absolute_url()).text
    url = "http://127.0.0.1:8000" + article.get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta name="description" content="一段摘要">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert "<script>alert(1)" not in html  # the title is escaped everywhere, JSON-LD included
    blocks = jsonld_blocks(html)
    assert set(blocks) == {"NewsArticle", "BreadcrumbList", "FAQPage"}
    assert blocks["NewsArticle"]["headline"] == article.title
    assert blocks["NewsArticle"]["mainEntityOfPage"] == url
    assert blocks["FAQPage"]["mainEntity"][0]["name"] == "问一？"
    crumbs = [item["name"] for item in blocks["BreadcrumbList"]["itemListElement"]]
    assert crumbs == ["首页", article.category.name, article.title]


def test_no_faq_page_without_faq_entries(client):
    article = make_article()
    assert set(jsonld_blocks(client.get(article.get_absolute_url()).text)) == {
        "NewsArticle",
        "BreadcrumbList",
    }


def test_description_falls_back_to_the_body_text(client):
    article = make_article(summary="", body="<p>正文第一句。</p><p>第二句。</p>")
    html = client.get(article.get_absolute_url()).text
    assert '<meta name="description" content="正文第一句。第二句。">' in html


def test_related_hand_picked_first_then_by_shared_tags_then_keywords(client):
    category = make_category()
    a, b, c = make_tag(), make_tag(), make_tag()
    article = make_article(category=category, tags=[a, b, c], keywords="园区规划")
    two_tags = make_article(title="共享两个标签", tags=[a, b])
    # Dated explicitly: the factory's default date grows older with every article the run makes.
    one_tag_new = make_article(
        title="共享一个标签较新", tags=[c], published_at=timezone.now() - timedelta(hours=1)
    )
    one_tag_old = make_article(
        title="共享一个标签较旧", tags=[a], published_at=timezone.now() - timedelta(days=30)
    )
    by_keyword = make_article(title="关键词相同", category=category, keywords="园区规划、招商")
    picked_second = make_article(title="手选第二")
    picked_first = make_article(title="手选第一", tags=[a, b, c])
    hidden = make_article(title="手选草稿", status=Article.Status.DRAFT, tags=[a, b, c])
    article.related.add(picked_first)
    article.related.add(picked_second)
    article.related.add(hidden)
    article.related.add(article)
    make_article(title="无关", tags=[make_tag()])
    response = client.get(article.get_absolute_url())
    related = response.context["related_articles"]
    assert [r.title for r in related] == [
        picked_first.title,
        picked_second.title,
        two_tags.title,
        one_tag_new.title,
        one_tag_old.title,
        by_keyword.title,
    ]
    assert "相关文章推荐" in response.text
    assert "手选草稿" not in response.text


def test_previous_and_next_stay_in_the_category_and_skip_hidden(client):
    category = make_category()
    now = timezone.now()
    older = make_article(
        category=category, title="上一篇文章", published_at=now - timedelta(days=3)
    )
    make_article(category=category, title="草稿", published_at=now - timedelta(days=2),
                 status=Article.Status.DRAFT)  # fmt: skip
    article = make_article(category=category, published_at=now - timedelta(days=1))
    newer = make_article(
        category=category, title="下一篇文章", published_at=now - timedelta(hours=1)
    )
    make_article(category=category, title="定时", published_at=now + timedelta(hours=1))
    make_article(title="别的栏目更新", published_at=now - timedelta(minutes=5))
    response = client.get(article.get_absolute_url())
    assert response.context["previous_article"] == older
    assert response.context["next_article"] == newer
    assert "上一篇" in response.text and "下一篇" in response.text


def test_related_data_lists_linked_indicators_with_their_latest_value(client):
    article = make_article()
    indicator = make_indicator(name="国家级高新区数量", unit="家")
    make_observation(indicator=indicator, period="2023", value=177)
    make_observation(indicator=indicator, period="2024", value=178)
    indicator.articles.add(article)
    html = client.get(article.get_absolute_url()).text
    assert "相关数据" in html
    assert "国家级高新区数量" in html
    assert "178<small>家</small>" in html


def test_article_page_runs_fixed_queries(client, django_assert_max_num_queries):
    category = make_category()
    tags = [make_tag() for _ in range(3)]
    article = make_article(category=category, tags=tags, keywords="园区,产业")
    FAQ.objects.create(article=article, question="问？", answer="答。")
    indicator = make_indicator()
    make_observation(indicator=indicator)
    indicator.articles.add(article)
    article.related.add(make_article())
    make_articles(3, category=category, tags=tags[:1], keywords="园区")
    with django_assert_max_num_queries(11) as few:
        client.get(article.get_absolute_url())
    for _ in range(3):
        extra = make_indicator()
        make_observation(indicator=extra, period="2023")
        make_observation(indicator=extra, period="2024")
        extra.articles.add(article)
        FAQ.objects.create(article=article, question="又问？", answer="又答。")
    article.tags.add(*[make_tag() for _ in range(3)])
    article.related.add(*make_articles(3))
    make_articles(10, category=category, tags=tags, keywords="产业")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(article.get_absolute_url())
    assert len(response.context["related_articles"]) == 6


def test_draft_and_scheduled_articles_are_404_with_the_site_404_page(client):
    draft = make_article(status=Article.Status.DRAFT)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_summary_box_is_left_out_when_it_repeats_the_opening_of_the_body(client):
    taken = make_article(
        summary="园区产业稳步发展，营收增长百分之十。",
        body="<p>园区产业稳步发展，营收增长百分之十。下半年继续推进。</p>",
    )
    written = make_article(summary="一句编辑写的摘要", body="<p>正文另起一段。</p>")
    assert "摘要：" not in client.get(taken.get_absolute_url()).text
    html = client.get(written.get_absolute_url()).text
    assert '<p class="article-summary"><strong>摘要：</strong>一句编辑写的摘要</p>' in html


def test_a_signed_in_reader_gets_the_article_in_a_fixed_few_queries(
    client, django_assert_max_num_queries
):
    """Readers with a session skip the page cache: the view itself must stay cheap. The
    article's row and what it shows besides (tags, FAQ, figures, related articles,
    上一篇/下一篇, the navigation, its main column's markup) come from the shared cache while
    nothing public changes, and who is reading is asked only to offer a preview of an
    unpublished article."""
    client.force_login(make_user(is_staff=False))
    category = make_category()
    tag = make_tag()
    make_articles(3, category=category, tags=[tag], published_at=timezone.now() - timedelta(days=2))
    article = make_article(
        category=category, tags=[tag], published_at=timezone.now() - timedelta(days=1)
    )
    client.get(article.get_absolute_url())
    with django_assert_max_num_queries(0):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["related_articles"]) == 3
    assert response.context["previous_article"] is not None


def test_only_rows_readers_may_see_are_kept(client):
    """Made-up ids and drafts are read on every request and never fill the page store."""
    draft = make_article(status=Article.Status.DRAFT)
    published = make_article()
    for pk in (draft.pk, 987654):
        assert client.get(f"/articles/{pk}/").status_code == 404
    assert client.get(published.get_absolute_url()).status_code == 200
    kept = {key.rsplit(".", 1)[-1] for key in pagecache._parts if ".article." in key}
    assert kept == {str(published.pk)}


def test_a_kept_article_goes_at_its_offline_time_and_a_withdrawn_one_at_once(client):
    """The row kept for readers with a session is checked again on every read: its 下线时间
    needs no write to take it off, a withdrawal retires it."""
    client.force_login(make_user(is_staff=False))
    now = timezone.now()
    leaving = make_article(title="到点下线的文章", expires_at=now + timedelta(hours=1))
    withdrawn = make_article(title="将被撤回的文章")
    for article in (leaving, withdrawn):
        assert client.get(article.get_absolute_url()).status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(hours=2)):
        assert client.get(leaving.get_absolute_url()).status_code == 404
    withdrawn.status = Article.Status.DRAFT
    withdrawn.save()
    assert client.get(withdrawn.get_absolute_url()).status_code == 404


def test_a_signed_in_reader_sees_a_new_neighbour_and_a_renamed_category_at_once(client):
    client.force_login(make_user(is_staff=False))
    category = make_category(name="园区动态", show_in_nav=True)
    article = make_article(category=category, published_at=timezone.now() - timedelta(days=1))
    response = client.get(article.get_absolute_url())
    assert response.context["next_article"] is None
    make_article(category=category, title="更新的一篇", published_at=timezone.now())
    category.name = "园区新闻"
    category.save()
    response = client.get(article.get_absolute_url())
    assert response.context["next_article"].title == "更新的一篇"
    assert "下一篇" in response.text and "园区新闻" in response.text
    assert "园区动态" not in response.text


def test_a_signed_in_reader_sees_each_edit_of_the_article_its_tags_and_faq_at_once(client):
    client.force_login(make_user(is_staff=False))
    article = make_article(title="园区动态一则", tags=[make_tag(name="集群")])
    assert "园区动态一则" in client.get(article.get_absolute_url()).text
    article.title = "园区动态更新"
    article.save()
    article.tags.add(make_tag(name="人才"))
    FAQ.objects.create(article=article, question="新问题？", answer="新回答。")
    html = client.get(article.get_absolute_url()).text
    assert "园区动态更新" in html and "园区动态一则" not in html
    assert ">人才</a>" in html and "新问题？" in html
    assert '<meta property="article:tag" content="人才">' in html
