"""A write retires the cached pages that show what it changed, and only those.

Each stored page records what it shows (articles.public_changes.page_tags); a cached page is
told apart from a rendered one by the queries it costs (a stored page costs none).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.importing import ArticleImporter
from articles.models import Article
from hitech_portal.cache import SharedSlots
from hitech_portal.imports.engine import run_import
from hitech_portal.imports.tables import Table
from tests.factories import (
    make_article,
    make_category,
    make_image,
    make_indicator,
    make_observation,
    make_tag,
    make_user,
)

pytestmark = pytest.mark.django_db


def cached(client, path) -> bool:
    """Whether the page came from the store (it is stored afterwards either way)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries) == 0


@pytest.fixture
def world():
    """Two categories, each with an article and its own tag, and nothing in common."""
    energy, finance = make_category(slug="energy"), make_category(slug="finance")
    hydrogen, bonds = make_tag(name="氢能", slug="hydrogen"), make_tag(name="债券", slug="bonds")
    x = make_article(title="氢能产业园开工", category=energy, tags=[hydrogen])
    y = make_article(title="科创债券发行", category=finance, tags=[bonds])
    return x, y


def pages_of(x, y):
    return {
        "x": x.get_absolute_url(),
        "x category": x.category.get_absolute_url(),
        "x tag": "/tags/hydrogen/",
        "y": y.get_absolute_url(),
        "y category": y.category.get_absolute_url(),
        "y tag": "/tags/bonds/",
        "home": "/",
        "search": "/search/?q=产业",
        "feed": "/feeds/latest.xml",
    }


def fill(client, pages):
    for path in pages.values():
        client.get(path)
    assert all(cached(client, path) for path in pages.values())


def still_cached(client, pages) -> set[str]:
    return {name for name, path in pages.items() if cached(client, path)}


@pytest.mark.parametrize("prefix", ["", "/zh-hant"])
def test_editing_an_article_retires_its_pages_and_leaves_unrelated_ones(client, world, prefix):
    x, y = world
    pages = {name: prefix + path for name, path in pages_of(x, y).items()}
    fill(client, pages)
    x.summary = "氢能产业园一期投产"
    x.save()
    assert still_cached(client, pages) == {"y", "y category", "y tag"}
    text = client.get(pages["x"]).text
    assert "氢能产业园一期投产" in text or "氫能產業園一期投產" in text


def test_retitling_an_article_retires_the_pages_that_link_to_it(client, world):
    x, y = world
    y.related.add(x)  # hand-picked: y's page links to x by its title
    pages = pages_of(x, y)
    fill(client, pages)
    x.title = "氢能产业园竣工"
    x.save()
    assert "氢能产业园竣工" in client.get(pages["y"]).text
    assert still_cached(client, pages) >= {"y category", "y tag"}


def test_moving_an_article_retires_both_categories(client, world):
    x, y = world
    neighbour = make_article(title="债券市场综述", category=y.category)
    pages = {**pages_of(x, y), "neighbour": neighbour.get_absolute_url()}
    fill(client, pages)
    x.category = y.category
    x.save()
    assert "氢能产业园开工" not in client.get(pages["x category"]).text
    assert "氢能产业园开工" in client.get(pages["y category"]).text
    assert not cached(client, pages["neighbour"])  # its 上一篇/下一篇 may be x now


def test_publishing_and_withdrawing_retire_the_lists(client, world):
    x, y = world
    draft = make_article(title="氢能示范区获批", category=x.category, status=Article.Status.DRAFT)
    pages = pages_of(x, y)
    fill(client, pages)
    chief = Client()
    chief.force_login(make_user(groups=["主编"]))
    chief.post(
        "/admin/articles/article/", {"action": "publish_selected", "_selected_action": [draft.pk]}
    )
    assert "氢能示范区获批" in client.get(pages["x category"]).text
    assert "氢能示范区获批" in client.get(pages["home"]).text
    assert still_cached(client, pages) >= {"y", "y category", "y tag"}


def test_deleting_an_article_retires_its_lists(client, world):
    x, y = world
    pages = pages_of(x, y)
    fill(client, pages)
    x.delete()
    assert client.get(pages.pop("x")).status_code == 404
    assert client.get(pages.pop("x tag")).status_code == 404  # a tag on no article
    assert "氢能产业园开工" not in client.get(pages["x category"]).text
    assert "氢能产业园开工" not in client.get(pages["home"]).text
    assert still_cached(client, pages) >= {"y", "y category", "y tag"}


def test_tagging_an_article_retires_the_tag_pages(client, world):
    x, y = world
    pages = pages_of(x, y)
    fill(client, pages)
    bonds = y.tags.get()
    x.tags.add(bonds)
    assert "氢能产业园开工" in client.get(pages["y tag"]).text
    assert not cached(client, pages["y"])  # related by tag: x may show there now
    x.tags.remove(bonds)
    assert "氢能产业园开工" not in client.get(pages["y tag"]).text


