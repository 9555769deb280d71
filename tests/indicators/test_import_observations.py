"""``manage.py import_observations``: same reader, same conventions as the article import."""

from datetime import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article
from hitech_portal.imports.engine import run_import
from hitech_portal.imports.tables import Table
from hitech_portal.models import ImportRecord
from indicators.importing import ObservationImporter, parse_period
from indicators.models import Observation
from tests.articles.test_import_command import DATA
from tests.factories import make_article, make_indicator, make_observation, make_user

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    try:
        call_command("import_observations", *[str(a) for a in args], stdout=out)
        status = 0
    except CommandError as exc:
        status = exc.returncode
    return status, out.getvalue().splitlines()


@pytest.fixture
def indicators():
    count = make_indicator(name="国家级高新区数量", slug="national-zones")
    share = make_indicator(name="高新区工业增加值占比", slug="industry-share", unit="%")
    return count, share


def test_gb18030_file_with_chinese_headers(indicators):
    count, share = indicators
    article = make_article(source_url="https://www.achie.org/t/1.html")
    status, lines = run(DATA / "observations_gb18030.csv")
    assert (status, lines[-1]) == (0, "created=3 updated=0 unchanged=0 failed=0")
    first = Observation.objects.get(indicator=count, period="2024")
    assert (first.value, first.region, first.source_article) == (Decimal(178), "全国", article)
    assert first.note == "截至2024年7月"
    assert Observation.objects.get(indicator=count, period="2023").source_article is None
    monthly = Observation.objects.get(indicator=share)
    assert (monthly.period, monthly.region, monthly.value) == ("2024-06", "全国", Decimal("1234.5"))


def test_admin_import_counts_observations_in_chinese(client, settings, tmp_path, indicators):
    settings.MEDIA_ROOT = tmp_path  # the uploaded file waits in media storage between steps
    client.force_login(make_user(is_superuser=True))
    make_article(source_url="https://www.achie.org/t/1.html")
    with open(DATA / "observations_gb18030.csv", "rb") as f:
        response = client.post(
            reverse("admin:indicators_observation_import"),
            {"resource": "0", "format": "0", "import_file": f},
            follow=True,
        )
    assert "新建 3 条，更新 0 条，不变 0 条。确认后才会写入。" in response.text
    confirm = {"record": ImportRecord.objects.get().pk}
    response = client.post(reverse("admin:indicators_observation_process_import"), confirm)
    page = client.get(response.url).text
    assert "导入完成：新建 3 条，更新 0 条，不变 0 条" in page
    assert "created=" not in page
    assert Observation.objects.count() == 3


def test_admin_import_that_fails_on_confirm_says_why_in_chinese(
    client, settings, tmp_path, indicators
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user(is_superuser=True))
    make_article(source_url="https://www.achie.org/t/1.html")
    with open(DATA / "observations_gb18030.csv", "rb") as f:
        response = client.post(
            reverse("admin:indicators_observation_import"),
            {"resource": "0", "format": "0", "import_file": f},
        )
    confirm = {"record": ImportRecord.objects.get().pk}
    indicators[1].delete()  # between the preview and the confirmation
    response = client.post(reverse("admin:indicators_observation_process_import"), confirm)
    page = client.get(response.url).text  # the background import's page
    assert "导入失败，什么也没有写入。" in page
    problem = page.split('<pre class="import-problem">', 1)[1].split("</pre>", 1)[0].splitlines()
    assert problem[0].startswith("第 4 行，列「指标」：未知的指标「高新区工业增加值占比」")
    assert problem[1].startswith("有错误，整个文件未导入")
    assert problem[1].endswith("新建 0 条，更新 0 条，不变 0 条，出错 1 行")
    assert Observation.objects.count() == 0


def test_reimport_is_unchanged_and_a_changed_value_updates(indicators, tmp_path):
    make_article(source_url="https://www.achie.org/t/1.html")
    run(DATA / "observations_gb18030.csv")
    assert run(DATA / "observations_gb18030.csv")[1][-1] == (
        "created=0 updated=0 unchanged=3 failed=0"
    )
    text = (DATA / "observations_gb18030.csv").read_bytes().decode("gb18030")
    (tmp_path / "changed.csv").write_text(text.replace(",178,截至", ",179,截至"), encoding="utf-8")
    assert run(tmp_path / "changed.csv")[1][-1] == "created=0 updated=1 unchanged=2 failed=0"
    assert Observation.objects.get(period="2024", indicator=indicators[0]).value == 179


