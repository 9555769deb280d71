"""The two seed articles and the seed indicators, built from the source pages in ``data/``.

Seed 000 is a news page captured in the source site's traditional-character view, where some
characters carry pinyin glosses (``區(qū)``): it is converted to simplified characters with
OpenCC and the glosses are dropped. Seed 003 is a long explainer with a keyword line, headings,
bullet lists and an FAQ block. Both texts use ASCII punctuation between Chinese words (an
artefact of the capture); it becomes the full-width punctuation a Chinese editor would publish.

Pure functions of the two files: :mod:`hitech_portal.demo.loading` writes what they return.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from hitech_portal.chinese import to_simplified as opencc_simplified

DATA_DIR = Path(__file__).resolve().parent / "data"
SHANGHAI = ZoneInfo("Asia/Shanghai")

SEED_000_FILE = "seed_000_zone_forerunner.txt"
SEED_003_FILE = "seed_003_zones_explainer.txt"
SEED_000_URL = "https://www.achie.org/demo/seed-000.html"
SEED_003_URL = "https://www.achie.org/demo/seed-003.html"

TONE_MARKED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A pinyin gloss: lower-case Latin letters with at least one tone mark, in parentheses.
PINYIN_GLOSS = re.compile(rf"\((?=[a-zü]*[{TONE_MARKED}])[a-zü{TONE_MARKED}]+\)")
# One spot in the capture lost a character to mojibake: 金壯龍在會上表示.
CAPTURE_REPAIRS = [("金壯龍?jiān)跁?huì)上表示", "金壯龍在會(huì)上表示")]
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
# ASCII punctuation right after a Chinese character (or closing quote, %, …) becomes full-width.
CJK_PUNCTUATION = re.compile(r"(?<=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef“”‘’%…])[,:;?!]")
SENTENCE_END = "。！？!?"
CHROME_MARKER = "相关文章推荐"  # the related-articles box that follows the body on the source page


@dataclass
class SeedArticle:
    title: str
    category: str  # slug
    published_at: datetime
    source: str
    source_url: str
    summary: str
    keywords: str
    tags: list[str]
    body: str
    view_count: int
    is_headline: bool = False
    is_featured: bool = False
    is_pinned: bool = False
    faqs: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SeedIndicator:
    slug: str
    name: str
    unit: str
    value: Decimal
    description: str
    is_key: bool = False
    note: str = ""
    history: dict[str, Decimal] = field(default_factory=dict)  # sample values for earlier years
    aliases: list[str] = field(default_factory=list)  # words articles use for it


def read_seed(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


def simplified_capture(text: str) -> str:
    """Traditional text with pinyin glosses → simplified text without them."""
    for broken, repaired in CAPTURE_REPAIRS:
        text = text.replace(broken, repaired)
    return opencc_simplified(PINYIN_GLOSS.sub("", text))


# Spaces the capture left after a full-width stop, before the next Chinese sentence.
STRAY_SPACE = re.compile(r"(?<=[。！？：；，])\s+(?=[\u4e00-\u9fff“])")


def full_width(text: str) -> str:
    return STRAY_SPACE.sub("", CJK_PUNCTUATION.sub(lambda m: FULL_WIDTH[m.group()], text))


def first_sentences(text: str, limit: int = 120) -> str:
    """As many whole sentences of ``text`` as fit in ``limit`` characters (at least one)."""
    sentences = re.findall(r"[^。！？]+[。！？]?", text)
    summary = ""
    for sentence in sentences:
        if summary and len(summary) + len(sentence) > limit:
            break
        summary += sentence
    return summary[:limit]


def paragraphs_html(paragraphs: list[str]) -> str:
    return "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)


def seed_000() -> SeedArticle:
    lines = [line.strip() for line in simplified_capture(read_seed(SEED_000_FILE)).splitlines()]
    lines = [line for line in lines if line and not line.startswith("- ")]  # navigation
    title_line, meta_line, *rest = lines
    assert meta_line.startswith("来源"), meta_line  # the file's layout, checked once
    body = []
    for line in rest:
        if line.startswith(CHROME_MARKER):
            break
        body.append(full_width(line))
    return SeedArticle(
        title=full_width(title_line),
        category="zone-news",
        published_at=datetime(2024, 7, 5, 10, 0, tzinfo=SHANGHAI),
        source="高新院 achie.org",
        source_url=SEED_000_URL,
        summary=first_sentences(body[0]),
        keywords="国家高新区，新质生产力，未来产业先导区，金壮龙，工业和信息化部",
        tags=["高新区", "新质生产力", "未来产业", "专精特新", "政策解读"],
        body=paragraphs_html(body),
        view_count=3862,
        is_headline=True,
        is_pinned=True,
    )


FAQ_LINE = re.compile(r"^([QA])(\d+)[:：]\s*(.+)$")
KEYWORD_LINE = "元描述"
BULLET = "•"
H3_PREFIX = "强化"  # the four "强化…" sections sit under the "四强化" overview
SEED_003_SUMMARY = (
    "国家高新区并非简单的工业园区，而是国家创新体系中的重要引擎，是推动经济高质量发展、"
    "实现科技自立自强的关键力量。本文剖析国家高新区的发展战略，展现其在构建新质生产力中的"
    "核心作用，并展望其未来发展趋势。"
)


def _is_heading(line: str) -> bool:
    return len(line) <= 40 and line[-1] not in SENTENCE_END + ":：,，;；…"


def _bullet_html(line: str) -> str:
    text = full_width(line.lstrip(BULLET).strip())
    label, sep, rest = text.partition("：")
    if sep and len(label) <= 30:
        return f"<li><strong>{escape(label)}：</strong>{escape(rest.strip())}</li>"
    return f"<li>{escape(text)}</li>"


def seed_003() -> SeedArticle:
    lines = [line.strip() for line in read_seed(SEED_003_FILE).splitlines()]
    lines = [line for line in lines if line]
    title, *rest = lines
    keywords, html, faqs, bullets = [], [], {}, []
    in_faq = False

    def flush_bullets():
        if bullets:
            html.append("<ul>" + "".join(bullets) + "</ul>")
            bullets.clear()

    for line in rest:
        if line.startswith(KEYWORD_LINE):
            # Labelled a meta description, but really the page's keyword list.
            keywords = [k.strip() for k in line.partition(":")[2].split(",") if k.strip()]
            continue
        if faq := FAQ_LINE.match(line):
            kind, number, text = faq.groups()
            faqs.setdefault(int(number), {})[kind] = full_width(text)
            continue
        if line.startswith(BULLET):
            bullets.append(_bullet_html(line))
            continue
        flush_bullets()
        if "FAQ" in line:
            in_faq = True  # the questions become FAQ entries, not body text
            continue
        if _is_heading(line):
            in_faq = False
            level = "h3" if line.startswith(H3_PREFIX) else "h2"
            html.append(f"<{level}>{escape(full_width(line))}</{level}>")
        elif not in_faq:
            html.append(f"<p>{escape(full_width(line), quote=False)}</p>")
    flush_bullets()
    return SeedArticle(
        title=full_width(title),
        category="policy",
        # The page carries no date; it discusses the 2024 zone briefing and 首发经济, so late 2024.
        published_at=datetime(2024, 12, 20, 9, 30, tzinfo=SHANGHAI),
        source="高新院 achie.org",
        source_url=SEED_003_URL,
        summary=SEED_003_SUMMARY,
        keywords="，".join(keywords),
        tags=keywords,
        body="\n".join(html),
        view_count=2417,
        is_featured=True,
        faqs=[(faqs[n]["Q"], faqs[n]["A"]) for n in sorted(faqs)],
    )


INDICATOR_SOURCE = "国新办新闻发布会（2024-07-05）"
OBSERVATION_PERIOD = "2024"
SAMPLE_NOTE = "示例数据：演示用，非官方统计"


def _share(slug, name, value, subject, history, note="", aliases=()):
    return SeedIndicator(
        slug=slug,
        name=name,
        unit="%",
        value=Decimal(value),
        description=f"全部国家高新区{subject}占全国的比重。",
        note=note,
        is_key=True,
        history={year: Decimal(v) for year, v in history.items()},
        aliases=list(aliases),
    )


def seed_indicators() -> list[SeedIndicator]:
    """178 zones and the "2345678" shares, as quoted at the 2024-07-05 press conference.

    "50% of R&D spending and invention patents" names two different quantities, so it becomes two
    indicators. Earlier years are sample values, labelled as such in every observation's note.
    """
    years = ["2019", "2020", "2021", "2022", "2023"]

    def ramp(*values):
        return dict(zip(years, values, strict=True))

    return [
        SeedIndicator(
            slug="national-hitech-zones",
            name="国家级高新区数量",
            unit="家",
            value=Decimal(178),
            description="经国务院批准建立的国家级高新技术产业开发区数量。",
            is_key=True,
            history={y: Decimal(v) for y, v in ramp(169, 169, 169, 173, 178).items()},
            aliases=["国家级高新区"],
        ),
        _share(
            "industrial-value-added-share", "国家高新区工业增加值占全国比重", 20,
            "贡献的工业增加值", ramp(16, 17, 18, 19, 19), note="原文为“20%以上”",
            aliases=["工业增加值"],
        ),
        _share(
            "hitech-enterprises-share", "国家高新区高新技术企业占全国比重", 30,
            "集聚的高新技术企业", ramp(26, 27, 28, 29, 29), aliases=["高新技术企业"],
        ),
        _share(
            "little-giant-share", "国家高新区专精特新“小巨人”企业占比", 40,
            "集聚的专精特新“小巨人”企业", ramp(34, 36, 37, 38, 39), aliases=["小巨人"],
        ),
        _share(
            "rd-spending-share", "国家高新区企业研发经费投入占比", 50,
            "企业研发经费投入", ramp(45, 46, 47, 48, 49), aliases=["研发经费"],
        ),
        _share(
            "invention-patents-share", "国家高新区发明专利占比", 50,
            "拥有的发明专利", ramp(44, 45, 47, 48, 49), aliases=["发明专利"],
        ),
        _share(
            "star-market-listed-share", "国家高新区科创板上市企业占比", 60,
            "的科创板上市企业", ramp(52, 55, 57, 58, 59), aliases=["科创板"],
        ),
        _share(
            "manufacturing-innovation-centres-share", "国家高新区国家制造业创新中心占比", 70,
            "承载的国家制造业创新中心", ramp(62, 64, 66, 68, 69), aliases=["制造业创新中心"],
        ),
        _share(
            "key-laboratories-share", "国家高新区全国重点实验室占比", 80,
            "承载的全国重点实验室", ramp(72, 74, 76, 78, 79), aliases=["重点实验室"],
        ),
    ]  # fmt: skip