def test_renaming_a_tag_retires_every_page_that_shows_it(client, world):
    x, y = world
    pages = pages_of(x, y)
    fill(client, pages)
    tag = x.tags.get()
    tag.name = "氢能源"
    tag.save()
    assert "氢能源" in client.get(pages["x"]).text
    assert still_cached(client, pages) >= {"y", "y tag"}


def test_an_import_retires_the_lists_it_adds_to(client, world):
    x, y = world
    pages = pages_of(x, y)
    fill(client, pages)
    rows = [{"title": "氢能重卡示范运营", "category": "energy", "status": "published"}]
    assert run_import(ArticleImporter, Table.from_dicts(rows)).created == 1
    assert "氢能重卡示范运营" in client.get(pages["x category"]).text
    assert "氢能重卡示范运营" in client.get(pages["home"]).text
    assert still_cached(client, pages) >= {"y", "y category", "y tag"}


def test_an_import_that_moves_an_article_retires_the_category_it_left(client, world):
    x, y = world
    pages = pages_of(x, y)
    x.title = "氢能产业园开工仪式"
    x.save()  # a revision in energy
    fill(client, pages)
    rows = [{"id": x.pk, "title": x.title, "category": "finance", "status": "published"}]
    report = run_import(ArticleImporter, Table.from_dicts(rows))
    assert report.updated == 1, report
    assert "氢能产业园开工仪式" not in client.get(pages["x category"]).text
    assert "氢能产业园开工仪式" in client.get(pages["y category"]).text


def test_figures_retire_the_pages_that_show_them(client, world):
    x, y = world
    indicator = make_indicator(slug="zones")
    observation = make_observation(indicator=indicator, value=178)
    indicator.articles.add(x)
    pages = {**pages_of(x, y), "indicator": "/indicators/zones/"}
    fill(client, pages)
    observation.value = 179
    observation.save()
    assert "179" in client.get(pages["indicator"]).text
    assert "179" in client.get(pages["x"]).text
    assert still_cached(client, pages) >= {"y", "y category", "x category", "x tag"}


def test_categories_and_images_retire_every_page(client, world):
    x, y = world
    pages = pages_of(x, y)
    fill(client, pages)
    category = y.category
    category.name = "科技金融"
    category.save()  # the menu on every page
    assert still_cached(client, pages) == set()
    assert "科技金融" in client.get(pages["x"]).text
    image = make_image()
    assert still_cached(client, pages) == set()
    image.delete()


def test_a_scheduled_article_still_retires_nothing_but_caps_the_keep(client, world):
    x, y = world
    pages = pages_of(x, y)
    fill(client, pages)
    make_article(
        title="氢能定时发布", category=x.category, published_at=timezone.now() + timedelta(hours=1)
    )
    assert still_cached(client, pages) >= {"y", "y category", "y tag"}
    assert "氢能定时发布" not in client.get(pages["x category"]).text


def test_without_redis_versions_are_shared_through_a_mapped_file(tmp_path):
    path = str(tmp_path / "page-versions")
    one, other = SharedSlots(path), SharedSlots(path)  # as two app processes
    before = other.get_many(["pages:v:article:1", "pages:v:site"])
    assert all(before.values())  # a new file starts from the clock, not from 0
    one.incr_many(["pages:v:article:1"])
    after = other.get_many(["pages:v:article:1", "pages:v:site"])
    assert after["pages:v:article:1"] == before["pages:v:article:1"] + 1
    assert after["pages:v:site"] == before["pages:v:site"]


def test_with_a_folder_of_files_for_cache_a_save_retires_only_its_pages(
    client, settings, world, tmp_path
):
    folder = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"}
    settings.CACHES = {**settings.CACHES, "default": {**folder, "LOCATION": str(tmp_path / "c")}}
    x, y = world
    pages = pages_of(x, y)
    fill(client, pages)
    x.summary = "氢能产业园一期投产"
    x.save()
    assert still_cached(client, pages) == {"y", "y category", "y tag"}
    assert "氢能产业园一期投产" in client.get(pages["x"]).text


def test_a_page_built_from_kept_parts_is_retired_by_what_those_parts_show(client, world, settings):
    """The related articles and neighbours of an article page are kept apart from pages; a page
    stored from the kept part still knows it shows them."""
    x, y = world
    x.related.add(y)
    reader = Client()
    reader.cookies[settings.SESSION_COOKIE_NAME] = "a-reader"  # rendered, never stored
    assert y.title in reader.get(x.get_absolute_url()).content.decode()  # keeps the part
    assert y.title in client.get(x.get_absolute_url()).content.decode()  # stored from it
    assert cached(client, x.get_absolute_url())

    y.status = Article.Status.DRAFT
    y.save()

    assert y.title not in client.get(x.get_absolute_url()).content.decode()
