"""The editors' admin at 1280×800: no page scrolls sideways, and the title box takes a headline."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Category
from tests.browser.test_editor import log_in
from tests.factories import make_article, make_indicator, make_observation, make_tag, make_user

pytestmark = pytest.mark.django_db(transaction=True)

LONG_TITLE = (
    "工业和信息化部关于组织开展2024年度国家高新技术产业开发区未来产业先导区建设工作的通知"
    "（附申报指南、评价指标体系和推荐汇总表）"
)


def scrolls_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def list_scrolls_sideways(page):
    """The change list's table scrolls in its own box rather than the page's."""
    return page.evaluate(
        "(box => box.scrollWidth > box.clientWidth)(document.querySelector('#changelist .results'))"
    )


@pytest.fixture
def admin_page(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    make_user("root", is_superuser=True)
    log_in(page, live_server, "root")
    return page


def test_article_list_and_form_fit_a_1280_window_and_the_title_box_takes_a_headline(
    live_server, admin_page, tmp_path
):
    page = admin_page
    tags = [make_tag(name=f"集成电路重点产业链标签{n}") for n in range(6)]
    article = make_article(title=LONG_TITLE, source="中华人民共和国工业和信息化部高新技术司")
    article.tags.set(tags)
    for n in range(30):
        make_article(
            title=f"{LONG_TITLE}（第{n}批）", is_headline=n % 2 == 0, is_featured=n % 3 == 0
        )
    make_article(title="草稿" + LONG_TITLE, status=Article.Status.DRAFT, published_at=None)
    make_article(
        title="定时" + LONG_TITLE,
        published_at=timezone.now() + timedelta(days=3),
        category=Category.objects.get(name="战略性新兴产业研究"),
        updated_by=make_user("wangxiaoming_chief_editor"),
    )

    page.goto(live_server.url + "/admin/articles/article/")
    expect(page.locator("#result_list")).to_contain_text("（第29批）")
    page.screenshot(path=tmp_path / "article-list.png", full_page=True)
    assert not scrolls_sideways(page)
    assert not list_scrolls_sideways(page)

    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    title = page.locator("#id_title")
    expect(title).to_have_value(LONG_TITLE)
    page.screenshot(path=tmp_path / "article-form.png", full_page=True)
    assert title.bounding_box()["width"] >= 600
    assert not scrolls_sideways(page)


def test_indicator_form_with_its_observations_fits_a_1280_window(live_server, admin_page, tmp_path):
    page = admin_page
    source = make_article(title=LONG_TITLE)
    indicator = make_indicator(
        name="国家高新区企业研发经费投入占全国企业研发经费投入的比重", unit="%"
    )
    for year in range(2015, 2025):
        make_observation(
            indicator=indicator,
            period=str(year),
            value=40 + year - 2015,
            note="根据科技部火炬中心统计公报和国家统计局年度数据整理，2024年为快报数",
            source_article=source,
        )

    page.goto(live_server.url + f"/admin/indicators/indicator/{indicator.pk}/change/")
    expect(page.locator("#observations-group")).to_contain_text("2024")
    page.screenshot(path=tmp_path / "indicator-form.png", full_page=True)
    assert not scrolls_sideways(page)
