"""The editors' admin (articles.admin): FAQ inline, previews, tags, who may delete."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.admin_client import CHANGELIST, change_url, changeform_data
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def test_faq_entries_are_edited_inline_in_order(client, editor):
    article = make_article(status=Article.Status.DRAFT)
    data = changeform_data(client.get(change_url(article)))
    data.update(
        {
            "faqs-TOTAL_FORMS": 2,
            "faqs-0-question": "第二个问题",
            "faqs-0-answer": "答二",
            "faqs-0-sort_order": 2,
            "faqs-1-question": "第一个问题",
            "faqs-1-answer": "答一",
            "faqs-1-sort_order": 1,
        }
    )
    assert client.post(change_url(article), data).status_code == 302
    assert [f.question for f in article.faqs.all()] == ["第一个问题", "第二个问题"]


def test_view_on_site_previews_a_draft_for_staff(client, editor):
    draft = make_article(status=Article.Status.DRAFT)
    response = client.get(change_url(draft))
    assert f'href="{draft.get_absolute_url()}"' in response.text
    assert "预览" in response.text
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "预览" in preview.text
    live = make_article()
    assert "在站点上查看" in client.get(change_url(live)).text


def test_editors_cannot_delete_articles(client, editor):
    article = make_article()
    response = client.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_tag_list_links_to_its_articles(client, chief):
    tag = make_tag(name="集成电路")
    tagged = make_article(tags=[tag])
    make_article()
    response = client.get(reverse("admin:articles_tag_changelist"))
    assert f"?tags__id__exact={tag.pk}" in response.text
    listing = client.get(CHANGELIST + f"?tags__id__exact={tag.pk}")
    assert list(listing.context["cl"].result_list) == [tagged]
