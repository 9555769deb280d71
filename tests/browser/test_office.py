"""The whole editorial office in two browsers: an 编辑 writes and submits, a 主编 sends back and
approves; changes to a live article wait for approval while readers keep the approved text; a
stale save is refused; an export round-trips through the admin import and a 主编 undoes it."""

import csv
import io

import pytest
from playwright.sync_api import expect

from articles.models import Article, PendingChange
from hitech_portal.models import ImportRecord
from tests.browser.test_editor import log_in
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def office(live_server, browser):
    """An 编辑 and a 主编, each logged in in a browser of their own; and a reader."""
    make_user("bianji", groups=["编辑"], first_name="李编辑")
    make_user("zhubian", groups=["主编"], first_name="张主编")
    pages = {}
    for name in ("bianji", "zhubian", "reader"):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        pages[name] = context.new_page()
        if name != "reader":
            log_in(pages[name], live_server, name)
    yield pages
    for page in pages.values():
        page.context.close()


def test_write_submit_send_back_fix_approve(live_server, office, tmp_path):
    editor, chief, reader = office["bianji"], office["zhubian"], office["reader"]
    editor.goto(live_server.url + "/admin/articles/article/add/")
    editor.locator("#id_title").fill("高新区低空经济产业园开园")
    editor.locator("#id_category").select_option(label="高新区新闻")
    editor.locator(".field-body .ProseMirror").click()
    editor.keyboard.type("园区首批入驻企业32家。")
    editor.locator("input[name=_submit_review]").first.click()
    expect(editor.locator(".messagelist")).to_contain_text("成功")
    article = Article.objects.get(title="高新区低空经济产业园开园")
    assert article.status == Article.Status.REVIEW

    chief.goto(live_server.url + "/admin/")
    expect(chief.locator("#awaiting")).to_contain_text("待审文章 1 篇")
    chief.get_by_role("link", name="待审文章 1 篇").click()
    chief.get_by_role("link", name="高新区低空经济产业园开园").click()
    chief.get_by_role("link", name="查看差异并审核").click()
    expect(chief.locator(".side-by-side").first).to_contain_text("高新区低空经济产业园开园")
    chief.screenshot(path=tmp_path / "chief-review.png", full_page=True)
    chief.get_by_label("退回意见（退回时必填，作者会看到）").fill("请写明入驻企业的数据来源")
    chief.get_by_role("button", name="退回").click()
    expect(chief.locator(".messagelist")).to_contain_text("已退回")

    editor.goto(live_server.url + "/admin/")
    expect(editor.locator("#awaiting")).to_contain_text("被退回给我 1 篇")
    editor.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    expect(editor.locator(".review-panel--returned")).to_contain_text("请写明入驻企业的数据来源")
    editor.locator("#id_source").fill("园区管委会")
    editor.screenshot(path=tmp_path / "editor-returned.png", full_page=True)
    editor.locator("input[name=_submit_review]").first.click()
    expect(editor.locator(".messagelist")).to_contain_text("成功")

    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator("h1")).not_to_have_text("高新区低空经济产业园开园")  # a 404 page
    chief.goto(live_server.url + f"/admin/articles/article/{article.pk}/review/")
    expect(chief.locator(".change-list")).to_contain_text("园区管委会")
    chief.get_by_role("button", name="通过").click()
    expect(chief.locator(".messagelist")).to_contain_text("文章已通过并发布")
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator("h1")).to_have_text("高新区低空经济产业园开园")
    expect(reader.locator(".article-meta")).to_contain_text("园区管委会")


def test_readers_keep_the_approved_text_until_a_chief_approves(live_server, office, tmp_path):
    editor, chief, reader = office["bianji"], office["zhubian"], office["reader"]
    article = make_article(title="国家高新区达到178家", body="<p>批准的正文。</p>")
    editor.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    expect(editor.locator("#article_form")).to_contain_text("你的修改保存后提交主编审核")
    editor.locator("#id_title").fill("国家高新区达到178家，贡献全国两成工业增加值")
    editor.locator("input[name=_save]").first.click()
    expect(editor.locator(".messagelist")).to_contain_text("修改已提交审核")

    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator("h1")).to_have_text("国家高新区达到178家")

    chief.goto(live_server.url + "/admin/")
    chief.get_by_role("link", name="待审修改 1 处").click()
    chief.get_by_role("link", name="国家高新区达到178家").click()
    expect(chief.locator(".review-panel")).to_contain_text("李编辑")
    chief.get_by_role("link", name="查看差异并审核").click()
    expect(chief.locator("ins").first).to_contain_text("，贡献全国两成工业增加值")
    chief.screenshot(path=tmp_path / "chief-pending-diff.png", full_page=True)
    reader.reload()
    expect(reader.locator("h1")).to_have_text("国家高新区达到178家")
    chief.get_by_role("button", name="通过").click()
    expect(chief.locator(".messagelist")).to_contain_text("修改已通过并生效")
    reader.reload()
    expect(reader.locator("h1")).to_have_text("国家高新区达到178家，贡献全国两成工业增加值")


