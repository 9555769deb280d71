"""Input found in the security audit that used to answer with a 500: now a page, or an error
that names the row, the column and the reason."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article
from indicators.models import Observation
from tests.factories import make_article, make_articles, make_indicator, make_tag, make_user

pytestmark = pytest.mark.django_db

PRIVATE_USE = "".join(chr(code) for code in range(0xE000, 0xF900))


@pytest.fixture
def admin_client(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the upload waits in media storage between the steps
    client.force_login(make_user(is_superuser=True))
    return client


def upload(client, url_name, text):
    data = SimpleUploadedFile("文件.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(
        reverse(url_name), {"resource": "0", "format": "0", "import_file": data}, follow=True
    )


def test_search_for_every_private_use_character_in_traditional_is_a_page(client):
    response = client.get("/zh-hant/search/", {"q": "园区" + PRIVATE_USE})
    assert response.status_code == 200
    assert "園區" in response.content.decode()


def test_a_body_full_of_private_use_characters_still_shows_in_traditional(client):
    article = make_article(title="高新区发展", body=f"<p>园区{PRIVATE_USE}</p>")
    response = client.get("/zh-hant" + article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "高新區發展" in page and "園區" in page


@pytest.mark.parametrize("path", ["/category/zone-news/", "/tags/yuanqu/", "/search/?q=园区&"])
def test_a_page_number_of_4301_digits_is_a_404_or_400(client, path):
    make_articles(3, tags=[make_tag(name="园区", slug="yuanqu")])
    response = client.get(path + ("&" if "?" in path else "?") + "page=" + "1" * 4301)
    assert response.status_code in (400, 404)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [("²", "编号应是正整数，而不是 ²"), ("9" * 30, "编号应是正整数，而不是 " + "9" * 30)],
)
def test_admin_import_with_an_id_that_is_no_integer_names_the_cell(admin_client, cell, reason):
    response = upload(admin_client, "admin:articles_article_import", f"编号,标题\n{cell},新标题\n")
    assert response.status_code == 200
    assert f"第 2 行（新标题），列「编号」：{reason}" in response.content.decode()
    assert Article.objects.count() == 0


def test_admin_import_with_a_time_before_year_one_in_utc_names_the_cell(admin_client):
    text = "标题,栏目,发布时间\n时间很早,高新区新闻,0001-01-01 00:00 +14:00\n"
    response = upload(admin_client, "admin:articles_article_import", text)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "第 2 行（时间很早），列「发布时间」：超出可以保存的时间范围 0001-01-01 00:00 +14:00"
        in page
    )
    assert Article.objects.count() == 0


def test_observation_import_citing_a_superscript_article_names_the_cell(admin_client):
    indicator = make_indicator(slug="zones")
    text = f"指标,期间,数值,来源文章\n{indicator.slug},2024,178,²\n"
    response = upload(admin_client, "admin:indicators_observation_import", text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "第 2 行" in page and "来源文章" in page and "²" in page
    assert Observation.objects.count() == 0


def test_changelist_search_for_a_superscript_digit_is_a_list(admin_client):
    make_article(title="第²期")
    response = admin_client.get(reverse("admin:articles_article_changelist"), {"q": "²"})
    assert response.status_code == 200
    assert "第²期" in response.content.decode()


def test_observation_import_with_a_value_too_big_to_round_names_the_cell(admin_client):
    """Found by fuzzing: 1E30 raised decimal.InvalidOperation."""
    indicator = make_indicator(slug="zones")
    text = f"指标,期间,数值\n{indicator.slug},2024,1E30\n"
    response = upload(admin_client, "admin:indicators_observation_import", text)
    assert response.status_code == 200
    assert "第 2 行" in response.content.decode() and "数值 1E30 太大" in response.content.decode()
    assert Observation.objects.count() == 0
