import re
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import FAQ, Article, Category, Tag
from hitech_portal.demo import generate_articles, write_csv
from hitech_portal.demo import seeds as demo_seeds
from indicators.models import Indicator, Observation

pytestmark = pytest.mark.django_db

N = 26  # two articles per category on average; the first 13 cover each category once


def load(n=N):
    out = StringIO()
    call_command("load_demo", articles=n, stdout=out, stderr=StringIO())
    return out.getvalue()


def counts():
    return {
        "articles": Article.objects.count(),
        "tags": Tag.objects.count(),
        "tag_links": Article.tags.through.objects.count(),
        "related": Article.related.through.objects.count(),
        "faqs": FAQ.objects.count(),
        "categories": Category.objects.count(),
        "indicators": Indicator.objects.count(),
        "indicator_links": Indicator.articles.through.objects.count(),
        "observations": Observation.objects.count(),
    }


def seed_article(url):
    return Article.objects.get(source_url=url)


def test_loading_twice_adds_nothing_and_a_smaller_n_deletes_nothing():
    first_output = load()
    first = counts()
    assert first["articles"] == N + 2
    assert f"新增 {N}" in first_output

    second_output = load()
    assert counts() == first
    assert "新增 0" in second_output and f"已有 {N}" in second_output

    load(5)
    assert counts() == first


def test_a_bigger_n_adds_only_the_articles_not_yet_there():
    load()
    before = set(Article.objects.values_list("title", flat=True))
    output = load(N + 4)
    assert f"新增 4，已有 {N}" in output
    added = set(Article.objects.values_list("title", flat=True)) - before
    assert added == {a["title"] for a in list(generate_articles(N + 4))[N:]}


def test_a_bigger_n_puts_back_an_edited_demo_article():
    load()
    first = next(generate_articles(1))
    Article.objects.filter(source_url=first["source_url"]).update(title="编辑改过的标题")
    output = load(N + 1)
    assert f"新增 1，已有 {N}（其中 1 篇已恢复）" in output
    assert Article.objects.get(source_url=first["source_url"]).title == first["title"]


def test_seed_000_is_simplified_without_pinyin_glosses():
    load()
    article = seed_article(demo_seeds.SEED_000_URL)
    assert article.title == "工信部部长金壮龙：引导有条件的高新区建设未来产业先导区"
    assert article.category.slug == "zone-news"
    assert "178家国家级高新区" in article.body
    assert "高新区" in article.body and "高新區" not in article.body
    assert "(qū)" not in article.body
    assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔù]+\)", article.body + article.title)
    assert "相关文章推荐" not in article.body  # page chrome, not body
    assert "金壮龙在会上表示" in article.body  # the capture's mojibake repaired
    assert article.body.count("<p>") == 6
    assert article.published_at == datetime(2024, 7, 5, 10, tzinfo=demo_seeds.SHANGHAI)
    assert article.is_headline and article.is_pinned
    assert article.is_published()


def test_seed_003_has_headings_lists_keywords_and_its_six_faq_entries():
    load()
    article = seed_article(demo_seeds.SEED_003_URL)
    assert article.title == "国家高新区：新质生产力引擎，引领未来产业发展"
    assert article.category.slug == "policy"
    assert article.is_featured
    assert "<h2>国家高新区：技术策源地，创新驱动引擎</h2>" in article.body
    assert "<h3>强化技术策源功能：科技自立自强的基石</h3>" in article.body
    assert "<h2>结论</h2>" in article.body
    assert article.body.count("<ul>") == 5
    assert "<li><strong>规模效应：</strong>" in article.body
    assert "Q1" not in article.body and "常见问题" not in article.body  # FAQ lives in FAQ rows
    faqs = list(article.faqs.values_list("question", flat=True))
    assert len(faqs) == 6
    assert faqs[0] == "国家高新区与一般工业园区有什么区别？"
    assert faqs[5] == "国家高新区的发展前景如何？"
    assert article.keyword_list[:3] == ["国家高新区", "高科技产业", "科技创新"]
    assert set(article.tags.values_list("name", flat=True)) == set(article.keyword_list)
    assert article.summary.startswith("国家高新区并非简单的工业园区")


def test_the_seed_articles_recommend_each_other():
    load()
    seed_000 = seed_article(demo_seeds.SEED_000_URL)
    seed_003 = seed_article(demo_seeds.SEED_003_URL)
    assert list(seed_000.related.all()) == [seed_003]
    assert list(seed_003.related.all()) == [seed_000]