def test_bad_rows_name_line_column_and_reason_and_write_nothing(indicators):
    make_observation(indicator=indicators[0], period="2021", value=1)
    status, lines = run(DATA / "observations_bad.csv")
    assert status == 1
    assert lines == [
        "第 2 行，列「period」：不存在的月份 2024-13",
        "第 3 行，列「indicator」：未知的指标「不存在的指标」（填指标名称或网址名）",
        "第 4 行，列「value」：数值应是数字，而不是 很多",
        "有错误，整个文件未导入：改正后重新导入，或用 --on-error skip 只导入正确的行。",
        "created=0 updated=0 unchanged=0 failed=3",
    ]
    assert Observation.objects.count() == 1


def test_unknown_source_article_and_duplicate_rows(indicators, tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text(
        "指标,期间,数值,来源文章\n"
        "national-zones,2024,178,https://www.achie.org/none.html\n"
        "national-zones,2023,170,\n"
        "國家級高新區數量,2023年,171,\n",
        encoding="utf-8",
    )
    status, lines = run(path, "--on-error", "skip")
    assert status == 1
    assert lines[0] == (
        "第 2 行，列「来源文章」：找不到来源文章 https://www.achie.org/none.html（填文章编号或原文链接）"
    )
    assert lines[1] == "第 4 行，列「期间」：与第 3 行是同一个数值（指标、期间和地区相同）"
    assert lines[-1] == "created=1 updated=0 unchanged=0 failed=2"


def test_source_article_by_id(indicators, tmp_path):
    article = make_article()
    path = tmp_path / "obs.csv"
    path.write_text(
        f"indicator,period,value,source_article\n国家级高新区数量,2024,178,{article.pk}\n"
    )
    assert run(path)[0] == 0
    assert Observation.objects.get().source_article == article


@pytest.mark.parametrize(
    ("text", "period"),
    [("2024", "2024"), ("2024年", "2024"), ("2024-6", "2024-06"), ("2024年6月", "2024-06"),
     ("2024/6/30", "2024-06-30"), ("2024年6月30日", "2024-06-30")],
)  # fmt: skip
def test_periods(text, period):
    assert parse_period(text) == period


def test_impossible_period():
    with pytest.raises(ValueError, match="不存在的日期 2024-02-30"):
        parse_period("2024-02-30")


def test_a_period_excel_turned_into_a_date_is_a_clear_error(indicators):
    data = [{"indicator": "national-zones", "period": datetime(2024, 6, 1), "value": "178"}]
    report = run_import(ObservationImporter, Table.from_dicts(data))
    assert [str(e) for e in report.errors] == [
        "第 1 行，列「period」：期间是日期格式的单元格（2024-06-01）：请把这一列设为文本，"
        "再填 2024、2024-06 或 2024-06-30"
    ]


def test_only_a_chief_editor_s_import_puts_a_public_value_under_an_unpublished_article(
    indicators, tmp_path
):
    """The rule of the admin's form (indicators.models.embargo_error), at the import too."""
    count, _share = indicators
    make_observation(indicator=count, period="2024", value=178)  # public, no source
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    path = tmp_path / "obs.csv"
    path.write_text(f"指标,期间,数值,来源文章\nnational-zones,2024,178,{draft.pk}\n")
    make_user("bianji", groups=["编辑"])
    status, lines = run(path, "--user", "bianji")
    assert status == 1
    assert lines[0] == (
        "第 2 行，列「来源文章」：已有公开的数值：改为引用未发布的文章会让它在页面上消失，"
        "只有主编可以这样做"
    )
    assert Observation.objects.get().source_article is None
    make_user("zhubian", groups=["主编"])
    assert run(path, "--user", "zhubian")[1][-1] == "created=0 updated=1 unchanged=0 failed=0"
    assert Observation.objects.get().source_article == draft
