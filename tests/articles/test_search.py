"""Search finds exactly the visible articles holding every term, on SQLite and PostgreSQL alike."""

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.paginator import Paginator
from django.utils import timezone

import articles.search as search_module
from articles.models import Article
from articles.search import index_articles, search
from tests.factories import make_article, make_category, make_tag

pytestmark = pytest.mark.django_db


def titles(query, **kwargs):
    return [hit.article.title for hit in search(query, **kwargs)[:20]]


def found(query, **kwargs):
    return set(titles(query, **kwargs))


def test_finds_a_word_in_title_summary_body_or_tags_and_nothing_else():
    make_article(title="园区产业报告", summary="", body="<p>无关</p>")
    make_article(title="摘要命中", summary="推动园区产业升级", body="<p>无关</p>")
    make_article(title="正文命中", summary="", body="<p>今年<b>园区</b>产业增长</p>")
    tagged = make_article(title="标签命中", summary="", body="<p>无关</p>")
    tagged.tags.set([make_tag(name="园区产业")])
    index_articles([tagged.pk])
    make_article(title="隔开不算", summary="园区，产业", body="<p>园区 产业</p>")
    make_article(title="无关文章", summary="", body="<p>高新区</p>")
    assert found("园区产业") == {"园区产业报告", "摘要命中", "正文命中", "标签命中"}


def test_two_character_words_and_single_characters_match_anywhere_in_a_run():
    make_article(title="国家高新区发展", summary="", body="")
    make_article(title="高新技术企业", summary="", body="")
    assert found("新区") == {"国家高新区发展"}
    assert found("区") == {"国家高新区发展"}
    assert found("高新") == {"国家高新区发展", "高新技术企业"}


def test_every_term_must_occur_but_anywhere():
    make_article(title="园区规划", summary="", body="<p>智慧城市</p>")
    make_article(title="园区规划二", summary="", body="<p>产业</p>")
    assert found("园区规划 智慧城市") == {"园区规划"}
    assert found("  智慧城市   园区  ") == {"园区规划"}


def test_traditional_and_simplified_find_the_same_articles():
    make_article(title="國家高新區建設", summary="", body="")
    make_article(title="国家高新区发展", summary="", body="")
    both = {"國家高新區建設", "国家高新区发展"}
    assert found("国家高新区") == both
    assert found("國家高新區") == both


def test_latin_words_numbers_and_mixed_terms():
    make_article(title="5G基站建设提速", summary="", body="<p>新建 AI 算力中心</p>")
    make_article(title="15G基站", summary="", body="<p>MAIL 服务</p>")
    make_article(title="5G 基站", summary="", body="")
    assert found("5G基站") == {"5G基站建设提速"}
    assert found("５ｇ基站") == {"5G基站建设提速"}  # full-width, lower case
    assert found("ai") == {"5G基站建设提速"}  # a whole word: not inside MAIL
    assert found("5g") == {"5G基站建设提速", "5G 基站"}


def test_full_width_text_beside_ordinary_punctuation_reads_as_half_width():
    make_article(title="增长２０％｜园区", summary="", body="<p>①季度ＡＩ算力～十家</p>")
    make_article(title="增长20%，园区", summary="", body="<p>1季度AI算力，十家</p>")
    both = {"增长２０％｜园区", "增长20%，园区"}
    assert found("增长20") == both
    assert found("1季度ai") == both
    assert found("20 园区") == both
    assert found("20园区") == set()  # a gap (％｜ or %，) lies between them


def test_letters_used_inside_the_index_are_plain_words_to_readers():
    make_article(title="ｇ 与 g 与 \ue000", summary="", body="<p>g g</p>")
    assert found("g") == {"ｇ 与 g 与 \ue000"}
    assert found("ｇ") == {"ｇ 与 g 与 \ue000"}


def test_no_phrase_across_the_boundary_of_two_fields():
    make_article(title="拓展国际市", summary="场景丰富", body="<p>无关</p>")
    assert found("际市场") == set()
    assert found("国际市") == {"拓展国际市"}


def test_drafts_and_scheduled_articles_are_never_found_until_due():
    make_article(title="草稿园区", status=Article.Status.DRAFT)
    later = timezone.now() + timedelta(hours=1)
    make_article(title="定时园区", published_at=later)
    assert found("园区") == set()
    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(seconds=1)):
        assert found("园区") == {"定时园区"}


def test_edit_unpublish_publish_and_delete_keep_the_index_in_step():
    article = make_article(title="园区旧标题", summary="", body="")
    article.title = "高新区新标题"
    article.save()
    assert found("旧标题") == set()
    assert found("新标题") == {"高新区新标题"}
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    index_articles([article.pk])
    assert found("新标题") == set()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    index_articles([article.pk])
    assert found("新标题") == {"高新区新标题"}
    article.delete()
    assert found("新标题") == set()


