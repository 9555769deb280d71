from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from articles.categories import CATEGORIES
from articles.models import Article, Category
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

SOURCE_CATEGORIES = [
    "高新院新闻", "政策解读", "高新区新闻", "区域经济研究", "经济开发区新闻", "科技创新",
    "战略性新兴产业研究", "行业洞见", "一带一路新闻", "智慧城市案例", "产业规划", "园区规划",
    "智慧城市news",
]  # fmt: skip


def test_the_13_source_categories_exist_after_migrate_with_ascii_slugs():
    assert list(Category.objects.values_list("name", flat=True)) == SOURCE_CATEGORIES
    for slug in Category.objects.values_list("slug", flat=True):
        assert slug.isascii() and slug


def test_the_categories_module_and_the_data_migration_agree():
    """The migration keeps its own frozen copy; the demo loader and the tests use the module."""
    assert list(Category.objects.values_list("name", "slug")) == CATEGORIES


def test_both_editorial_groups_exist_and_only_chief_editors_may_publish():
    editor = Group.objects.get(name="编辑")
    chief = Group.objects.get(name="主编")
    assert not editor.permissions.filter(codename="publish_article").exists()
    assert chief.permissions.filter(codename="publish_article").exists()
    assert editor.permissions.filter(codename="change_article").exists()


def test_draft_is_404_to_visitors(client):
    article = make_article(status=Article.Status.DRAFT)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_scheduled_article_is_404_until_its_time_then_visible(client):
    article = make_article(published_at=timezone.now() + timedelta(hours=1))
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article not in Article.objects.published()
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert article.title in response.text


def test_published_queryset_and_is_published_agree():
    now = timezone.now()
    visible = make_article(published_at=now - timedelta(minutes=1))
    scheduled = make_article(published_at=now + timedelta(minutes=1))
    draft = make_article(status=Article.Status.DRAFT, published_at=now - timedelta(minutes=1))
    published = set(Article.objects.published())
    for article in (visible, scheduled, draft):
        assert (article in published) == article.is_published()
    assert published == {visible}


def test_staff_preview_a_draft_and_it_is_never_cached(client):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(make_user(groups=["编辑"]))
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "预览" in response.text
    assert "no-cache" in response["Cache-Control"]


def test_hostile_html_in_a_body_is_neutralised_on_save():
    article = make_article(
        body=(
            '<p onclick="steal()">文字<script>alert(1)</script></p>'
            '<a href="javascript:alert(1)">链接</a><iframe src="https://evil.example"></iframe>'
            '<img src="x.png" onerror="alert(1)" alt="图"><h2>小标题</h2><ul><li>一</li></ul>'
        )
    )
    article.refresh_from_db()
    body = article.body
    for bad in ("script", "onclick", "onerror", "javascript:", "iframe", "alert"):
        assert bad not in body
    for kept in ("<p>文字</p>", "<h2>小标题</h2>", "<li>一</li>", 'alt="图"'):
        assert kept in body


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_ensure_admin_prints_its_password_once(capsys):
    call_command("ensure_admin")
    first = capsys.readouterr().out
    assert "密码" in first
    call_command("ensure_admin")
    assert "已存在" in capsys.readouterr().out


def test_staff_without_article_rights_cannot_preview_a_draft(client):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(make_user())  # staff, but in no editorial group
    assert client.get(article.get_absolute_url()).status_code == 404
