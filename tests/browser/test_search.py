from playwright.sync_api import expect

from tests.factories import make_article


def test_a_visitor_searches_in_chinese_and_sees_the_terms_marked(live_server, page, tmp_path):
    make_article(
        title="國家高新區建設未來產業先導區",
        body="<p>工信部表示，将引导有条件的国家高新区建设未来产业先导区。</p>",
    )
    make_article(title="智慧城市案例", body="<p>与之无关的内容</p>")
    page.goto(live_server.url + "/")
    header = page.get_by_role("banner")
    header.get_by_role("searchbox").fill("国家高新区 先导区")
    header.get_by_role("button", name="搜索").click()
    expect(page.locator("#search-summary")).to_contain_text("找到 1 篇")
    hit = page.locator(".search-hit")
    expect(hit).to_have_count(1)
    expect(hit.locator("h2 mark").first).to_have_text("國家高新區")
    expect(hit.locator(".snippet mark").first).to_have_text("国家高新区")
    expect(page.locator("#search-q")).to_have_value("国家高新区 先导区")
    page.screenshot(path=tmp_path / "search.png", full_page=True)
    hit.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("國家高新區建設未來產業先導區")