def test_seed_indicators_cite_seed_article_000_for_2024():
    load()
    seed_000 = seed_article(demo_seeds.SEED_000_URL)
    zones = Indicator.objects.get(slug="national-hitech-zones")
    assert zones.name == "国家级高新区数量" and zones.unit == "家" and zones.is_key
    values = {
        o.indicator.slug: o.value
        for o in Observation.objects.filter(period="2024").select_related("indicator")
    }
    assert values == {
        "national-hitech-zones": 178,
        "industrial-value-added-share": 20,
        "hitech-enterprises-share": 30,
        "little-giant-share": 40,
        "rd-spending-share": 50,
        "invention-patents-share": 50,
        "star-market-listed-share": 60,
        "manufacturing-innovation-centres-share": 70,
        "key-laboratories-share": 80,
    }
    for observation in Observation.objects.filter(period="2024"):
        assert observation.source_article == seed_000
        assert observation.region == "全国"
    assert set(seed_000.indicators.values_list("slug", flat=True)) == set(values)
    assert (
        Observation.objects.get(indicator__slug="industrial-value-added-share", period="2024").note
        == "原文为“20%以上”"
    )
    for slug in Indicator.objects.values_list("slug", flat=True):
        assert slug.isascii()


def test_the_home_page_shows_the_nine_seed_figures(client):
    load()
    html = client.get("/").text
    assert html.count('<li class="figure">') == 9
    assert "国家级高新区数量" in html and "全国重点实验室占比" in html


def test_earlier_years_are_labelled_sample_data_and_cite_nothing():
    load()
    earlier = Observation.objects.exclude(period="2024")
    assert earlier.count() == 9 * 5
    assert set(earlier.values_list("note", flat=True)) == {demo_seeds.SAMPLE_NOTE}
    assert not earlier.filter(source_article__isnull=False).exists()


def test_generated_articles_cover_all_13_categories_with_tags_and_sanitised_bodies():
    load()
    generated = Article.objects.filter(source_url__regex=r"/demo/\d+\.html$")
    assert generated.count() == N
    assert generated.values("category").distinct().count() == 13 == Category.objects.count()
    now = timezone.now()
    for article in generated.prefetch_related("tags"):
        assert 2 <= len(article.tags.all()) <= 4
        assert article.body.startswith("<p>") and article.body.count("<p>") >= 3
        assert article.is_published() and article.published_at < now
        assert article.summary and article.keywords and article.source and article.author
        assert article.view_count > 0


def test_generator_is_deterministic_and_prefix_stable():
    first = list(generate_articles(300, seed=7))
    assert first == list(generate_articles(300, seed=7))
    assert [a["title"] for a in generate_articles(50, seed=7)] == [a["title"] for a in first[:50]]
    assert [a["title"] for a in generate_articles(50, seed=8)] != [a["title"] for a in first[:50]]
    assert len({a["title"] for a in first}) == 300
    assert len({a["source_url"] for a in first}) == 300
    assert first[0]["source_url"] == "https://www.achie.org/demo/1.html"
    assert {a["category"] for a in first} == set(Category.objects.values_list("slug", flat=True))


def test_write_csv_streams_rows_with_chinese_headers(tmp_path):
    path = tmp_path / "articles.csv"
    assert write_csv(path, 20, seed=1) == 20
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "标题,栏目,发布时间,状态,来源,原文链接,作者,摘要,关键词,标签,正文"
    first = next(generate_articles(1, seed=1))
    assert lines[1].startswith(f"{first['title']},{first['category']},")


def test_negative_article_count_is_refused_with_a_clear_message():
    with pytest.raises(CommandError, match="--articles 不能为负数"):
        call_command("load_demo", articles=-1, stdout=StringIO())


def test_home_and_seed_article_pages_render_after_loading(client):
    load()
    newest = Article.objects.published().first()
    home = client.get("/")
    assert home.status_code == 200
    assert newest.title in home.text

    seed_000 = seed_article(demo_seeds.SEED_000_URL)
    page = client.get(seed_000.get_absolute_url())
    assert page.status_code == 200
    assert seed_000.title in page.text
    assert "178家国家级高新区" in page.text

    seed_003 = seed_article(demo_seeds.SEED_003_URL)
    page = client.get(seed_003.get_absolute_url())
    assert page.status_code == 200
    assert "国家高新区与一般工业园区有什么区别？" in page.text

    category = client.get(seed_000.category.get_absolute_url())
    assert category.status_code == 200
    assert seed_000.title in category.text
