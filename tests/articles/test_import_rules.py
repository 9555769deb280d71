"""The engine's rules, fed rows directly (``Table.from_dicts``) as ``load_demo`` would."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.importing import ArticleImporter
from articles.models import Article, Category, Tag
from hitech_portal import pagecache
from hitech_portal.imports.engine import run_import
from hitech_portal.imports.tables import Table
from tests.factories import make_article, make_tag, make_user

pytestmark = pytest.mark.django_db


def rows(n, **extra):
    return [
        {
            "title": f"园区动态第{i}期",
            "category": "policy",
            "published_at": f"2024-07-{i % 28 + 1:02d} 09:00",
            "source_url": f"https://www.achie.org/r/{i}.html",
            "tags": "园区、产业" if i % 2 else "园区",
            "body": f"<p>第{i}期正文</p>",
            **extra,
        }
        for i in range(n)
    ]


def run(data, **options):
    return run_import(ArticleImporter, Table.from_dicts(data), **options)


def test_id_column_updates_that_article_and_only_the_carried_fields():
    article = make_article(title="旧标题", source="旧来源", summary="保留的摘要")
    report = run([{"id": article.pk, "title": "新标题", "category": article.category.slug}])
    assert report.summary() == "created=0 updated=1 unchanged=0 failed=0"
    article.refresh_from_db()
    assert (article.title, article.source, article.summary) == ("新标题", "旧来源", "保留的摘要")


def test_unknown_id_is_an_error():
    report = run([{"id": "999999", "title": "标题", "category": "policy"}])
    assert report.failed == 1
    assert str(report.errors[0]) == "第 1 行（标题），列「id」：编号 999999 的文章不存在"


def test_source_url_identifies_the_article_and_updates_it():
    run(rows(3))
    changed = rows(3)
    changed[1]["title"] = "改过的标题"
    report = run(changed)
    assert report.summary() == "created=0 updated=1 unchanged=2 failed=0"
    assert Article.objects.get(source_url="https://www.achie.org/r/1.html").title == "改过的标题"


def test_rows_without_id_or_url_match_on_title_category_and_date():
    first = [{"title": "无链接的文章", "category": "政策解读", "published_at": "2024-07-05 10:00"}]
    assert run(first).created == 1
    # Same day written another way, category by slug: still the same article.
    again = [{"title": "无链接的文章", "category": "policy", "published_at": "2024年7月5日",
              "summary": "补充"}]  # fmt: skip
    report = run(again)
    assert report.summary() == "created=0 updated=1 unchanged=0 failed=0"
    article = Article.objects.get()
    assert article.summary == "补充"
    # The date column is carried, so the stored time follows the file.
    assert timezone.localtime(article.published_at).hour == 0


def test_duplicated_identities_within_one_file_are_reported_not_merged():
    data = rows(2)
    data.append({**data[0], "title": "同一链接的另一行"})
    data.append({"title": "甲", "category": "policy", "published_at": "2024-07-05"})
    data.append({"title": "甲", "category": "政策解读", "published_at": "2024/7/5 18:00"})
    report = run(data, on_error="skip")
    assert report.summary() == "created=3 updated=0 unchanged=0 failed=2"
    once = "；同一文件中每篇文章只能出现一次"
    assert [str(e) for e in report.errors] == [
        "第 3 行（同一链接的另一行），列「source_url」：与第 1 行是同一篇文章（原文链接相同）"
        + once,
        "第 5 行（甲），列「title」：与第 4 行是同一篇文章（标题、栏目和发布日期相同）" + once,
    ]
    assert Article.objects.get(source_url="https://www.achie.org/r/0.html").title == "园区动态第0期"


def test_a_row_repeating_one_batches_earlier_is_reported_with_the_first_line():
    data = rows(5)
    data.append({**data[1], "title": "五行之后又见"})
    report = run(data, on_error="skip", batch_size=2)
    assert report.summary() == "created=5 updated=0 unchanged=0 failed=1"
    assert str(report.errors[0]).startswith(
        "第 6 行（五行之后又见），列「source_url」：与第 2 行是同一篇文章（原文链接相同）"
    )


def test_a_url_already_used_by_another_article_is_an_error():
    owner = make_article(source_url="https://www.achie.org/owner.html")
    other = make_article()
    report = run([{"id": other.pk, "title": "x", "category": "policy",
                   "source_url": owner.source_url}])  # fmt: skip
    assert str(report.errors[0]).endswith(f"这个原文链接已被编号 {owner.pk} 的文章使用")
    assert report.rolled_back


def test_status_defaults_and_words():
    report = run(
        [
            {"title": "有日期", "category": "policy", "published_at": "2024-07-05"},
            {"title": "无日期", "category": "policy", "published_at": ""},
            {
                "title": "写明草稿",
                "category": "policy",
                "published_at": "2024-07-05",
                "status": "草稿",
            },
            {
                "title": "繁体状态",
                "category": "policy",
                "published_at": "2024-07-05",
                "status": "已發佈",
            },
            {
                "title": "状态不对",
                "category": "policy",
                "published_at": "2024-07-05",
                "status": "上线",
            },
        ],
        on_error="skip",
    )
    statuses = dict(Article.objects.values_list("title", "status"))
    assert statuses == {
        "有日期": "published", "无日期": "draft", "写明草稿": "draft", "繁体状态": "published"
    }  # fmt: skip
    assert (
        str(report.errors[0])
        == "第 5 行（状态不对），列「status」：无法识别的状态 上线（填 已发布、待审 或 草稿）"
    )


def test_published_without_a_date_gets_now_like_save_does():
    run([{"title": "立即发布", "category": "policy", "status": "published"}])
    article = Article.objects.get()
    assert article.is_published()
    # Re-importing the same row (no date: matched on title and category) keeps that date.
    report = run([{"title": "立即发布", "category": "policy", "status": "published"}])
    assert report.summary() == "created=0 updated=0 unchanged=1 failed=0"


def test_tags_split_on_all_separators_and_new_tags_get_unique_slugs():
    make_tag(name="园区")  # slug yuan-qu exists already
    run([{"title": "甲", "category": "policy", "tags": "园区，圆区、产业,园区"}])
    slugs = dict(Tag.objects.values_list("name", "slug"))
    assert slugs == {"园区": "yuan-qu", "圆区": "yuan-qu-2", "产业": "chan-ye"}
    assert Article.objects.get().tags.count() == 3


def test_changed_tags_make_an_update_and_are_replaced():
    run(rows(1))
    report = run(rows(1, tags="产业、科技"))
    assert report.summary() == "created=0 updated=1 unchanged=0 failed=0"
    assert sorted(Article.objects.get().tags.values_list("name", flat=True)) == ["产业", "科技"]


def test_bodies_are_sanitised_and_a_dirty_body_reimports_unchanged():
    dirty = '<p onclick="x()">正文</p><script>alert(1)</script><h1>大标题</h1>'
    run(rows(1, body=dirty))
    assert Article.objects.get().body == "<p>正文</p><h2>大标题</h2>"
    assert run(rows(1, body=dirty)).unchanged == 1


def test_formula_guard_is_removed_on_the_way_in():
    run([{"title": "'=1+1 不是公式", "category": "policy"}])
    assert Article.objects.get().title == "=1+1 不是公式"


def test_errors_name_the_column_as_the_file_does():
    data = [{"标题": "x", "栏目": "policy", "发布时间": "2024-13-45"}]
    table = Table.from_dicts(
        [{"title": r["标题"], "category": r["栏目"], "published_at": r["发布时间"]} for r in data],
        headers={"title": "标题", "category": "栏目", "published_at": "发布时间"},
    )
    report = run_import(ArticleImporter, table)
    assert str(report.errors[0]).startswith(
        "第 1 行（x），列「发布时间」：不存在的日期或时间 2024-13-45"
    )


def test_overlong_fields_and_bad_urls_are_errors():
    report = run(
        [
            {"title": "长" * 201, "category": "policy"},
            {"title": "网址", "category": "policy", "source_url": "www.achie.org/没有协议"},
            {"title": "标签", "category": "policy", "tags": "签" * 51},
        ],
        on_error="skip",
    )
    messages = [e.message for e in report.errors]
    assert messages[0] == "不能超过 200 字（现有 201 字）"
    assert messages[1].startswith("不是有效的网址")
    assert messages[2] == "标签「" + "签" * 51 + "」超过 50 字"


def test_queries_grow_with_batches_not_rows():
    make_tag(name="园区")
    make_tag(name="产业")

    def queries(data, batch_size):
        with CaptureQueriesContext(connection) as captured:
            report = run(data, batch_size=batch_size)
        return report, len(captured)

    # The same number of batches costs the same number of queries, however many rows they hold:
    # lookups, tag creation, inserts, links and the search index all work per batch.
    small, small_queries = queries(rows(200), batch_size=100)
    big_rows = [{**row, "source_url": row["source_url"] + "?b"} for row in rows(400)]
    big, big_queries = queries(big_rows, batch_size=200)
    assert (small.created, big.created) == (200, 400)
    # (twice the rows per batch adds a few statements where the database's limit on query
    # parameters splits a bulk insert of articles, their revisions or their index entries;
    # nothing like the 200 more that one query a row would add)
    assert big_queries <= small_queries + 20 < 200
    assert Article.tags.through.objects.count() == 300 + 600
    # Re-import: nothing changed, so nothing is written or reindexed.
    again, again_queries = queries(rows(200), batch_size=100)
    assert again.unchanged == 200
    assert again_queries <= 8


def test_page_cache_is_invalidated_after_a_write_but_not_after_a_no_op(
    django_capture_on_commit_callbacks,
):
    first = pagecache.current_generation()
    with django_capture_on_commit_callbacks(execute=True):
        run(rows(2))
    second = pagecache.current_generation()
    assert second > first
    with django_capture_on_commit_callbacks(execute=True):
        run(rows(2))
    assert pagecache.current_generation() == second


def test_abort_rolls_back_rows_written_in_earlier_batches():
    data = rows(5)
    data[4]["category"] = "没有这个栏目"
    report = run(data, batch_size=2)
    assert report.rolled_back and report.failed == 1
    assert Article.objects.count() == 0 and Tag.objects.count() == 0


def test_unknown_category_lists_how_to_write_it():
    Category.objects.create(name="测试栏目", slug="test-cat")
    report = run([{"title": "x", "category": "Test-Cat"}, {"title": "y", "category": "测试"}],
                 on_error="skip")  # fmt: skip
    assert report.created == 0
    assert report.errors[0].message == "未知的栏目「Test-Cat」（填栏目名称或网址名）"


def test_excel_date_cells_are_shanghai_time():
    run([{"title": "x", "category": "policy", "published_at": dt.datetime(2024, 7, 5, 8, 0)}])
    assert Article.objects.get().published_at == timezone.make_aware(dt.datetime(2024, 7, 5, 8))


def test_the_demo_generator_feeds_the_engine_directly():
    from hitech_portal.demo import generate_articles

    report = run(list(generate_articles(30)))
    assert report.summary() == "created=30 updated=0 unchanged=0 failed=0"
    assert Article.tags.through.objects.count() == sum(
        len(set(a["tags"])) for a in generate_articles(30)
    )
    assert run(generate_articles(30)).summary() == "created=0 updated=0 unchanged=30 failed=0"


def test_a_date_cell_where_a_number_belongs_is_named_in_chinese():
    """XLSX date cells arrive as naive datetimes (Excel turned what was typed into a date)."""
    report = run([{"id": dt.datetime(2024, 6, 1), "title": "标题", "category": "policy"}])
    assert [str(e) for e in report.errors] == [
        "第 1 行（标题），列「id」：编号应是正整数，而不是 2024-06-01 00:00"
    ]


def test_an_editor_sees_every_problem_of_the_cells_then_the_rights_ones():
    """Whether 已发布 is a change depends on the stored row, which only a row whose cells read
    can be matched to: the rights error comes once the cells are right."""
    editor = make_user(groups=["编辑"])
    report = run([{"title": "标题", "category": "没有的栏目", "status": "已发布"}], user=editor)
    assert [str(e) for e in report.errors] == [
        "第 1 行（标题），列「category」：未知的栏目「没有的栏目」（填栏目名称或网址名）",
    ]
    report = run([{"title": "标题", "category": "policy", "status": "已发布"}], user=editor)
    assert [str(e) for e in report.errors] == [
        "第 1 行（标题），列「status」：你没有发布权限：状态只能是草稿或待审，发布由主编操作",
    ]


@pytest.mark.django_db
def test_rows_without_id_or_url_are_matched_through_an_index_not_by_reading_the_table():
    """A row named by title, category and date is looked up by its title's index: each batch
    would otherwise read every article of its categories, slower as the site grows."""
    data = [{**row, "source_url": ""} for row in rows(3)]
    run(data)
    with CaptureQueriesContext(connection) as queries:
        assert run(data).summary() == "created=0 updated=0 unchanged=3 failed=0"
    [lookup] = [q["sql"] for q in queries if '"title" IN' in q["sql"] and "SELECT" in q["sql"]]
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # tables this small are read whole otherwise
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(explain + lookup)
        plan = " ".join(str(part) for row in cursor.fetchall() for part in row)
    assert "article_title_idx" in plan
