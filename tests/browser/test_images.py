"""Editors fill the image library (button, drag and drop, paste into the body), reuse an image
as a cover, cannot delete one in use; readers get a small rendition on a phone."""

import base64

import pytest
from playwright.sync_api import expect

from articles.models import Article
from images.models import Image
from tests.browser.waiting import wait_until
from tests.factories import jpeg_bytes, make_article, make_image, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-不要用-123"  # tests.factories.make_user

# Puts a file into a DataTransfer and fires ``kind`` (drop or paste) at ``selector``.
FIRE_FILE = """([selector, kind, name, type, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  const target = document.querySelector(selector);
  const event = kind === "paste"
    ? new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true })
    : new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
}"""


def log_in(page, live_server, username):
    page.goto(live_server.url + "/admin/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#site-name")).to_contain_text("编辑后台")


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def test_editor_uploads_by_button_and_by_drag_and_drop(live_server, page, tmp_path):
    make_user("bianji", groups=["编辑"])
    log_in(page, live_server, "bianji")
    page.goto(live_server.url + "/admin/images/image/add/")
    page.locator("#id_file").set_input_files(
        {"name": "园区.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(2000, 1200)}
    )
    page.get_by_label("替代文字").fill("园区航拍")
    page.get_by_label("来源").fill("高新院")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("成功")
    expect(page.locator("#result_list")).to_contain_text("园区航拍")
    expect(page.locator("#result_list img.library-thumb").first).to_be_visible()

    page.goto(live_server.url + "/admin/images/image/add/")
    page.evaluate(FIRE_FILE, [".image-drop-zone", "drop", "拖进来.png", "image/png",
                              b64(jpeg_bytes(800, 600, image_format="PNG"))])  # fmt: skip
    expect(page.locator(".image-drop-hint")).to_have_text("已选择：拖进来.png")
    page.get_by_label("替代文字").fill("拖进来的图")
    page.screenshot(path=tmp_path / "library-add.png", full_page=True)
    page.locator("input[name=_save]").click()
    expect(page.locator("#result_list")).to_contain_text("拖进来的图")
    page.screenshot(path=tmp_path / "library-list.png", full_page=True)
    dropped = Image.objects.get(alt="拖进来的图")
    assert (dropped.width, dropped.height) == (800, 600) and dropped.file.name.endswith(".png")
    assert Image.objects.get(alt="园区航拍").uploaded_by.username == "bianji"


def test_a_picture_pasted_into_the_body_goes_to_the_library_and_to_readers(
    live_server, page, browser, tmp_path
):
    make_user("zhubian", groups=["主编"])
    log_in(page, live_server, "zhubian")
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.locator("#id_title").fill("园区新添实验楼")
    page.locator("#id_category").select_option(label="高新区新闻")
    editor = page.locator(".field-body .ProseMirror")
    editor.click()
    page.keyboard.type("实验楼今天启用。")
    page.once("dialog", lambda dialog: dialog.accept("新启用的实验楼外景"))
    page.evaluate(FIRE_FILE, [".field-body .ProseMirror", "paste", "image.png", "image/png",
                              b64(jpeg_bytes(1400, 900, image_format="PNG"))])  # fmt: skip
    expect(page.locator(".body-image-status")).to_contain_text("已插入图片「新启用的实验楼外景」")
    expect(editor.locator("img")).to_have_attribute("alt", "新启用的实验楼外景")
    # A file dropped from the desktop takes the same way; without alt text nothing is inserted.
    page.once("dialog", lambda dialog: dialog.accept(""))
    page.evaluate(FIRE_FILE, [".field-body .ProseMirror", "drop", "拖入.jpg", "image/jpeg",
                              b64(jpeg_bytes(900, 600))])  # fmt: skip
    expect(page.locator(".body-image-status")).to_have_text("没有填写替代文字，图片未插入。")
    expect(editor.locator("img")).to_have_count(1)
    assert Image.objects.count() == 1
    page.screenshot(path=tmp_path / "paste-into-body.png", full_page=True)
    page.locator("#id_status").select_option(label="已发布")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("成功")

    image = Image.objects.get(alt="新启用的实验楼外景")
    article = Article.objects.get(title="园区新添实验楼")
    assert image.file.url in article.body and image.uploaded_by.username == "zhubian"

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(live_server.url + article.get_absolute_url())
    picture = phone.locator(".article-body picture img")
    picture.scroll_into_view_if_needed()
    expect(picture).to_have_attribute("alt", "新启用的实验楼外景")
    wait_until(phone, "document.querySelector('.article-body picture img').complete")
    current = picture.evaluate("img => img.currentSrc")
    assert current.endswith("-full-640.webp"), current  # 358 css px wide on a 390 px phone


def test_renditions_fit_the_screen_and_a_cover_is_reused_from_the_library(
    live_server, page, browser, tmp_path
):
    library = make_image(alt="高新区全景航拍", width=4000, height=2600)
    make_user("bianji", groups=["编辑"])
    log_in(page, live_server, "bianji")
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.locator("#id_title").fill("复用图片库的封面")
    page.locator("#id_category").select_option(label="高新区新闻")
    page.locator(".field-cover_image .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("全景")
    page.locator(".select2-results__option", has_text="高新区全景航拍").click()
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("成功")
    article = Article.objects.get(title="复用图片库的封面")
    assert article.cover_image == library
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    article.refresh_from_db()
    article.save()  # published: retire cached pages

    chosen = {}
    for width in (390, 1280):
        reader = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
        view = reader.new_page()
        view.goto(live_server.url + article.get_absolute_url())
        cover = view.locator(".article-cover img")
        wait_until(view, "document.querySelector('.article-cover img').complete")
        chosen[width] = cover.evaluate("img => img.currentSrc")
        assert cover.evaluate("img => img.getAttribute('fetchpriority')") == "high"
        view.screenshot(path=tmp_path / f"article-cover-{width}.png")
        reader.close()
    assert chosen[390].endswith("-wide-640.webp"), chosen
    assert chosen[1280].endswith("-wide-960.webp"), chosen


def test_chief_editor_cannot_delete_an_image_in_use(live_server, page, tmp_path):
    image = make_image(alt="正在使用的图片")
    make_article(title="使用这张图的文章", cover_image=image)
    make_user("zhubian", groups=["主编"])
    log_in(page, live_server, "zhubian")
    page.goto(live_server.url + f"/admin/images/image/{image.pk}/change/")
    expect(page.locator(".field-where_used")).to_contain_text("使用这张图的文章")
    page.get_by_role("link", name="删除").click()
    expect(page.locator("#content")).to_contain_text("使用这张图的文章")
    expect(page.locator("input[type=submit]")).to_have_count(0)
    page.screenshot(path=tmp_path / "refused-delete.png", full_page=True)
    assert Image.objects.filter(pk=image.pk).exists()


def test_a_click_on_the_picture_sets_the_focal_point_and_remakes_the_crops(
    live_server, page, tmp_path
):
    image = make_image(alt="宽幅全景", width=3000, height=1000)
    old_key = image.renditions["key"]
    make_user("bianji", groups=["编辑"])
    log_in(page, live_server, "bianji")
    page.goto(live_server.url + f"/admin/images/image/{image.pk}/change/")
    picture = page.locator(".focal-picker img")
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.9, "y": box["height"] * 0.5})
    expect(page.locator("#id_focal_x")).to_have_value("0.900")
    expect(page.locator(".focal-marker")).to_be_visible()
    page.screenshot(path=tmp_path / "focal-point.png", full_page=True)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("成功")
    image.refresh_from_db()
    assert round(image.focal_x, 2) == 0.9
    assert image.renditions["key"] != old_key
