"""A reader on a phone and on a desktop: compact header and 菜单, the article's tools (字号
remembered across reloads and pages, 复制链接, the WeChat QR code, 返回顶部), indicator cards
shortened on an article. Screenshots at 390 and 1280 px are kept in the test's folder."""

import pytest
from playwright.sync_api import expect

from articles.models import Category
from indicators.models import IndicatorLink
from tests.browser.waiting import wait_until
from tests.factories import make_article, make_image, make_indicator, make_observation

pytestmark = pytest.mark.django_db(transaction=True)

FONT_SIZE = "el => parseFloat(getComputedStyle(el).fontSize)"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_BODY = "".join(
    f"<h2>第{n}部分</h2><p>{'园区企业创新活跃，产业集聚效应持续显现。' * 8}</p>"
    "<ul><li><p>研发投入增长</p></li><li><p>新增高新技术企业</p></li></ul>"
    for n in range(1, 9)
)


@pytest.fixture
def article(db):
    first = make_article(
        title="国家高新区创新发展报告发布",
        cover_image=make_image(alt="高新区全景", caption="高新区全景", width=2400, height=1600),
        body=LONG_BODY,
    )
    for n in range(3):
        indicator = make_indicator(name=f"高新区数量{n}", unit="家")
        make_observation(indicator=indicator, period="2024", value=178 + n)
        IndicatorLink.objects.create(indicator=indicator, article=first)
    return first


def test_phone_header_is_compact_and_the_menu_opens_every_category(
    live_server, browser, article, tmp_path
):
    page = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
    page.goto(live_server.url + article.get_absolute_url())
    headline = page.locator("h1")
    assert headline.bounding_box()["y"] < 200  # the headline is on the first screen
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator("#site-search")).to_be_hidden()
    page.screenshot(path=tmp_path / "article-390.png")
    page.screenshot(path=tmp_path / "article-390-full.png", full_page=True)
    # 相关数据: a short list of names and values, no sparkline cards.
    expect(page.locator(".related-data .sparkline").first).to_be_hidden()
    assert page.locator(".related-data .figure a").first.bounding_box()["height"] < 60

    menu = page.get_by_text("菜单", exact=True)
    expect(menu).to_be_visible()
    menu.click()
    links = page.locator(".menu-links a")
    shown = Category.objects.filter(show_in_nav=True, parent=None)
    names = list(shown.values_list("name", flat=True))
    expect(links).to_have_count(len(names) + 2)  # 首页, every category, 数据
    for name in names:
        expect(
            page.locator(".menu-links").get_by_role("link", name=name, exact=True)
        ).to_be_visible()
    expect(page.locator("#menu-search")).to_be_visible()
    page.screenshot(path=tmp_path / "menu-390.png")
    page.locator(".menu-links").get_by_role("link", name=names[0], exact=True).click()
    expect(page.locator("h1")).to_have_text(names[0])

    page.goto(live_server.url + "/")
    page.screenshot(path=tmp_path / "home-390.png")


def test_the_menu_works_without_javascript(live_server, browser, article):
    page = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(live_server.url + "/")
    page.get_by_text("菜单", exact=True).click()
    expect(page.locator(".menu-links").get_by_role("link", name="数据")).to_be_visible()


def test_font_size_is_remembered_across_reloads_and_pages(live_server, browser, article):
    other = make_article(title="另一篇文章")
    page = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    page.goto(live_server.url + article.get_absolute_url())
    body = page.locator(".article-body")
    medium = body.evaluate(FONT_SIZE)
    page.get_by_role("button", name="大字号").click()
    expect(page.get_by_role("button", name="大字号")).to_have_attribute("aria-pressed", "true")
    large = body.evaluate(FONT_SIZE)
    assert large > medium
    page.reload()
    expect(page.get_by_role("button", name="大字号")).to_have_attribute("aria-pressed", "true")
    assert body.evaluate(FONT_SIZE) == large
    page.goto(live_server.url + other.get_absolute_url())
    assert page.locator(".article-body").evaluate(FONT_SIZE) == large
    page.get_by_role("button", name="小字号").click()
    assert page.locator(".article-body").evaluate(FONT_SIZE) < medium


def test_share_qr_code_copy_link_print_and_back_to_top(live_server, browser, article, tmp_path):
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    page.get_by_text("微信扫码").click()
    qr = page.get_by_alt_text("本页地址的二维码")
    expect(qr).to_be_visible()
    wait_until(page, "document.querySelector('.share-qr img').naturalWidth > 0")
    assert qr.evaluate("img => img.naturalWidth") == 132
    page.screenshot(path=tmp_path / "article-1280.png")
    page.get_by_role("button", name="复制链接").click()
    expect(page.locator("[data-tool-status]")).to_have_text("链接已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"http://127.0.0.1:8000{article.get_absolute_url()}"  # SITE_URL + path
    top = page.get_by_role("link", name="返回顶部")
    expect(top).to_be_hidden()
    page.mouse.wheel(0, 4000)
    expect(top).to_be_visible()
    top.click()
    wait_until(page, "window.scrollY < 50")
    page.goto(live_server.url + "/")
    page.screenshot(path=tmp_path / "home-1280.png")


def test_the_tools_appearing_move_nothing_below_them(live_server, browser, article):
    tops = []
    for scripts in (False, True):
        context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=scripts)
        page = context.new_page()
        page.goto(live_server.url + article.get_absolute_url())
        if scripts:
            expect(page.get_by_role("button", name="打印")).to_be_visible()
        else:
            expect(page.get_by_role("button", name="打印")).to_be_hidden()
        tops.append(page.locator(".article-cover").bounding_box()["y"])
        context.close()
    assert tops[0] == tops[1]