def test_the_second_of_two_editors_saving_the_same_article_is_refused(
    live_server, office, tmp_path
):
    editor, chief = office["bianji"], office["zhubian"]
    article = make_article(title="园区规划草案", status=Article.Status.DRAFT)
    url = live_server.url + f"/admin/articles/article/{article.pk}/change/"
    editor.goto(url)
    chief.goto(url)
    expect(chief.locator(".review-notice")).to_contain_text("李编辑 也打开了这篇文章")
    chief.locator("#id_title").fill("园区规划草案（主编修改）")
    chief.locator("input[name=_save]").first.click()
    expect(chief.locator(".messagelist")).to_contain_text("成功")

    editor.locator("#id_summary").fill("编辑在旧版本上写的摘要")
    editor.locator("input[name=_save]").first.click()
    expect(editor.locator(".review-panel--conflict")).to_contain_text("已被 张主编")
    expect(editor.locator(".review-panel--conflict ins").first).to_contain_text("（主编修改）")
    editor.screenshot(path=tmp_path / "editor-conflict.png", full_page=True)
    article.refresh_from_db()
    assert (article.title, article.summary) == ("园区规划草案（主编修改）", "园区产业稳步发展")


def test_an_export_round_trips_through_the_import_and_a_chief_undoes_it(
    live_server, office, tmp_path
):
    editor, chief = office["bianji"], office["zhubian"]
    target = make_article(title="园区企业研发投入增长", source_url="https://e.gov.cn/a.html")
    others = [make_article(title=f"其他文章{n}") for n in range(3)]
    before = {a.pk: (a.title, a.version) for a in Article.objects.all()}

    editor.goto(live_server.url + "/admin/articles/article/export/")
    editor.locator("#id_format").select_option(label="CSV（UTF-8，Excel 可直接打开）")
    with editor.expect_download() as download:
        editor.get_by_role("button", name="提交").click()
    exported = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    title_at = rows[0].index("标题")
    for row in rows[1:]:
        if row[title_at] == target.title:
            row[title_at] = "园区企业研发投入同比增长12.5%"
    edited = tmp_path / "文章-改标题.csv"
    with open(edited, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)

    editor.goto(live_server.url + "/admin/articles/article/import/")
    editor.locator("input[type=file]").set_input_files(edited)
    editor.locator("input[type=submit]").first.click()
    expect(editor.locator(".import-preview")).to_contain_text("待主编审核")
    expect(editor.locator("body")).to_contain_text("新建 0 篇，更新 1 篇，不变 3 篇")
    editor.screenshot(path=tmp_path / "editor-import-preview.png", full_page=True)
    editor.get_by_role("button", name="确认导入").click()
    expect(editor.locator(".import-result")).to_contain_text("导入完成")
    assert {a.pk: (a.title, a.version) for a in Article.objects.all()} == before
    assert PendingChange.objects.get(article=target).values == {
        "title": "园区企业研发投入同比增长12.5%"
    }
    assert len(others) == 3

    record = ImportRecord.objects.get()
    assert (record.user.username, record.updated, record.via) == ("bianji", 1, "后台")
    chief.goto(live_server.url + "/admin/hitech_portal/importrecord/")
    expect(chief.locator("#result_list")).to_contain_text("文章-改标题.csv")
    chief.locator("#result_list tbody a").first.click()
    expect(chief.locator("#content-main")).to_contain_text("园区企业研发投入同比增长12.5%")
    chief.get_by_role("link", name="撤销这次导入").click()
    expect(chief.locator("#content-main")).to_contain_text("1 处待审修改被撤回")
    chief.get_by_role("button", name="确认撤销这次导入").click()
    expect(chief.locator(".import-result")).to_contain_text("这次导入已于")  # the job ran
    chief.screenshot(path=tmp_path / "chief-undo.png", full_page=True)
    assert not PendingChange.objects.exists()
    assert {a.pk: (a.title, a.version) for a in Article.objects.all()} == before


def test_leaving_the_form_with_unsaved_edits_asks_first(live_server, office):
    editor = office["bianji"]
    article = make_article(title="没改完的稿子", status=Article.Status.DRAFT)
    editor.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    editor.on("dialog", answer)
    editor.locator("#id_title").click()  # a real gesture: browsers ask only after one
    editor.keyboard.press("End")
    editor.keyboard.type("（改了一半）")
    editor.get_by_role("link", name="首页").first.click()
    expect(editor.locator("#id_title")).to_have_value("没改完的稿子（改了一半）")
    assert asked == ["beforeunload"]
    editor.remove_listener("dialog", answer)
    editor.locator("input[name=_save]").first.click()  # a save leaves without asking
    expect(editor.locator(".messagelist")).to_contain_text("成功")
