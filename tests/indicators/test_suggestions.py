from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from hitech_portal.demo.seeds import SEED_000_URL
from indicators.models import DismissedFigure, Observation
from indicators.suggestions import suggestions_for
from tests.factories import make_article, make_indicator, make_user

pytestmark = pytest.mark.django_db

SEED_SLUGS = {
    "national-hitech-zones": Decimal(178),
    "industrial-value-added-share": Decimal(20),
    "hitech-enterprises-share": Decimal(30),
    "little-giant-share": Decimal(40),
    "rd-spending-share": Decimal(50),
    "invention-patents-share": Decimal(50),
    "star-market-listed-share": Decimal(60),
    "manufacturing-innovation-centres-share": Decimal(70),
    "key-laboratories-share": Decimal(80),
}


@pytest.fixture
def seed_article():
    """The seed article and its indicators, without the 2024 values it is the source of."""
    call_command("load_demo", articles=0, stdout=StringIO())
    Observation.objects.filter(period="2024").delete()
    return Article.objects.get(source_url=SEED_000_URL)


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def take_url(article):
    return f"/admin/indicators/observation/suggestion/{article.pk}/"


def buttons(response):
    """What the panel offers: (action, figure key, indicator id) of each button."""
    tags = response.content.decode().split("<button")[1:]
    values = [tag.split('value="')[1].split('"')[0] for tag in tags if 'name="suggestion"' in tag]
    return [tuple(value.split(":")) for value in values]


def key_of(article, text):
    return next(s.key for s in suggestions_for(article) if s.figure.text == text)


def test_seed_article_suggests_178_zones_and_every_2345678_share(client, editor, seed_article):
    response = client.get(change_url(seed_article))
    page = response.content.decode()
    for name in ["国家级高新区数量：178家", "国家高新区工业增加值占全国比重：20%"]:
        assert name in page
    takes = [b for b in buttons(response) if b[0] == "take"]
    assert len(takes) == 9  # 50% is both R&D spending and invention patents
    assert Observation.objects.filter(period="2024").count() == 0  # nothing written by looking


def test_one_click_records_the_observation_with_its_source(client, editor, seed_article):
    response = client.get(change_url(seed_article))
    for action, key, indicator_id in buttons(response):
        if action == "take":
            reply = client.post(
                take_url(seed_article), {"suggestion": f"take:{key}:{indicator_id}"}
            )
            assert reply.status_code == 302
    recorded = {
        obs.indicator.slug: obs for obs in Observation.objects.filter(period="2024", region="全国")
    }
    assert {slug: obs.value for slug, obs in recorded.items()} == SEED_SLUGS
    assert all(obs.source_article == seed_article for obs in recorded.values())
    assert recorded["industrial-value-added-share"].note == "原文为“20%以上”"
    revision = recorded["national-hitech-zones"].history.first()
    assert revision.history_user == editor and revision.history_type == "+"
    assert "已录入" in client.get(change_url(seed_article)).content.decode()


def test_dismissed_figures_are_not_offered_again(client, editor, seed_article):
    response = client.get(change_url(seed_article))
    action, key, _ = next(b for b in buttons(response) if b[0] == "dismiss")
    client.post(take_url(seed_article), {"suggestion": f"dismiss:{key}:"})
    assert DismissedFigure.objects.filter(article=seed_article, key=key).exists()
    assert key not in client.get(change_url(seed_article)).content.decode()


def test_a_different_recorded_value_needs_the_right_to_change_it(client, seed_article):
    zones = seed_article.indicators.get(slug="national-hitech-zones")
    Observation.objects.create(indicator=zones, period="2024", value=Decimal(170))
    reader = make_user("viewer", is_staff=True)
    reader.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_article", "view_observation", "add_observation"]
        )
    )
    client.force_login(reader)
    response = client.get(change_url(seed_article))
    assert "已有不同的数值，你没有修改观测值的权限" in response.content.decode()
    key = key_of(seed_article, "178家")
    refused = client.post(take_url(seed_article), {"suggestion": f"take:{key}:{zones.pk}"})
    assert refused.status_code == 403
    assert zones.observations.get(period="2024").value == Decimal(170)


def test_region_named_in_the_text(client, chief):
    indicator = make_indicator(name="高新技术企业数量", slug="hte", unit="家")
    article = make_article(body="<p>广东省高新技术企业超过7万家。</p>")
    response = client.get(change_url(article))
    assert "广东" in response.content.decode()
    _, key, indicator_id = next(b for b in buttons(response) if b[0] == "take")
    client.post(take_url(article), {"suggestion": f"take:{key}:{indicator_id}"})
    observation = indicator.observations.get()
    assert (observation.region, observation.value) == ("广东", Decimal(70000))  # 7万家 in 家


