"""What follows a public write (articles.public_changes), counted on every way in.

Each write path re-indexes what it wrote exactly once and retires the cached pages exactly once:
a single save, an admin form (article, tags, FAQ entries), a bulk action, a delete, an import
batch. Rows that pages show but search does not read retire pages without touching the index.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import public_changes, search
from articles.importing import ArticleImporter
from articles.models import FAQ, Article, Category
from hitech_portal import pagecache
from hitech_portal.imports.engine import run_import
from hitech_portal.imports.tables import Table
from indicators.importing import ObservationImporter
from tests.admin_client import ADD, change_url, changeform_data, post_action
from tests.factories import make_article, make_articles, make_indicator, make_tag

pytestmark = pytest.mark.django_db


@dataclass
class FollowUps:
    indexed: list[list[int]] = field(default_factory=list)  # the ids of each index write
    retired: int = 0  # page-cache retirements

    def reset(self):
        self.indexed.clear()
        self.retired = 0


@pytest.fixture
def follow_ups(monkeypatch):
    """Counts the index writes and page retirements, letting both happen."""
    seen = FollowUps()
    index, retire = search.index_articles, pagecache.retire_on_commit

    def counting_index(ids):
        ids = list(ids)
        seen.indexed.append(sorted(ids))
        return index(ids)

    def counting_retire(tags):
        seen.retired += 1
        retire(tags)

    monkeypatch.setattr(search, "index_articles", counting_index)
    monkeypatch.setattr(pagecache, "retire_on_commit", counting_retire)
    return seen


def found(query):
    return [hit.article.pk for hit in search.search(query)[:20]]


# --- single saves and deletes ---------------------------------------------------------------------


def test_a_save_indexes_the_article_once_and_retires_pages_once(follow_ups):
    article = make_article(title="氢能产业园开工")
    assert follow_ups.indexed == [[article.pk]]
    assert follow_ups.retired == 1
    assert found("氢能") == [article.pk]


def test_setting_tags_from_either_side_reindexes_the_tagged_articles(follow_ups):
    article = make_article()
    tag = make_tag(name="新材料")
    follow_ups.reset()
    article.tags.add(tag)
    assert follow_ups.indexed == [[article.pk]]
    assert found("新材料") == [article.pk]
    other = make_article()
    follow_ups.reset()
    tag.articles.add(other)
    tag.articles.clear()
    assert follow_ups.indexed == [[other.pk], sorted([article.pk, other.pk])]
    assert found("新材料") == []


def test_saving_fields_search_does_not_read_retires_pages_only(follow_ups):
    article = make_article()
    follow_ups.reset()
    article.is_headline = True
    article.save(update_fields=["is_headline"])
    assert (follow_ups.indexed, follow_ups.retired) == ([], 1)


def test_a_scheduled_article_caps_how_long_pages_are_kept(follow_ups):
    make_article(published_at=timezone.now() + timedelta(hours=2))
    assert 7100 < pagecache.seconds_to_next_publication() <= 7200


def test_deleting_an_article_takes_it_out_of_the_index(follow_ups):
    article = make_article(title="储能电站并网")
    pk = article.pk
    follow_ups.reset()
    article.delete()
    assert (follow_ups.indexed, follow_ups.retired) == ([[pk]], 1)
    assert found("储能") == []


def test_rows_pages_show_but_search_does_not_read_retire_pages_only(follow_ups):
    article = make_article()
    follow_ups.reset()
    Category.objects.create(name="新栏目", slug="new-category")
    FAQ.objects.create(article=article, question="问", answer="答")
    indicator = make_indicator()
    indicator.articles.add(article)
    assert follow_ups.indexed == []
    assert follow_ups.retired == 4


# --- the admin: one request, one follow-up --------------------------------------------------------


def test_an_admin_add_with_tags_and_faq_indexes_once(client, chief, follow_ups):
    tag = make_tag(name="人工智能")
    follow_ups.reset()
    data = changeform_data(
        client.get(ADD),
        title="人工智能产业园揭牌",
        category=Category.objects.first().pk,
        body="<p>正文</p>",
        status="published",
        tags=[tag.pk],
        **{
            "faqs-TOTAL_FORMS": 1,
            "faqs-0-question": "在哪里？",
            "faqs-0-answer": "在园区。",
            "faqs-0-sort_order": 1,
        },
    )
    assert client.post(ADD, data).status_code == 302
    article = Article.objects.get(title="人工智能产业园揭牌")
    assert (follow_ups.indexed, follow_ups.retired) == ([[article.pk]], 1)
    assert found("人工智能") == [article.pk]


def test_an_admin_change_indexes_once(client, chief, follow_ups):
    article = make_article()
    tag = make_tag(name="生物医药")
    follow_ups.reset()
    data = changeform_data(client.get(change_url(article)), tags=[tag.pk], title="生物医药新政")
    assert client.post(change_url(article), data).status_code == 302
    assert (follow_ups.indexed, follow_ups.retired) == ([[article.pk]], 1)


def test_a_bulk_publish_indexes_the_selection_in_one_go(client, chief, follow_ups):
    drafts = make_articles(3, status=Article.Status.DRAFT)
    follow_ups.reset()
    post_action(client, "publish_selected", drafts)
    assert (follow_ups.indexed, follow_ups.retired) == ([sorted(a.pk for a in drafts)], 1)
    post_action(client, "unpublish_selected", drafts)
    assert len(follow_ups.indexed) == 2 and follow_ups.retired == 2


def test_a_flag_action_retires_pages_without_reindexing(client, chief, follow_ups):
    articles = make_articles(2)
    follow_ups.reset()
    post_action(client, "set_is_headline", articles)
    assert (follow_ups.indexed, follow_ups.retired) == ([], 1)


def test_admin_deletes_follow_once(client, chief, follow_ups):
    single, *several = make_articles(4)
    follow_ups.reset()
    url = reverse("admin:articles_article_delete", args=[single.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert (follow_ups.indexed, follow_ups.retired) == ([[single.pk]], 1)
    follow_ups.reset()
    post_action(client, "delete_selected", several, post="yes")
    assert Article.objects.count() == 0
    assert (follow_ups.indexed, follow_ups.retired) == ([sorted(a.pk for a in several)], 1)


def test_renaming_or_deleting_a_tag_reindexes_its_articles(client, chief, follow_ups):
    tag = make_tag(name="新材料")
    tagged = make_article(tags=[tag])
    make_article()
    follow_ups.reset()
    url = reverse("admin:articles_tag_change", args=[tag.pk])
    assert client.post(url, {"name": "先进材料", "slug": tag.slug}).status_code == 302
    assert (follow_ups.indexed, follow_ups.retired) == ([[tagged.pk]], 1)
    assert found("先进材料") == [tagged.pk]
    follow_ups.reset()
    client.post(reverse("admin:articles_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert (follow_ups.indexed, follow_ups.retired) == ([[tagged.pk]], 1)
    assert found("先进材料") == []


def test_a_request_that_fails_carries_out_nothing(follow_ups):
    with pytest.raises(RuntimeError), public_changes.collected():
        make_article()
        raise RuntimeError("the write is rolled back with the request")
    assert (follow_ups.indexed, follow_ups.retired) == ([], 0)


def test_nested_blocks_merge_into_the_outermost(follow_ups):
    with public_changes.collected():
        first = make_article()
        with public_changes.collected():
            second = make_article()
        assert follow_ups.indexed == []
    assert (follow_ups.indexed, follow_ups.retired) == ([sorted([first.pk, second.pk])], 1)


# --- imports: one follow-up per batch -------------------------------------------------------------


def rows(n):
    return [
        {"title": f"园区动态第{i}期", "category": "policy", "published_at": "2024-07-05"}
        for i in range(n)
    ]


def test_an_import_follows_once_per_batch_and_not_for_unchanged_rows(follow_ups):
    report = run_import(ArticleImporter, Table.from_dicts(rows(5)), batch_size=2)
    assert report.created == 5
    assert [len(ids) for ids in follow_ups.indexed] == [2, 2, 1]
    assert follow_ups.retired == 3
    follow_ups.reset()
    again = run_import(ArticleImporter, Table.from_dicts(rows(5)), batch_size=2)
    assert again.unchanged == 5
    assert (follow_ups.indexed, follow_ups.retired) == ([], 0)
    run_import(ArticleImporter, Table.from_dicts(rows(7)), dry_run=True)
    assert (follow_ups.indexed, follow_ups.retired) == ([], 0)


def test_an_observation_import_retires_pages_without_reindexing(follow_ups):
    make_indicator(slug="zones")
    follow_ups.reset()
    data = [{"indicator": "zones", "period": "2024", "value": "178"}]
    assert run_import(ObservationImporter, Table.from_dicts(data)).created == 1
    assert (follow_ups.indexed, follow_ups.retired) == ([], 1)


def test_rebuilding_the_index_notes_the_schedule_again(follow_ups):
    make_article(title="定时稿件", published_at=timezone.now() + timedelta(hours=3))
    pagecache.cache.delete(pagecache.SCHEDULE_KEY)  # as after a flushed cache
    assert pagecache.seconds_to_next_publication() is None
    call_command("rebuild_search_index", stdout=StringIO(), stderr=StringIO())
    assert 10700 < pagecache.seconds_to_next_publication() <= 10800
