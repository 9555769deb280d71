"""A visitor's paths through the public site, in Debian's chromium."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import FAQ, Article, Category
from tests.factories import make_article, make_articles, make_category, make_tag

PHONE = {"width": 390, "height": 844}
# Headless chromium says "HeadlessChrome", which the view counter rightly takes for a robot.
DESKTOP_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "user_agent": DESKTOP_UA}


@pytest.fixture
def console_errors(page):
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def category_named(name):
    """The migrated category (live_server's flush after an earlier test may have removed it)."""
    return Category.objects.filter(name=name).first() or make_category(name=name)


@pytest.fixture
def site():
    category = category_named("高新区新闻")
    tag = make_tag(name="新质生产力")
    now = timezone.now()
    make_articles(25, category=category)
    related = make_article(
        category=category_named("政策解读"),
        title="高新区培育新质生产力的政策解读",
        tags=[tag],
        view_count=3,
        published_at=now - timedelta(days=40),
    )
    article = make_article(
        category=category,
        title="工信部：引导有条件的高新区建设未来产业先导区",
        source="高新院",
        summary="国家高新区贡献了全国两成以上的工业增加值。",
        tags=[tag],
        is_headline=True,
        published_at=now - timedelta(minutes=5),
        body=(
            "<p>国家高新区是经国务院批准建立的科技产业园区。</p>"
            "<h2>一组数字</h2><table><tr><th>指标</th><th>占全国比重</th><th>说明</th>"
            "<th>来源</th><th>备注</th></tr><tr><td>工业增加值</td><td>20%以上</td>"
            "<td>全部国家高新区合计的工业增加值</td><td>国新办新闻发布会</td>"
            "<td>截至2024年7月5日</td></tr></table>"
            '<p>原文：<a href="https://www.achie.org/a/very/long/path/that/should/wrap/'
            'inside/the/article/body/2024-07-05.html">https://www.achie.org/a/very/long/'
            "path/that/should/wrap/inside/the/article/body/2024-07-05.html</a></p>"
        ),
    )
    FAQ.objects.create(article=article, question="什么是国家高新区？", answer="科技产业园区。")
    make_article(
        category=category,
        title="阅读最多的文章",
        view_count=999,
        published_at=now - timedelta(days=9),
    )
    return {"category": category, "article": article, "related": related}


def test_home_to_category_to_article_to_related(live_server, page, site, console_errors, tmp_path):
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile("高新区产业门户"))
    page.get_by_role("navigation", name="栏目导航").get_by_role("link", name="高新区新闻").click()
    expect(page.locator("h1")).to_have_text("高新区新闻")
    page.get_by_role("link", name=site["article"].title).first.click()
    expect(page.locator("h1")).to_have_text(site["article"].title)
    expect(page.get_by_role("navigation", name="面包屑")).to_contain_text("高新区新闻")
    expect(page.get_by_role("heading", name="常见问题")).to_be_visible()
    # The script counted this read and shows the new number.
    expect(page.locator("[data-view-count]")).to_have_text("1")
    page.screenshot(path=tmp_path / "article-desktop.png", full_page=True)
    page.get_by_role("complementary", name="相关文章推荐").get_by_role(
        "link", name=site["related"].title
    ).click()
    expect(page.locator("h1")).to_have_text(site["related"].title)
    expect(page.locator("[data-view-count]")).to_have_text("4")
    assert Article.objects.get(pk=site["article"].pk).view_count == 1
    assert console_errors == []


def test_filter_a_category_by_most_read(live_server, page, site, console_errors, tmp_path):
    page.goto(live_server.url + site["category"].get_absolute_url())
    first = page.locator(".card-list .card-title").first
    expect(first).to_have_text(site["article"].title)
    page.get_by_text("筛选与排序").click()
    page.get_by_label("排序").select_option(label="阅读最多")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"ordering=-view_count"))
    expect(first).to_have_text("阅读最多的文章")
    expect(page.get_by_label("排序")).to_have_value("-view_count")
    page.get_by_label("起始日期").fill("2099-01-01")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("没有符合条件的文章")).to_be_visible()
    page.screenshot(path=tmp_path / "category-filtered.png", full_page=True)
    assert console_errors == []


def test_phone_layout_never_scrolls_sideways(live_server, browser, site, tmp_path):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", user_agent=DESKTOP_UA)
    page = context.new_page()
    paths = {
        "home": "/",
        "category": site["category"].get_absolute_url(),
        "article": site["article"].get_absolute_url(),
    }
    for name, path in paths.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        page.screenshot(path=tmp_path / f"phone-{name}.png", full_page=True)
    # The search box is behind 菜单 on a phone, labelled, and at least 24px tall to tap.
    page.get_by_text("菜单", exact=True).click()
    box = page.get_by_role("searchbox", name="搜索").bounding_box()
    assert box["height"] >= 24 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    context.close()
