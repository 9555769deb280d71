"""/indicators/<slug>.csv: what Excel opens and import_observations reads back."""

import csv
import io
from decimal import Decimal

import pytest

from articles.models import Article
from indicators.exporting import CSV_HEADERS
from tests.factories import make_article, make_indicator, make_observation

pytestmark = pytest.mark.django_db


def parse(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_rows_equal_the_observations_in_the_import_columns(client):
    indicator = make_indicator(name="高新技术企业占比", slug="hte-share", unit="%", decimals=1)
    source = make_article(title="工信部发布会")
    make_observation(
        indicator=indicator, period="2024-07-05", value=30, note="以上", source_article=source
    )
    make_observation(indicator=indicator, period="2023", region="江苏", value=Decimal("12.3450"))
    make_observation(indicator=indicator, period="2022-06", value=Decimal("-0.5"))

    response = client.get("/indicators/hte-share.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="hte-share.csv"'
    rows = parse(response)
    assert rows[0] == ["指标", "期间", "地区", "数值", "备注", "来源文章"]
    assert rows[1:] == [
        ["高新技术企业占比", "2022-06", "全国", "-0.5", "", ""],
        ["高新技术企业占比", "2023", "江苏", "12.345", "", ""],
        ["高新技术企业占比", "2024-07-05", "全国", "30", "以上", str(source.pk)],
    ]
    # Every value reads back exactly as stored.
    stored = {(o.period, o.region): o.value for o in indicator.observations.all()}
    assert {(r[1], r[2]): Decimal(r[3]) for r in rows[1:]} == stored


def test_csv_escapes_cells_a_spreadsheet_would_run_as_formulas(client):
    indicator = make_indicator(name='=HYPERLINK("http://evil")', slug="formula")
    make_observation(indicator=indicator, period="2024", region="+地区", note="@SUM(A1)", value=-3)
    make_observation(indicator=indicator, period="2023", note="-1+1", value=5)
    rows = parse(client.get("/indicators/formula.csv"))
    assert rows[1] == ['\'=HYPERLINK("http://evil")', "2023", "全国", "5", "'-1+1", ""]
    assert rows[2] == ['\'=HYPERLINK("http://evil")', "2024", "'+地区", "-3", "'@SUM(A1)", ""]


def test_csv_does_not_reveal_draft_source_articles_or_their_values(client):
    indicator = make_indicator(slug="zones")
    draft = make_article(status=Article.Status.DRAFT)
    make_observation(indicator=indicator, source_article=draft)
    assert parse(client.get("/indicators/zones.csv")) == [
        CSV_HEADERS
    ]  # tests/indicators/test_embargo.py


def test_csv_leaves_out_values_taken_from_unpublished_articles(client):
    """A draft's figures are under its embargo: neither the value nor the article is shown."""
    indicator = make_indicator(slug="zones")
    draft = make_article(status=Article.Status.DRAFT)
    make_observation(indicator=indicator, period="2024", source_article=draft)
    make_observation(indicator=indicator, period="2023")
    rows = parse(client.get("/indicators/zones.csv"))
    assert [row[1] for row in rows[1:]] == ["2023"]


def test_csv_of_an_indicator_without_data_is_just_the_header(client):
    make_indicator(slug="empty")
    assert parse(client.get("/indicators/empty.csv")) == [
        ["指标", "期间", "地区", "数值", "备注", "来源文章"]
    ]


def test_csv_runs_fixed_queries(client, django_assert_max_num_queries):
    indicator = make_indicator(slug="many")
    for year in range(1990, 2025):
        make_observation(
            indicator=indicator, period=str(year), value=year, source_article=make_article()
        )
    with django_assert_max_num_queries(2):
        response = client.get("/indicators/many.csv")
    assert len(parse(response)) == 36


def test_csv_guards_formulas_behind_control_and_full_width_characters(client):
    indicator = make_indicator(name='\x0e=HYPERLINK("http://evil.example")', slug="hidden")
    make_observation(indicator=indicator, period="2024", region="＝1+1", note="\u3000+1", value=1)
    rows = parse(client.get("/indicators/hidden.csv"))
    assert rows[1][0] == '\'\x0e=HYPERLINK("http://evil.example")'
    assert rows[1][2] == "'＝1+1"
    assert rows[1][4] == "'\u3000+1"
