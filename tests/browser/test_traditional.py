"""A reader switches an article to traditional characters and keeps reading in them."""

from playwright.sync_api import expect

from articles.models import Category
from tests.factories import make_article


def test_reader_switches_to_traditional_and_stays_there(live_server, page, tmp_path):
    # Transactional tests before this one may have flushed the migrated categories.
    category, _ = Category.objects.get_or_create(slug="policy", defaults={"name": "政策解读"})
    make_article(title="高新区产业发展综述", category=category)
    article = make_article(
        title="国家高新区发展报告",
        category=category,
        body="<p>国家高新区是经国务院批准建立的科技产业园区。</p>",
    )
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("h1")).to_have_text("国家高新区发展报告")

    page.get_by_role("link", name="繁體").click()
    expect(page).to_have_url(f"{live_server.url}/zh-hant/articles/{article.pk}/")
    expect(page.locator("h1")).to_have_text("國家高新區發展報告")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.get_by_text("國家高新區是經國務院批准建立的科技產業園區。")).to_be_visible()
    expect(page.get_by_role("link", name="繁體")).to_have_attribute("aria-current", "page")
    page.screenshot(path=tmp_path / "article-hant.png", full_page=True)

    page.get_by_role("link", name="政策解讀", exact=True).first.click()
    expect(page).to_have_url(f"{live_server.url}/zh-hant/category/policy/")
    expect(page.locator("h1")).to_have_text("政策解讀")
    page.get_by_role("link", name="高新區產業發展綜述").click()
    expect(page.locator("h1")).to_have_text("高新區產業發展綜述")
    page.screenshot(path=tmp_path / "second-hant.png", full_page=True)

    page.get_by_role("link", name="简体").click()
    expect(page.locator("h1")).to_have_text("高新区产业发展综述")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
