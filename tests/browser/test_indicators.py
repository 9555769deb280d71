"""The indicator page in a real browser: ECharts draws the series, the table holds the numbers."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_article, make_indicator, make_observation

pytestmark = pytest.mark.django_db(transaction=True)


def test_indicator_page_draws_the_chart_above_the_table(live_server, page, tmp_path):
    zones = make_indicator(
        name="国家级高新区数量", slug="national-zones", unit="家", source="科技部火炬中心"
    )
    for period, value in [
        ("2019", 169),
        ("2020", 169),
        ("2021", 169),
        ("2022", 173),
        ("2023", 178),
    ]:
        make_observation(indicator=zones, period=period, value=value)
    make_observation(indicator=zones, period="2023", region="江苏", value=18)
    article = make_article(title="工信部：我国目前有178家国家级高新区")
    article.indicators.add(zones)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.location["url"].endswith("/favicon.ico")  # the site's, not this page's
            and errors.append(msg.text)
        ),
    )

    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(live_server.url + "/indicators/national-zones/")

    chart = page.locator("#indicator-chart")
    expect(chart).to_have_class("chart chart-ready")
    drawing = chart.locator("svg, canvas").first
    expect(drawing).to_be_visible()
    box = drawing.bounding_box()
    assert box["width"] > 300 and box["height"] >= 300
    # ECharts renders SVG: axis labels, legend and point labels are text.
    chart_text = chart.inner_text() + " ".join(chart.locator("svg text").all_text_contents())
    for label in ["2019年", "2023年", "家", "178", "全国", "江苏"]:
        assert label in chart_text
    # A count: the y-axis starts at zero, not at the smallest value (169).
    axis = chart.locator("svg text").all_text_contents()
    assert "0家" in axis, axis
    # The value under the pointer.
    chart.locator(
        '[ecmeta_series_index="0"][ecmeta_data_index="4"][ecmeta_ssr_type="chart"]'
    ).hover()
    expect(chart.locator(".chart-tip")).to_have_text("2023年 · 全国：178家")
    table = page.get_by_role("table", name="国家级高新区数量（单位：家）")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(table.locator("tbody tr").nth(4).locator("th, td")).to_have_text(
        ["2023年", "全国", "178", "", ""]
    )
    expect(page.get_by_role("link", name="工信部：我国目前有178家国家级高新区")).to_be_visible()
    expect(page.get_by_role("img", name="国家级高新区数量走势图（数值见下表）")).to_be_visible()
    page.screenshot(path=tmp_path / "indicator.png", full_page=True)
    assert errors == []


def test_list_and_home_cards_lead_to_the_chart(live_server, page):
    zones = make_indicator(name="国家级高新区数量", slug="national-zones", unit="家", is_key=True)
    make_observation(indicator=zones, period="2024-07-05", value=178)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="国家级高新区数量 178家").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("数据国家级高新区数量")
    # One period only: a bar, still drawn.
    expect(page.locator("#indicator-chart.chart-ready svg")).to_be_visible()
    page.get_by_role("link", name="数据", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("数据")