def test_panel_runs_fixed_queries(client, chief, seed_article, django_assert_max_num_queries):
    """Forty more figures cost no more queries."""
    with CaptureQueriesContext(connection) as once:
        response = client.get(change_url(seed_article))
    assert len(buttons(response)) == 18  # 9 录入 and 9 忽略 (三个 has no indicator)
    more = "".join(f"<p>园区第{n}批新增企业{n}家。</p>" for n in range(100, 140))
    Article.objects.filter(pk=seed_article.pk).update(body=seed_article.body + more)
    with django_assert_max_num_queries(len(once.captured_queries)):
        response = client.get(change_url(seed_article))
    assert len([b for b in buttons(response) if b[0] == "dismiss"]) == 9 + 40


def test_values_from_an_embargoed_article_wait_for_it(client):
    """A value taken from a scheduled article is nowhere public until the article is."""
    zones = make_indicator(name="国家级高新区数量", slug="zones", unit="家", is_key=True)
    Observation.objects.create(indicator=zones, period="2023", value=Decimal(173))
    scheduled = make_article(
        title="定时发布的数据", published_at=timezone.now() + timedelta(hours=2)
    )
    Observation.objects.create(
        indicator=zones, period="2024", value=Decimal(178), source_article=scheduled
    )
    citing = make_article(title="引用数据的文章")
    zones.articles.add(citing)
    pages = [
        citing.get_absolute_url(),
        "/",
        "/indicators/",
        "/indicators/zones/",
        "/indicators/zones.csv",
        "/api/indicators/",
        "/api/indicators/zones/observations/",
    ]
    for url in pages:
        text = client.get(url).content.decode("utf-8-sig")
        assert "173" in text, url
        assert "178" not in text, url
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    cache.clear()
    for url in pages:
        assert "178" in client.get(url).content.decode("utf-8-sig"), url


def test_a_figure_repeated_in_the_same_words_is_suggested_once(client, chief):
    make_indicator(name="高新技术企业数量", slug="hte", unit="家")
    article = make_article(body="<p>园区高新技术企业300家。</p><p>园区高新技术企业300家。</p>")
    takes = [b for b in buttons(client.get(change_url(article))) if b[0] == "take"]
    assert len(takes) == 1


def test_editor_adds_an_alias_that_matches_the_next_figures(client, editor):
    indicator = make_indicator(name="国家高新区营业收入", slug="revenue", unit="亿元")
    article = make_article(body="<p>去年园区营收达到1.2万亿元。</p>", status=Article.Status.DRAFT)
    assert not [b for b in buttons(client.get(change_url(article))) if b[0] == "take"]
    response = client.post(
        "/admin/indicators/indicatoralias/add/", {"indicator": indicator.pk, "name": "营收"}
    )
    assert response.status_code == 302
    page = client.get(change_url(article)).content.decode()
    assert "国家高新区营业收入：12000亿元" in page


def test_figures_of_the_title_are_suggested_too(client, chief):
    make_indicator(name="高新技术企业数量", slug="hte", unit="家")
    article = make_article(title="园区新增高新技术企业120家", body="<p>园区持续发力。</p>")
    page = client.get(change_url(article)).content.decode()
    assert "高新技术企业数量：120家" in page


def test_a_draft_does_not_replace_a_value_readers_see(client, seed_article, editor):
    """Its figure would be embargoed with it, and the public one would vanish meanwhile."""
    zones = seed_article.indicators.get(slug="national-hitech-zones")
    Observation.objects.create(indicator=zones, period="2024", value=Decimal(170))
    Article.objects.filter(pk=seed_article.pk).update(status=Article.Status.DRAFT)
    seed_article.refresh_from_db()
    assert (
        "已有公开的数值：改为引用未发布的文章会让它在页面上消失，只有主编可以这样做"
        in client.get(change_url(seed_article)).content.decode()
    )
    key = key_of(seed_article, "178家")
    refused = client.post(take_url(seed_article), {"suggestion": f"take:{key}:{zones.pk}"})
    assert refused.status_code == 403
    assert list(Observation.objects.public().filter(indicator=zones, period="2024")) == [
        zones.observations.get(period="2024")
    ]
    assert zones.observations.get(period="2024").value == Decimal(170)
