"""One headline rule (indicators.selectors): the admin, the list, the home page and the
indicator's own page show the same figure."""

import itertools

import pytest
from django.urls import reverse

from indicators import selectors
from indicators.models import Observation
from tests.factories import make_indicator, make_observation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def zones():
    """A newer regional figure beside an older national one."""
    indicator = make_indicator(name="国家级高新区数量", slug="zones", is_key=True)
    make_observation(indicator=indicator, period="2025", region="江苏", value=20)
    make_observation(indicator=indicator, period="2024", region="全国", value=178)
    return indicator


def test_the_admin_and_every_public_page_show_the_national_figure(client, zones):
    pages = [reverse("home"), reverse("indicators:list"), zones.get_absolute_url()]
    for url in pages:
        text = client.get(url).text
        assert "178" in text, url
    client.force_login(make_user(is_superuser=True))
    listing = client.get(reverse("admin:indicators_indicator_changelist")).text
    assert '<td class="field-latest_value">178 家</td>' in listing
    assert '<td class="field-latest_period">2024</td>' in listing


@pytest.mark.parametrize(
    "rows",
    [
        [("2025", "江苏"), ("2024", "全国")],
        [("2024", "江苏"), ("2024", "浙江"), ("2023", "广东")],  # no national: newest, by name
        [("2024", "全国"), ("2024-06", "全国"), ("2023-12-31", "全国")],  # mixed granularity
        [("2024-06", "浙江"), ("2024-06", "江苏"), ("2024", "北京")],
    ],
)
def test_the_database_and_python_forms_of_the_rule_agree(rows):
    indicator = make_indicator()
    for (period, region), value in zip(rows, itertools.count(1), strict=False):
        make_observation(indicator=indicator, period=period, region=region, value=value)
    from_database = indicator.observations.order_by(*selectors.headline_order()).first()
    loaded = list(Observation.objects.filter(indicator=indicator).order_by("?"))
    assert selectors.latest_observation(indicator, loaded) == from_database
    prefetched = selectors.indicator_list().get(pk=indicator.pk)
    assert selectors.latest_observation(prefetched) == from_database
