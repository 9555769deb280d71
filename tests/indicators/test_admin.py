"""Indicators in the admin: observations inline, latest value in the list, links from articles."""

from decimal import Decimal

import pytest
from django.urls import reverse

from articles.models import Article
from indicators.models import Indicator, Observation
from tests.admin_client import changeform_data
from tests.factories import make_article, make_indicator, make_observation, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:indicators_indicator_changelist")


def test_list_shows_the_latest_value_nationwide_first(client, chief):
    parks = make_indicator(name="国家级高新区数量", unit="家")
    make_observation(indicator=parks, period="2022", value=173)
    make_observation(indicator=parks, period="2023", value=178)
    make_observation(indicator=parks, period="2023", region="江苏", value=18)
    make_indicator(name="尚无数据的指标")
    response = client.get(CHANGELIST)
    rows = {i.name: i for i in response.context["cl"].result_list}
    assert rows["国家级高新区数量"].latest == Decimal("178")
    assert "178 家" in response.text
    assert "2023" in response.text
    assert rows["尚无数据的指标"].latest is None


def test_list_runs_a_fixed_number_of_queries(client, chief, django_assert_max_num_queries):
    for n in range(3):
        make_observation(indicator=make_indicator(), period=f"202{n}")
    with django_assert_max_num_queries(8) as few:
        client.get(CHANGELIST)
    for n in range(15):
        make_observation(indicator=make_indicator(), period=f"20{10 + n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 18


def test_observations_are_added_inline_and_duplicates_refused_in_chinese(client, chief):
    indicator = make_indicator(name="高新区营业收入", unit="亿元")
    source = make_article(title="2023年高新区发展报告")
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    data = changeform_data(client.get(url))
    data.update(
        {
            "observations-TOTAL_FORMS": 1,
            "observations-0-period": "2023",
            "observations-0-region": "全国",
            "observations-0-value": "553000.5",
            "observations-0-note": "初步统计",
            "observations-0-source_article": source.pk,
        }
    )
    assert client.post(url, data).status_code == 302
    observation = Observation.objects.get(indicator=indicator)
    assert observation.value == Decimal("553000.5") and observation.source_article == source

    data = changeform_data(client.get(url))
    data.update(
        {
            "observations-TOTAL_FORMS": int(data["observations-TOTAL_FORMS"]) + 1,
            "observations-1-period": "2023",
            "observations-1-region": "全国",
            "observations-1-value": "1",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "有重复的期间和地区：同一指标在同一期间和地区只能有一个数值" in response.text
    data["observations-1-period"] = "2023年"
    assert "期间应写成" in client.post(url, data).text


def test_slug_is_pinyin_when_left_blank(client, chief):
    response = client.post(
        reverse("admin:indicators_indicator_add"),
        {
            "name": "研发投入强度",
            "slug": "",
            "unit": "%",
            "decimals": 2,
            "source": "",
            "description": "",
            "sort_order": 0,
            "observations-TOTAL_FORMS": 0,
            "observations-INITIAL_FORMS": 0,
            "aliases-TOTAL_FORMS": 0,
            "aliases-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    assert Indicator.objects.get(name="研发投入强度").slug == "yan-fa-tou-ru-qiang-du"


def test_editor_links_an_indicator_to_an_article_from_the_article_form(client, editor):
    indicator = make_indicator(name="国家级高新区数量")
    article = make_article(status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url)
    assert "相关指标" in page.text
    assert '<th class="column-indicator required">指标' in page.text
    found = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "indicators",
            "model_name": "indicatorlink",
            "field_name": "indicator",
            "term": "高新区",
        },
    ).json()
    assert [r["text"] for r in found["results"]] == ["国家级高新区数量"]

    data = changeform_data(page)
    data.update({"indicatorlink_set-TOTAL_FORMS": 1, "indicatorlink_set-0-indicator": indicator.pk})
    assert client.post(url, data).status_code == 302
    assert list(article.indicators.all()) == [indicator]
    # The existing link reads as the indicator's name, not "IndicatorLink object (1)".
    assert "IndicatorLink object" not in client.get(url).text


def test_editor_enters_observations_but_cannot_change_indicators(client, editor):
    indicator = make_indicator()
    change = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    data = changeform_data(client.get(change), name="改名")
    assert client.post(change, data).status_code == 403
    response = client.post(
        reverse("admin:indicators_observation_add"),
        {"indicator": indicator.pk, "period": "2024-06", "region": "全国", "value": "12.5"},
    )
    assert response.status_code == 302
    assert indicator.observations.get().period == "2024-06"
    listing = client.get(reverse("admin:indicators_observation_changelist"))
    assert "2024-06" in listing.text


@pytest.mark.parametrize(("role", "allowed"), [("编辑", False), ("主编", True)])
def test_only_a_chief_puts_a_public_value_under_a_drafts_embargo(client, role, allowed):
    """Citing an unpublished article hides the value everywhere until it is published."""
    client.force_login(make_user("someone", groups=[role]))
    indicator = make_indicator(slug="zones")
    observation = make_observation(indicator=indicator, period="2024", value=178)
    draft = make_article(title="尚未发布的文章", status=Article.Status.DRAFT)
    url = f"/admin/indicators/observation/{observation.pk}/change/"
    form = {"indicator": indicator.pk, "period": "2024", "region": "全国", "value": "180",
            "note": "", "source_article": draft.pk}  # fmt: skip
    response = client.post(url, form)
    observation.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and observation.source_article == draft
    else:
        assert "只有主编可以这样做" in response.text
        assert (observation.source_article, observation.value) == (None, 178)
        assert Observation.objects.public().filter(pk=observation.pk).exists()
    # Citing a published article, or editing a value that was not public, is everyone's work.
    published = make_article(title="已发布的文章")
    assert client.post(url, {**form, "source_article": published.pk}).status_code == 302
