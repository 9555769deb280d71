"""The Content-Security-Policy in a real browser: nothing on the public pages or in the editor is
refused (the chart draws, the editor's import map runs by nonce), and a locked-out login reads
in Chinese."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_editor import PASSWORD, log_in
from tests.factories import make_article, make_indicator, make_observation, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def watch_policy(page) -> list[str]:
    refused = []
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and refused.append(msg.text),
    )
    return refused


def test_public_pages_and_the_chart_run_under_the_policy(live_server, page, tmp_path):
    indicator = make_indicator(name="国家级高新区数量", slug="zones", unit="家")
    for period, value in [("2022", 173), ("2023", 178)]:
        make_observation(indicator=indicator, period=period, value=value)
    make_observation(indicator=indicator, period="2023", region="江苏", value=18)
    article = make_article(title="高新区发展报告", summary="园区产业稳步发展")
    article.indicators.add(indicator)
    refused = watch_policy(page)
    for path in ("/", article.get_absolute_url(), "/zh-hant" + article.get_absolute_url()):
        page.goto(live_server.url + path)
        expect(page.locator("h1").first).to_be_visible()
    page.goto(live_server.url + "/indicators/zones/")
    expect(page.locator("#indicator-chart")).to_have_class("chart chart-ready")
    expect(page.locator("#indicator-chart svg").first).to_be_visible()
    page.screenshot(path=tmp_path / "chart-under-csp.png", full_page=True)
    assert refused == []


def test_the_prose_editor_runs_under_the_policy(live_server, page):
    make_user("zhubian", groups=["主编"])
    refused = watch_policy(page)
    log_in(page, live_server, "zhubian")
    page.goto(live_server.url + "/admin/articles/article/add/")
    editor = page.locator(".field-body .ProseMirror")
    expect(page.locator(".field-body .prose-menubar")).to_be_visible()
    editor.click()
    page.keyboard.type("园区正文")
    expect(editor).to_contain_text("园区正文")
    assert refused == []


def test_a_locked_out_login_reads_in_chinese(live_server, page, tmp_path):
    make_user("bianji")
    page.goto(live_server.url + "/admin/login/")
    for _ in range(5):
        page.get_by_label("用户名").fill("bianji")
        page.get_by_label("密码").fill("wrong")
        page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("登录失败次数过多，已暂停登录")
    expect(page.locator("#content")).to_contain_text("15 分钟后再试")
    page.screenshot(path=tmp_path / "lockout.png", full_page=True)
    page.goto(live_server.url + "/admin/login/")  # the right password does not help now
    page.get_by_label("用户名").fill("bianji")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("登录失败次数过多，已暂停登录")
