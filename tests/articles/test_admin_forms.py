"""The admin forms (articles.admin_forms): the rich-text body, pinyin slugs, related articles."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django_prose_editor.config import allowlist_from_extensions

from articles.admin_forms import BODY_EXTENSIONS
from articles.models import Article, Category, Tag
from articles.sanitize import ALLOWED_TAGS
from articles.search import search
from tests.admin_client import ADD, change_url, post_add, post_change
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def test_body_is_sanitised_by_the_one_allow_list_when_saved_from_the_admin(client, chief):
    article = make_article()
    hostile = (
        '<h2>小标题</h2><p onclick="x()">段落<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">坏链接</a><iframe src="https://evil.example"></iframe>'
        "<table><tbody><tr><td>格</td></tr></tbody></table><blockquote>引文</blockquote>"
    )
    post_change(client, article, body=hostile)
    article.refresh_from_db()
    for bad in ("script", "onclick", "javascript:", "iframe", "alert"):
        assert bad not in article.body
    for kept in ("<h2>小标题</h2>", "<td>格</td>", "<blockquote>引文</blockquote>"):
        assert kept in article.body


def test_links_typed_without_a_scheme_open_that_site_on_the_public_page(client, chief):
    article = make_article()
    links = {
        "www.example.gov.cn/zcjd/1.html": "https://www.example.gov.cn/zcjd/1.html",
        "example.com": "https://example.com",
        "/articles/": "/articles/",
        "#faq": "#faq",
        "?page=2": "?page=2",
        "./1.html": "./1.html",
        "1.html": "1.html",
        "mailto:ban@example.gov.cn": "mailto:ban@example.gov.cn",
        "tel:010-12345678": "tel:010-12345678",
        "http://www.example.com/a": "http://www.example.com/a",
    }
    body = "".join(f'<p><a href="{href}">链接</a></p>' for href in links)
    assert post_change(client, article, body=body).status_code == 302
    page = client.get(article.get_absolute_url()).text
    hrefs = re.findall(r'<a href="([^"]*)" rel="noopener noreferrer">链接</a>', page)
    assert hrefs == list(links.values())


def test_untouched_editor_saves_an_empty_body(client, chief):
    post_add(client, title="只有标题", body="<p></p>")
    assert Article.objects.get(title="只有标题").body == ""


def test_every_element_the_editor_offers_survives_the_sanitiser():
    offered = allowlist_from_extensions(BODY_EXTENSIONS)["tags"]
    assert offered <= ALLOWED_TAGS
    assert {"h2", "h3", "h4", "ul", "ol", "table", "a", "img", "blockquote", "strong"} <= offered
    assert "h1" not in offered


def test_change_form_loads_the_rich_text_editor_and_its_files_exist(client, chief):
    response = client.get(change_url(make_article()))
    text = response.text
    assert "data-django-prose-editor-configurable" in text
    for path in (
        "django_prose_editor/editor.js",
        "django_prose_editor/configurable.js",
        "django_prose_editor/editor.css",
        "js/admin/prose-editor-zh.js",
        "css/admin.css",
    ):
        assert f"/static/{path}" in text
        assert finders.find(path), path


def test_tags_and_related_use_autocomplete_and_tags_are_searchable(client, editor):
    make_tag(name="人工智能")
    make_tag(name="生物医药")
    response = client.get(ADD)
    assert "admin-autocomplete" in response.text
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "article", "field_name": "tags", "term": "人工"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["人工智能"]


def test_a_tag_typed_by_name_is_created_on_save_and_finds_the_article(client, chief):
    existing = make_tag(name="人工智能")
    article = make_article(title="园区发布新一轮行动方案")
    response = post_change(client, article, tags=[existing.pk, "低空经济"])
    assert response.status_code == 302
    tag = Tag.objects.get(name="低空经济")
    assert tag.slug == "di-kong-jing-ji"
    assert set(article.tags.all()) == {existing, tag}
    assert [hit.article for hit in search("低空经济")[:20]] == [article]
    assert "低空经济" in client.get(article.get_absolute_url()).text


def test_typed_tags_reuse_existing_names_and_split_on_chinese_separators(client, chief):
    existing = make_tag(name="人工智能")
    article = make_article()
    post_change(client, article, tags=["new:人工智能", "new:低空经济，商业航天、卫星互联网"])
    assert Tag.objects.filter(name="人工智能").count() == 1
    assert sorted(article.tags.values_list("name", flat=True)) == sorted(
        ["人工智能", "低空经济", "商业航天", "卫星互联网"]
    )
    assert existing in article.tags.all()


def test_a_new_tag_named_like_a_number_is_a_name_not_an_id(client, chief):
    existing = make_tag(name="人工智能")
    article = make_article()
    post_change(client, article, tags=[f"new:{existing.pk}"])
    assert list(article.tags.values_list("name", flat=True)) == [str(existing.pk)]


def test_a_typed_tag_waits_for_the_save_and_stays_in_the_box_after_an_error(client, editor):
    article = make_article()
    response = post_change(client, article, title="", tags=["new:低空经济"])
    assert response.status_code == 200  # 标题 is required
    assert not Tag.objects.filter(name="低空经济").exists()
    assert '<option value="new:低空经济" selected>低空经济</option>' in response.text


def test_the_tag_box_lets_editors_type_new_tags(client, editor):
    page = client.get(change_url(make_article())).text
    box = re.search(r'<select name="tags"[^>]*>', page).group()
    assert 'data-tags="true"' in box and "admin-autocomplete" in box
    assert "/static/js/admin/tag-field.js" in page
    assert finders.find("js/admin/tag-field.js")


def test_an_article_cannot_be_its_own_related_article(client, chief):
    article = make_article()
    other = make_article()
    response = post_change(client, article, related=[article.pk, other.pk])
    assert response.status_code == 200
    assert "不能把本文设为自己的相关文章" in response.text
    assert post_change(client, article, related=[other.pk]).status_code == 302
    assert list(article.related.all()) == [other]


def test_category_slug_is_made_from_the_name_when_left_blank(client, chief):
    response = client.post(
        reverse("admin:articles_category_add"),
        {
            "name": "新能源汽车",
            "slug": "",
            "description": "",
            "sort_order": 20,
            "show_in_nav": "on",
        },
    )
    assert response.status_code == 302
    assert Category.objects.get(name="新能源汽车").slug == "xin-neng-yuan-qi-che"
