"""A 主编 writes and publishes an article in the admin's rich-text editor; readers then see it.
An 编辑 is not offered the publish action."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import make_article, make_tag, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-不要用-123"  # tests.factories.make_user


def log_in(page, live_server, username):
    page.goto(live_server.url + "/admin/")
    expect(page.get_by_label("用户名")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#site-name")).to_contain_text("编辑后台")


def test_chief_editor_writes_and_publishes_and_readers_see_it(live_server, page, browser, tmp_path):
    make_user("zhubian", groups=["主编"])
    log_in(page, live_server, "zhubian")
    page.get_by_role("link", name="文章", exact=True).first.click()
    page.get_by_role("link", name="增加 文章").click()
    expect(page.locator("h1")).to_have_text("增加 文章")

    page.locator("#id_title").fill("高新区集成电路产业再上新台阶")
    page.locator("#id_category").select_option(label="高新区新闻")
    editor = page.locator(".field-body .ProseMirror")
    expect(page.locator(".field-body .prose-menubar")).to_be_visible()
    editor.click()
    page.keyboard.type("产业规模")
    page.get_by_role("button", name="二级标题").click()  # the toolbar speaks Chinese
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="正文段落").click()
    page.keyboard.type("今年前三季度，园区集成电路企业营业收入同比增长两成。")
    page.keyboard.press("Enter")
    page.keyboard.type("下一步将加快建设公共服务平台。")
    page.locator("#id_status").select_option(label="已发布")
    page.screenshot(path=tmp_path / "chief-add-form.png", full_page=True)
    page.locator("input[name=_save]").first.click()

    expect(page.locator(".messagelist")).to_contain_text("成功")
    expect(page.locator("#result_list")).to_contain_text("高新区集成电路产业再上新台阶")
    expect(page.locator("#result_list")).to_contain_text("已发布")
    page.screenshot(path=tmp_path / "chief-changelist.png", full_page=True)

    article = Article.objects.get(title="高新区集成电路产业再上新台阶")
    assert article.is_published()
    assert article.body.startswith("<h2>产业规模</h2>")
    assert "<p>今年前三季度，园区集成电路企业营业收入同比增长两成。</p>" in article.body

    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(live_server.url + article.get_absolute_url())
    expect(visitor.locator("h1")).to_have_text("高新区集成电路产业再上新台阶")
    expect(visitor.locator(".article-body h2")).to_have_text("产业规模")
    expect(visitor.locator(".article-body")).to_contain_text("下一步将加快建设公共服务平台。")
    expect(visitor.locator(".preview-banner")).to_have_count(0)
    visitor.screenshot(path=tmp_path / "visitor-article.png", full_page=True)
    visitor.context.close()


def test_editor_is_not_offered_the_publish_action(live_server, page, tmp_path):
    make_user("bianji", groups=["编辑"])
    make_article(title="待审的稿子", status=Article.Status.DRAFT, published_at=None)
    log_in(page, live_server, "bianji")
    page.goto(live_server.url + "/admin/articles/article/")
    options = page.locator("select[name=action] option").all_inner_texts()
    assert "设为头条" in options
    assert not any("发布所选文章" in option for option in options)
    assert "撤回为草稿" not in options
    expect(page.locator("#result_list")).to_contain_text("草稿")
    page.screenshot(path=tmp_path / "editor-changelist.png", full_page=True)

    page.get_by_role("link", name="待审的稿子").click()
    expect(page.locator("#id_status option")).to_have_text(["草稿", "待审"])
    page.screenshot(path=tmp_path / "editor-change-form.png", full_page=True)


def test_editor_types_new_tags_and_they_are_created_with_the_article(live_server, page, tmp_path):
    make_user("bianji", groups=["编辑"])
    existing = make_tag(pk=2024, name="人工智能")
    article = make_article(title="园区发布新一轮行动方案", status=Article.Status.DRAFT)
    log_in(page, live_server, "bianji")
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")

    search = page.locator(".field-tags .select2-search__field")
    search.click()
    search.type("人工")  # an existing tag, picked from the autocomplete
    page.locator(".select2-results__option", has_text="人工智能").click()
    search.type("低空经济，2024、")  # new names, ended by a full-width comma or 、
    search.type("卫星互联网")  # a new name, ended by Enter
    expect(page.locator(".select2-results__option--highlighted")).to_have_text("卫星互联网")
    search.press("Enter")
    chosen = page.locator(".field-tags .select2-selection__choice")
    expect(chosen).to_have_count(4)
    page.screenshot(path=tmp_path / "editor-new-tags.png", full_page=True)
    page.locator("input[name=_continue]").first.click()

    expect(page.locator(".messagelist")).to_contain_text("成功")
    expect(chosen).to_have_count(4)
    names = set(article.tags.values_list("name", flat=True))
    assert names == {"人工智能", "低空经济", "2024", "卫星互联网"}  # "2024" is not tag no. 2024
    assert existing in article.tags.all()
