"""A figure taken from an article is embargoed with it: until the article is public, its value
shows nowhere: not on the home page, the indicator pages, their CSV or articles' 相关数据."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_indicator, make_observation

pytestmark = pytest.mark.django_db

SECRET = "987654"


@pytest.fixture(params=["scheduled", "draft"])
def embargoed(request):
    """An indicator whose 2025 value comes from an article readers may not see yet; its 2024
    value comes from a public one."""
    if request.param == "scheduled":
        source = make_article(published_at=timezone.now() + timedelta(days=1))
    else:
        source = make_article(status=Article.Status.DRAFT, published_at=None)
    indicator = make_indicator(name="高新区数量", slug="zones", is_key=True)
    make_observation(indicator=indicator, period="2024", value=178, source_article=make_article())
    make_observation(indicator=indicator, period="2025", value=int(SECRET), source_article=source)
    return indicator, source


@pytest.mark.parametrize(
    "path", ["/", "/indicators/", "/indicators/zones/", "/indicators/zones.csv"]
)
def test_the_embargoed_value_shows_nowhere_until_its_article_is_public(client, embargoed, path):
    page = client.get(path).content.decode("utf-8-sig")
    assert SECRET not in page and "987,654" not in page
    assert "178" in page


def test_the_value_shows_once_the_article_is_published(client, embargoed):
    indicator, source = embargoed
    source.status = Article.Status.PUBLISHED
    source.published_at = timezone.now() - timedelta(minutes=1)
    source.save()
    assert SECRET in client.get("/indicators/zones.csv").content.decode("utf-8-sig")


def test_an_article_linking_the_indicator_shows_only_public_values(client, embargoed):
    indicator, _ = embargoed
    article = make_article(title="引用指标的文章")
    article.indicators.add(indicator)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "高新区数量" in page
    assert SECRET not in page and "987,654" not in page
