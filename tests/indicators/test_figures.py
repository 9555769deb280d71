from decimal import Decimal

import pytest

from articles.search.text import html_to_text
from hitech_portal.demo import seeds
from indicators.figures import chinese_number, find_figures

#: The seed article's figures: the 178 zones and every share of "2345678" (20% 以上 … 80%).
SEED_FIGURES = [
    ("178家", Decimal(178), "家", "", "国家级高新区"),
    ("20%以上", Decimal(20), "%", "以上", "工业增加值"),
    ("30%", Decimal(30), "%", "", "高新技术企业"),
    ("40%", Decimal(40), "%", "", "小巨人"),
    ("50%", Decimal(50), "%", "", "研发经费投入和发明专利"),
    ("60%", Decimal(60), "%", "", "科创板上市企业"),
    ("70%", Decimal(70), "%", "", "国家制造业创新中心"),
    ("80%", Decimal(80), "%", "", "全国重点实验室"),
]


def only(text):
    figures = find_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


def test_seed_article_yields_the_178_zones_and_every_2345678_share():
    text = html_to_text(seeds.seed_000().body)
    figures = find_figures(text)
    found = [(f.text, f.value, f.unit, f.qualifier) for f in figures]
    for written, value, unit, qualifier, words in SEED_FIGURES:
        assert (written, value, unit, qualifier) in found
        figure = next(f for f in figures if f.text == written)
        assert words in figure.phrase
        assert text[figure.start : figure.end] == written


def test_positions_point_into_the_text():
    text = "园区去年营收1.2万亿元，同比增长12.5%。"
    for figure in find_figures(text):
        assert text[figure.start : figure.end] == figure.text


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("企业1,234家", Decimal(1234), "家"),
        ("营收1,234.5亿元", Decimal("1234.5"), "亿元"),
        ("一百七十八家国家级高新区", Decimal(178), "家"),
        ("两千家企业", Decimal(2000), "家"),
        ("吸引人才3万人", Decimal(3), "万人"),
        ("总投资1.2万亿元", Decimal("1.2"), "万亿元"),
        ("申请发明专利８５０件", Decimal(850), "件"),
        ("完成课题十二项", Decimal(12), "项"),
    ],
)
def test_numbers_magnitudes_and_units(text, value, unit):
    figure = only(text)
    assert (figure.value, figure.unit) == (value, unit)


def test_cheng_is_tens_of_percent():
    figure = only("约三成企业来自园区")
    assert (figure.value, figure.unit, figure.qualifier) == (Decimal(30), "%", "约")


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("贡献了20%以上的工业增加值", "以上"),
        ("超过300家企业", "超过"),
        ("约50亿元", "约"),
        ("近百家", "近"),
        ("逾千人", "逾"),
        ("引进人才2000余人", "余"),
        ("签约30多个项目", "多"),
        ("增速5%左右", "左右"),
    ],
)
def test_qualifiers(text, qualifier):
    assert only(text).qualifier == qualifier


def test_ranges():
    figure = only("每年新增10—15家")
    assert (figure.value, figure.upper, figure.unit) == (Decimal(10), Decimal(15), "家")
    assert only("增速3%~5%").upper == Decimal(5)


def test_year_on_year_changes():
    rise, fall = find_figures("研发投入同比增长12.5%，负债率下降3个百分点")
    assert (rise.change, rise.basis, rise.unit) == ("增长", "同比", "%")
    assert rise.value == Decimal("12.5")
    assert (fall.change, fall.value, fall.unit, fall.signed_value) == (
        "下降",
        Decimal(3),
        "个百分点",
        Decimal(-3),
    )
    assert fall.value_in("%") is None  # percentage points are no percentage


@pytest.mark.parametrize(
    "text",
    ["2024年7月5日", "一组数字——“2345678”", "一是增强产业科技创新能力", "第三个方面", "百家争鸣"],
)
def test_dates_codes_and_words_are_no_figures(text):
    assert find_figures(text) == []


def test_value_in_converts_magnitudes_of_one_unit():
    figure = only("营收1.2万亿元")
    assert figure.value_in("亿元") == Decimal(12000)
    assert figure.value_in("家") is None


def test_chinese_numbers():
    assert [chinese_number(t) for t in ["一百七十八", "两千", "十二", "二〇二四", "三四百"]] == [
        178,
        2000,
        12,
        2024,
        None,
    ]
