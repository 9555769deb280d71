"""An 编辑 opens the seed article in the admin: the figures of "2345678" and the 178 zones are
suggested under the form, each becomes an observation in one click, and an embedded chart draws
in another site's iframe."""

import threading
from decimal import Decimal
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article
from hitech_portal.demo.seeds import SEED_000_URL
from indicators.models import Observation
from tests.browser.test_editor import log_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

#: Figure as written → the indicators it is the 2024 value of.
EXPECTED = {
    "178家": {"国家级高新区数量": Decimal(178)},
    "20%以上": {"国家高新区工业增加值占全国比重": Decimal(20)},
    "30%": {"国家高新区高新技术企业占全国比重": Decimal(30)},
    "40%": {"国家高新区专精特新“小巨人”企业占比": Decimal(40)},
    "50%": {"国家高新区企业研发经费投入占比": Decimal(50), "国家高新区发明专利占比": Decimal(50)},
    "60%": {"国家高新区科创板上市企业占比": Decimal(60)},
    "70%": {"国家高新区国家制造业创新中心占比": Decimal(70)},
    "80%": {"国家高新区全国重点实验室占比": Decimal(80)},
}


def test_editor_turns_each_seed_figure_into_an_observation(live_server, page, tmp_path):
    call_command("load_demo", articles=0, stdout=StringIO())
    Observation.objects.filter(period="2024").delete()  # the values this article is the source of
    article = Article.objects.get(source_url=SEED_000_URL)
    make_user("bianji", groups=["编辑"])
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "bianji")
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")

    panel = page.locator("#figure-suggestions")
    expect(panel.get_by_role("heading", name="文中的数字")).to_be_visible()
    for figure in EXPECTED:
        expect(panel.locator(f'tr[data-figure="{figure}"]')).to_have_count(1)
    panel.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "suggestions.png", full_page=True)

    for figure, indicators in EXPECTED.items():
        for name in indicators:
            row = page.locator(f'#figure-suggestions tr[data-figure="{figure}"]')
            row.get_by_role("button", name=f"录入 {figure} 为 {name}").click()
            expect(page.locator(".messagelist")).to_contain_text(f"已录入：{name} 2024 全国")
    page.locator("#figure-suggestions").scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "recorded.png", full_page=True)
    expect(page.locator("#figure-suggestions .figure-recorded")).to_have_count(9)

    recorded = {
        obs.indicator.name: obs.value
        for obs in Observation.objects.filter(period="2024", source_article=article)
    }
    assert recorded == {name: v for found in EXPECTED.values() for name, v in found.items()}


def test_another_site_frames_the_embedded_chart(live_server, page, tmp_path):
    call_command("load_demo", articles=0, stdout=StringIO())
    embed = live_server.url + "/indicators/national-hitech-zones/embed/"
    (tmp_path / "data.html").write_text(
        f'<!DOCTYPE html><html lang="en"><title>host</title>'
        f'<iframe src="{embed}" width="640" height="400" title="chart"></iframe></html>',
        encoding="utf-8",
    )
    # Another site: an origin of its own (127.0.0.1 and another port, the live server being
    # localhost), served over HTTP as a real site would be.
    handler = partial(SimpleHTTPRequestHandler, directory=tmp_path)
    other_site = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=other_site.serve_forever, daemon=True).start()
    page.set_viewport_size({"width": 800, "height": 500})
    page.goto(f"http://127.0.0.1:{other_site.server_port}/data.html")
    frame = page.frame_locator("iframe")
    expect(frame.locator("h1")).to_have_text("国家级高新区数量")
    expect(frame.locator("#indicator-chart svg")).to_be_visible()
    expect(frame.get_by_role("link", name="高新区产业门户 · 查看数据表")).to_be_visible()
    page.screenshot(path=tmp_path / "embedded.png")
    other_site.shutdown()
    other_site.server_close()
