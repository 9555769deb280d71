"""Pictures as readers get them: renditions in srcset, sizes, lazy loading, media served, QR."""

import re

import pytest
from django.core.cache import cache
from django_tasks import default_task_backend

from images.models import Image
from indicators.models import IndicatorLink
from tests.factories import (
    image_upload,
    make_article,
    make_category,
    make_image,
    make_indicator,
    make_observation,
)

pytestmark = pytest.mark.django_db


def pictures(html: str) -> list[str]:
    return re.findall(r"<picture>.*?</picture>", html, re.S)


def test_article_cover_and_body_images_are_served_as_renditions(client):
    cover = make_image(
        alt="园区鸟瞰", caption="高新区全景", credit="新华社", width=6000, height=4000
    )
    inside = make_image(alt="实验室", width=1200, height=800)
    article = make_article(
        cover_image=cover,
        body=f'<p>正文开头。</p><figure><img src="{inside.file.url}" alt="新建的实验室">'
        "<figcaption>实验室</figcaption></figure><p>结尾。</p>",
    )
    html = client.get(article.get_absolute_url()).text
    lead, body = pictures(html)
    # The cover: 16:9 crops, WebP first, JPEG fallback, its size, fetched first, never lazy.
    assert re.search(
        r'<source type="image/webp" srcset="/media/renditions/\S+-wide-320\.webp 320w, ', lead
    )
    assert "-wide-1280.jpg 1280w" in lead
    assert 'width="1280" height="720"' in lead
    assert 'fetchpriority="high"' in lead and "loading=" not in lead
    assert 'sizes="(max-width: 760px) calc(100vw - 32px), 736px"' in lead
    assert "高新区全景" in html and "（来源：新华社）" in html
    # The body image: its whole picture (the widths it can fill), its own alt text, lazy.
    assert 'alt="新建的实验室"' in body
    assert '-full-960.webp 960w"' in body and "-full-1280" not in body
    assert 'width="960" height="640"' in body and 'loading="lazy"' in body
    assert 'property="og:image" content="http://127.0.0.1:8000/media/renditions/' in html


def test_cards_show_lazy_thumbnails_with_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    category = make_category()
    for n in range(6):
        make_article(category=category, cover_image=make_image(alt=f"图{n}"))
    with django_assert_max_num_queries(10) as first:
        html = client.get(category.get_absolute_url()).text
    thumbs = pictures(html)
    assert len(thumbs) == 6
    assert all(
        'loading="lazy"' in thumb and 'width="1280" height="720"' in thumb for thumb in thumbs
    )
    for n in range(6, 12):
        make_article(category=category, cover_image=make_image(alt=f"图{n}"))
    cache.clear()
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(category.get_absolute_url())


def test_home_lead_cover_is_fetched_first(client):
    make_article(is_headline=True, cover_image=make_image(alt="头条图片"))
    html = client.get("/").text
    assert 'alt="头条图片"' in html
    lead = pictures(html)[0]
    assert 'fetchpriority="high"' in lead


def test_a_changed_image_shows_at_once_on_cached_pages(client):
    image = make_image(alt="旧的说明")
    article = make_article(cover_image=image)
    assert 'alt="旧的说明"' in client.get(article.get_absolute_url()).text
    image.alt = "新的说明"
    image.save()
    assert 'alt="新的说明"' in client.get(article.get_absolute_url()).text


def test_media_files_are_served_with_debug_off(client, settings):
    settings.DEBUG = False
    image = make_image()
    original = client.get(image.file.url)
    assert original.status_code == 200
    assert original["Content-Type"] == "image/jpeg"
    assert b"".join(original.streaming_content)[:3] == b"\xff\xd8\xff"
    page = client.get(make_article(cover_image=image).get_absolute_url()).text
    webp = client.get(re.search(r"(/media/\S+\.webp) 320w", page).group(1))
    assert webp["Content-Type"] == "image/webp"
    assert b"".join(webp.streaming_content)[8:12] == b"WEBP"
    # Nothing outside MEDIA_ROOT, no directory listings.
    assert client.get("/media/../hitech_portal/settings.py").status_code == 400
    assert client.get("/media/images/").status_code == 404


def test_qr_code_of_the_page_address_is_an_svg_made_once(client):
    article = make_article()
    page = client.get(article.get_absolute_url()).text
    assert f'src="/articles/{article.pk}/qr.svg"' in page
    response = client.get(f"/articles/{article.pk}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.text
    assert (
        svg.startswith("<svg")
        and f"<title>http://127.0.0.1:8000/articles/{article.pk}/</title>" in svg
    )
    assert cache.get(f"qr:http://127.0.0.1:8000/articles/{article.pk}/") == svg
    hant = client.get(f"/zh-hant/articles/{article.pk}/qr.svg").text
    assert f"<title>http://127.0.0.1:8000/zh-hant/articles/{article.pk}/</title>" in hant
    draft = make_article(status="draft")
    assert client.get(f"/articles/{draft.pk}/qr.svg").status_code == 404


def test_reader_tools_and_the_publication_time_are_on_the_article_page(client):
    article = make_article()
    html = client.get(article.get_absolute_url()).text
    local = article.published_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert f">{local}</time>" in html
    for control in ('data-font-size="large"', 'data-font-size="medium"', 'data-font-size="small"',
                    "data-print", "data-copy-link=", 'href="#top"'):  # fmt: skip
        assert control in html


def test_lists_without_thumbnails_never_read_the_covers(client, django_assert_max_num_queries):
    indicator = make_indicator(unit="家")
    make_observation(indicator=indicator, period="2024")

    def cite(count):
        for n in range(count):
            article = make_article(title=f"引用文章{n}", cover_image=make_image())
            IndicatorLink.objects.create(indicator=indicator, article=article)
        cache.clear()

    cite(2)
    with django_assert_max_num_queries(30) as few:
        client.get(indicator.get_absolute_url())
    cite(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(indicator.get_absolute_url()).text
    assert html.count("引用文章") == 8


def test_until_its_renditions_exist_a_new_cover_shows_the_original_at_its_size(client, settings):
    """The upload only stores the picture; a worker makes the sizes, then pages use them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    cover = Image(alt="园区鸟瞰", file=image_upload(width=6000, height=4000))
    cover.save()
    assert cover.renditions == {}
    article = make_article(cover_image=cover)
    html = client.get(article.get_absolute_url()).text
    assert pictures(html) == []
    assert f'<img src="{cover.file.url}" alt="园区鸟瞰" width="6000" height="4000"' in html
    [job] = default_task_backend.results
    job.task.call(*job.args)  # the worker's turn
    html = client.get(article.get_absolute_url()).text  # the cached page was retired
    [lead] = pictures(html)
    assert "-wide-1280.jpg 1280w" in lead and 'width="1280" height="720"' in lead


def test_a_new_focal_point_keeps_the_old_crops_on_pages_until_the_new_ones_exist(client, settings):
    cover = make_image(width=3000, height=1000)
    article = make_article(cover_image=cover)
    old_key = cover.renditions["key"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    cover.focal_x = 0.9
    cover.save()
    [job] = default_task_backend.results
    assert f"{old_key}-wide-1280.jpg" in client.get(article.get_absolute_url()).text
    cover.focal_x = 0.1  # changed again before a worker came: the first job is superseded
    cover.save()
    assert job.task.call(*job.args) == "superseded"
    latest = default_task_backend.results[-1]
    new_key = latest.task.call(*latest.args)
    assert new_key not in (old_key, job.args[1])
    html = client.get(article.get_absolute_url()).text
    assert f"{new_key}-wide-1280.jpg" in html and old_key not in html
