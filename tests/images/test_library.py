"""The image library: upload, the words an image carries, refused files, reuse, refused delete."""

import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from articles.models import Article, PendingChange
from articles.revisions import Revision
from images.models import Image
from tests.admin_client import post_change
from tests.factories import image_upload, jpeg_bytes, make_article, make_image, make_user

pytestmark = pytest.mark.django_db

ADD = "/admin/images/image/add/"
UPLOAD = "/admin/images/image/upload/"


def stored(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def upload_form(file, **fields):
    return {"file": file, "alt": "高新区夜景", "caption": "", "credit": "", "focal_x": "0.5",
            "focal_y": "0.5", **fields}  # fmt: skip


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` (a decompression bomb's trick)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )  # fmt: skip

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )  # fmt: skip


def test_upload_stores_the_file_once_under_a_generated_name_with_its_words(client, editor):
    response = client.post(
        ADD,
        upload_form(image_upload("IMG 0001 园区.jpg", width=2400, height=1600),
                    caption="园区全景", credit="新华社"),
    )  # fmt: skip
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.alt, image.caption, image.credit) == ("高新区夜景", "园区全景", "新华社")
    assert image.uploaded_by == editor
    assert (image.width, image.height) == (2400, 1600)
    assert image.file.name.startswith("images/") and image.file.name.endswith(".jpg")
    assert "园区" not in image.file.name and "IMG" not in image.file.name
    assert stored(image.file.name).exists()
    # Renditions: WebP and JPEG, four widths, whole picture and 16:9 crop.
    assert image.renditions["full"] == [[320, 213], [640, 427], [960, 640], [1280, 853]]
    assert image.renditions["wide"] == [[320, 180], [640, 360], [960, 540], [1280, 720]]
    files = sorted(p.name for p in stored("renditions").rglob("*.*"))
    assert len(files) == 16
    assert sum(name.endswith(".webp") for name in files) == 8


def test_alt_text_is_required(client, editor):
    response = client.post(ADD, upload_form(image_upload(), alt=""))
    assert response.status_code == 200
    assert 'id="id_alt_error"><li>' in response.text  # the 替代文字 field names what is missing
    assert not Image.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.pdf", b"%PDF-1.4 not a picture", "「报告.pdf」不是可以识别的图片文件"),
        ("截断.jpg", jpeg_bytes()[:200], "「截断.jpg」不是可以识别的图片文件"),
        ("炸弹.png", png_header(20_000, 20_000), "可能是“解压炸弹”"),
        ("大图.png", png_header(9_000, 6_000), "有 9000×6000 像素，超过 5,000 万像素的上限"),
        ("图.bmp", jpeg_bytes(image_format="BMP"), "「图.bmp」是 BMP 格式"),
    ],
)  # fmt: skip
def test_non_images_bombs_and_other_formats_are_refused_naming_the_file(
    client, editor, name, content, message
):
    response = client.post(ADD, upload_form(SimpleUploadedFile(name, content)))
    assert response.status_code == 200
    assert message in response.text
    assert not Image.objects.exists()
    assert not stored("images").exists()


def test_the_same_picture_is_stored_once(client, editor):
    content = jpeg_bytes()
    first = client.post(UPLOAD, upload_form(SimpleUploadedFile("a.jpg", content)))
    assert first.status_code == 201
    again = client.post(ADD, upload_form(SimpleUploadedFile("b.jpg", content)))
    assert "这张图片已在图片库中（「高新区夜景」" in again.text
    pasted = client.post(UPLOAD, upload_form(SimpleUploadedFile("c.jpg", content), alt="别的说明"))
    assert pasted.status_code == 200
    assert pasted.json()["id"] == first.json()["id"]
    assert Image.objects.count() == 1


def test_paste_upload_answers_json_with_the_stored_address(client, editor):
    response = client.post(UPLOAD, upload_form(image_upload(), caption="开园仪式"))
    data = response.json()
    image = Image.objects.get()
    assert data == {"id": image.pk, "url": image.file.url, "alt": "高新区夜景",
                    "caption": "开园仪式", "width": 1600, "height": 900}  # fmt: skip
    bad = client.post(UPLOAD, upload_form(SimpleUploadedFile("x.txt", b"hello")))
    assert bad.status_code == 400
    assert "「x.txt」不是可以识别的图片文件" in bad.json()["errors"][0]


def test_readers_and_visitors_cannot_upload(client):
    response = client.post(UPLOAD, upload_form(image_upload()))
    assert response.status_code == 302  # to the login page
    assert not Image.objects.exists()


def test_library_search_and_where_used(client, editor, django_assert_max_num_queries):
    night = make_image(alt="高新区夜景")
    for n in range(5):
        make_image(alt=f"其他图片{n}")
    make_article(title="封面用了夜景", cover_image=night)
    make_article(title="正文用了夜景", body=f'<p><img src="{night.file.url}" alt="夜景"></p>')
    with django_assert_max_num_queries(8):
        listing = client.get("/admin/images/image/", {"q": "夜景"})
    assert listing.context["cl"].result_count == 1
    row = listing.context["cl"].result_list[0]
    assert row.uses == 2
    page = client.get(f"/admin/images/image/{night.pk}/change/").text
    assert "封面用了夜景" in page and "正文用了夜景" in page


def test_an_image_in_use_cannot_be_deleted_and_the_page_lists_the_articles(client, chief):
    image = make_image()
    make_article(title="用作封面的文章", cover_image=image)
    make_article(
        title="正文里用的文章", body=f'<figure><img src="{image.file.url}" alt="x"></figure>'
    )
    url = f"/admin/images/image/{image.pk}/delete/"
    page = client.get(url).text
    assert "用作封面的文章" in page and "正文里用的文章" in page
    assert "受保护" in page or "protected" in page
    client.post(url, {"post": "yes"})
    assert Image.objects.filter(pk=image.pk).exists()
    assert stored(image.file.name).exists()
    action = client.post(
        "/admin/images/image/",
        {"action": "delete_selected", "_selected_action": [image.pk], "post": "yes"},
    )
    assert "用作封面的文章" in action.text
    assert Image.objects.filter(pk=image.pk).exists()


def test_an_unused_image_is_deleted_with_its_files(
    client, chief, django_capture_on_commit_callbacks
):
    image = make_image()
    names = [image.file.name, *(p for p in stored("renditions").rglob("*.*"))]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/images/image/{image.pk}/delete/", {"post": "yes"})
    assert not Image.objects.exists()
    assert not stored(image.file.name).exists()
    assert len(names) == 17 and not list(stored("renditions").rglob("*.*"))


def test_a_new_focal_point_makes_new_crops_and_removes_the_old(client, chief):
    image = make_image(width=3000, height=1000)
    old_key = image.renditions["key"]
    old_files = set(stored("renditions").rglob(f"{old_key}-wide-*"))
    assert len(old_files) == 8
    response = client.post(
        reverse("admin:images_image_change", args=[image.pk]),
        {"alt": image.alt, "caption": "", "credit": "", "focal_x": "0.9", "focal_y": "0.5"},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.renditions["key"] != old_key
    assert not any(path.exists() for path in old_files)
    assert len(list(stored("renditions").rglob(f"{image.renditions['key']}-wide-*"))) == 8


def test_editors_may_upload_and_reuse_but_only_chief_editors_delete(client, editor):
    image = make_image()
    assert client.get("/admin/images/image/").status_code == 200
    assert client.get(f"/admin/images/image/{image.pk}/delete/").status_code == 403


def test_an_editors_new_cover_on_a_published_article_waits_for_a_chief_editor(client, editor):
    article = make_article()
    image = make_image(alt="新封面")
    post_change(client, article, cover_image=image.pk)
    article.refresh_from_db()
    assert article.cover_image is None  # readers keep the approved version
    assert PendingChange.objects.get(article=article).values["cover_image"] == image.pk


def test_restoring_a_revision_whose_cover_was_deleted_since_leaves_no_cover(client, chief):
    image = make_image()
    article = make_article(cover_image=image)
    first = Revision.objects.filter(id=article.pk).order_by("history_id").first()
    article.cover_image = None
    article.save()
    image.delete()
    client.post(reverse("admin:articles_article_revision", args=[article.pk, first.history_id]))
    article.refresh_from_db()
    assert article.cover_image is None
    assert article.version == 3  # restored all the same


def test_an_editor_may_not_change_the_words_or_crop_of_a_live_articles_cover(client, editor):
    image = make_image(alt="原说明", caption="原图注")
    live = make_article(cover_image=image)  # published
    draft_only = make_image(alt="草稿配图")
    make_article(cover_image=draft_only, status=Article.Status.DRAFT)
    words = {"alt": "编辑改的说明", "caption": "编辑改的图注", "credit": "", "focal_x": "0.1",
             "focal_y": "0.9"}  # fmt: skip
    response = client.post(f"/admin/images/image/{image.pk}/change/", words)
    assert response.status_code == 403
    image.refresh_from_db()
    assert (image.alt, image.caption, image.focal_x) == ("原说明", "原图注", 0.5)
    assert "原图注" in Client().get(live.get_absolute_url()).text
    # An image only drafts use is the 编辑's to change.
    response = client.post(f"/admin/images/image/{draft_only.pk}/change/", words)
    assert response.status_code == 302
    draft_only.refresh_from_db()
    assert draft_only.caption == "编辑改的图注"


def test_an_image_a_waiting_change_proposes_cannot_be_deleted(client, editor):
    article = make_article()
    image = make_image(alt="新封面")
    post_change(client, article, cover_image=image.pk)
    assert PendingChange.objects.filter(article=article).exists()
    client.force_login(make_user("zhubian", groups=["主编"]))
    response = client.post(f"/admin/images/image/{image.pk}/delete/", {"post": "yes"})
    assert Image.objects.filter(pk=image.pk).exists()
    assert article.title in response.text  # the delete page names the article