def test_bulk_created_rows_are_indexed_in_one_call_and_rebuild_restores_everything(capsys):
    category = make_category()
    now = timezone.now()
    rows = Article.objects.bulk_create(
        Article(
            title=f"批量导入第{n}篇",
            category=category,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n),
            body="<p>光伏产业</p>",
        )
        for n in range(30)
    )
    assert search("光伏").count() == 0
    index_articles(article.pk for article in rows)
    assert search("光伏").count() == 30
    search_module._backend().clear()
    assert search("光伏").count() == 0
    call_command("rebuild_search_index")
    assert "30 篇" in capsys.readouterr().out
    assert search("光伏").count() == 30


def test_title_matches_come_first_then_newest_first():
    now = timezone.now()
    make_article(title="旧的标题命中：储能", published_at=now - timedelta(days=9))
    make_article(title="新的正文命中", body="<p>储能</p>", published_at=now - timedelta(days=1))
    make_article(title="旧的正文命中", body="<p>储能</p>", published_at=now - timedelta(days=5))
    make_article(title="新的标题命中：储能", published_at=now - timedelta(days=3))
    assert titles("储能") == [
        "新的标题命中：储能",
        "旧的标题命中：储能",
        "新的正文命中",
        "旧的正文命中",
    ]


def test_category_and_date_filters():
    energy = make_category(name="能源", slug="energy")
    other = make_category(name="其他", slug="other")
    now = timezone.localtime()
    make_article(title="能源氢能一", category=energy, published_at=now - timedelta(days=40))
    make_article(title="能源氢能二", category=energy, published_at=now - timedelta(days=2))
    make_article(title="其他氢能", category=other, published_at=now - timedelta(days=2))
    assert found("氢能", category_id=energy.pk) == {"能源氢能一", "能源氢能二"}
    recent = (now - timedelta(days=10)).date()
    assert found("氢能", date_from=recent) == {"能源氢能二", "其他氢能"}
    assert found("氢能", date_to=recent) == {"能源氢能一"}
    assert found("氢能", category_id=other.pk, date_to=date(2000, 1, 1)) == set()


def test_pages_and_a_capped_total(monkeypatch):
    now = timezone.now()
    for n in range(25):
        make_article(title=f"数字经济第{n}篇", published_at=now - timedelta(hours=n))
    paginator = Paginator(search("数字经济"), 20)
    first, second = paginator.page(1), paginator.page(2)
    assert (paginator.count, paginator.num_pages, len(first), len(second)) == (25, 2, 20, 5)
    assert first[0].article.title == "数字经济第0篇"
    assert second[-1].article.title == "数字经济第24篇"
    assert paginator.get_page(99).number == 2
    monkeypatch.setattr(search_module, "COUNT_CAP", 10)
    capped = Paginator(search("数字经济"), 20)
    assert (capped.object_list.total_display, capped.num_pages, len(capped.page(1))) == (
        "10+",
        1,
        10,
    )


def test_a_capped_total_counts_articles_not_the_rows_of_long_ones(monkeypatch):
    """A long article is several index rows on PostgreSQL; each of these matches in two."""
    filler = "".join(f"<p>第{n}段：园区产业稳步发展。</p>" for n in range(400))
    for n in range(4):
        make_article(title=f"长文{n}", summary="", body=f"<p>量子计算</p>{filler}<p>量子计算</p>")
    monkeypatch.setattr(search_module, "COUNT_CAP", 3)
    assert search("量子计算").total_display == "3+"
    monkeypatch.setattr(search_module, "COUNT_CAP", 4)
    assert search("量子计算").total_display == "4"


def test_a_long_article_matching_in_title_and_body_is_listed_once():
    filler = "".join(f"<p>第{n}段：园区产业稳步发展。</p>" for n in range(400))
    make_article(title="量子计算产业报告", summary="", body=f"{filler}<p>量子计算中心落成。</p>")
    make_article(title="正文提到", summary="", body="<p>量子计算</p>")
    result = search("量子计算")
    assert result.count() == 2
    assert [hit.article.title for hit in result[:20]] == ["量子计算产业报告", "正文提到"]
    assert [hit.article.title for hit in result[1:20]] == ["正文提到"]


@pytest.mark.parametrize("candidates", [2, 10_000])  # tested in rounds / the GIN plan at once
def test_a_phrase_whose_bigrams_are_everywhere_is_found_only_as_a_phrase(monkeypatch, candidates):
    """Newer articles hold every bigram of 独角兽企业 apart (candidates that are not matches):
    whatever plan reads them, only the phrase counts, newest first."""
    postgres = search_module.postgres
    monkeypatch.setattr(postgres, "PROBE_ROWS", 2)
    monkeypatch.setattr(postgres, "CANDIDATES", 2)
    monkeypatch.setattr(postgres, "MAX_CANDIDATES", min(candidates, 1000))
    now = timezone.now()
    for n in range(12):
        make_article(title=f"近稿{n}", summary="", body="<p>独角兽，兽企业</p>", published_at=now)
    for n in range(3):
        make_article(
            title=f"早稿{n}",
            summary="",
            body="<p>独角兽企业</p>",
            published_at=now - timedelta(days=n + 1),
        )
    result = search("独角兽企业")
    assert result.count() == 3
    assert [hit.article.title for hit in result[:20]] == ["早稿0", "早稿1", "早稿2"]
    assert [hit.article.title for hit in result[1:2]] == ["早稿1"]


def test_a_common_word_is_counted_up_to_the_cap_by_walking_the_newest(monkeypatch):
    postgres = search_module.postgres
    monkeypatch.setattr(postgres, "COUNT_PROBE_ROWS", 4)
    monkeypatch.setattr(postgres, "WALK_ROWS", 0)  # a table of millions, as far as it knows
    monkeypatch.setattr(search_module, "COUNT_CAP", 5)
    now = timezone.now()
    for n in range(6):
        make_article(title=f"园区{n}", summary="", body="", published_at=now - timedelta(hours=n))
    make_article(title="无关", summary="", body="", published_at=now - timedelta(days=9))
    assert search("园区").total_display == "5+"
    monkeypatch.setattr(search_module, "COUNT_CAP", 6)
    assert search("园区").total_display == "6"  # the walk ran out: the index counted all
    assert search("园区 无关").total_display == "0"


@pytest.mark.parametrize(
    ("query", "hits"),
    [('"', 0), ('"园区', 1), ("园区*", 1), ("NEAR(园区 产业)", 0), ("title:园区", 0), ("-园区", 1),
     ("^园区", 1), ("(园区", 1), ("园区 OR 产业", 0), ("园区 & 产业 | !x <-> y", 0), ("*", 0),
     ("'; DROP TABLE articles_article; --", 0), ("园" * 1000, 0), ("\x00园区", 1),
     ("园区 产业", 1)],
)  # fmt: skip
def test_syntax_characters_are_plain_text(query, hits):
    make_article(title="园区产业", summary="", body="")
    result = search(query)
    assert (result.count(), [hit.article.title for hit in result[:20]]) == (
        hits,
        ["园区产业"] * hits,
    )
    assert Article.objects.count() == 1


def test_snippets_mark_the_terms_and_escape_everything_else():
    make_article(
        title="國家高新區<新>",
        summary="",
        body="<p>前文"
        + "很长的内容" * 20
        + "。国家高新区 &lt;script&gt;alert(1)&lt;/script&gt;</p>",
    )
    [hit] = search("国家高新区")[:20]
    assert hit.title_html == "<mark>國家高新區</mark>&lt;新&gt;"
    snippet = hit.snippet_html
    assert "<mark>国家高新区</mark>" in snippet
    assert "&lt;script&gt;" in snippet and "<script>" not in snippet
    assert snippet.startswith("…")


def test_empty_query_finds_nothing():
    make_article(title="园区")
    assert search("").count() == 0
    assert search("   ，。！")[:20] == []


def test_time_filters_use_the_local_day():
    tz = timezone.get_current_timezone()
    make_article(title="跨日氢能", published_at=datetime(2024, 7, 5, 0, 30, tzinfo=tz))
    assert found("氢能", date_from=date(2024, 7, 5), date_to=date(2024, 7, 5)) == {"跨日氢能"}
    assert found("氢能", date_to=date(2024, 7, 4)) == set()


def test_a_phrase_deep_in_a_very_long_article_is_found():
    filler = "".join(f"<p>第{n}段：园区产业稳步发展，企业数量持续增长。</p>" for n in range(2500))
    make_article(title="长文", summary="", body=filler + "<p>末尾提到量子计算中心。</p>")
    assert len(filler) > 60_000
    assert found("量子计算中心") == {"长文"}
    assert found("第2499段") == {"长文"}
    assert search("园区产业").count() == 1


def test_saving_only_unsearched_fields_leaves_the_index_alone(django_assert_num_queries):
    article = make_article(title="园区")
    article.view_count = 5
    with django_assert_num_queries(1):
        article.save(update_fields=["view_count"])
    article.title = "产业"
    article.save(update_fields=["title"])
    assert found("产业") == {"产业"}
