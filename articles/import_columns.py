"""What an article import file may carry: its columns, and how each cell is read.

Headers in English or Chinese (:data:`COLUMNS`); each parser takes the raw cell and returns the
clean value or raises ``ValueError`` with the message an editor reads (the engine adds the row and
the column). The category's parser needs the categories, so it lives on the importer
(:mod:`articles.importing`).
"""

from urllib.parse import urlsplit

from hitech_portal.chinese import to_simplified
from hitech_portal.imports.cells import cell_text, is_row_id
from hitech_portal.imports.engine import Parser
from hitech_portal.imports.tables import Columns

from .models import Article, Tag, split_terms

COLUMNS = Columns(
    {
        "id": ("id", "编号"),
        "title": ("title", "标题"),
        "category": ("category", "栏目"),
        "published_at": ("published_at", "发布时间", "发布日期", "日期"),
        "status": ("status", "状态"),
        "source": ("source", "来源"),
        "source_url": ("source_url", "原文链接", "链接", "url"),
        "author": ("author", "作者"),
        "summary": ("summary", "摘要"),
        "keywords": ("keywords", "关键词"),
        "tags": ("tags", "标签"),
        "body": ("body", "正文", "内容"),
        "version": ("version", "版本"),
    },
    # A file that names its articles by 编号 or 原文链接 may carry only the columns it changes;
    # a new article still needs its 标题 and 栏目 (articles.importing).
    required=("title", "category"),
    unless=("id", "source_url"),
)
STATUS_WORDS = {
    "published": Article.Status.PUBLISHED,
    "已发布": Article.Status.PUBLISHED,
    "发布": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "草稿": Article.Status.DRAFT,
    "review": Article.Status.REVIEW,
    "待审": Article.Status.REVIEW,
    "待審": Article.Status.REVIEW,
}
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length


def text(name: str, *, required: str = "") -> Parser:
    """Trimmed text within the field's length; ``required`` is the message for an empty cell."""
    limit = Article._meta.get_field(name).max_length
    if not limit and not required:
        return cell_text

    def parse(cell) -> str:
        value = cell_text(cell)
        if limit and len(value) > limit:
            raise ValueError(f"不能超过 {limit} 字（现有 {len(value)} 字）")
        if required and not value:
            raise ValueError(required)
        return value

    return parse


def parse_id(cell) -> int | None:
    value = cell_text(cell)
    if not value:
        return None
    if is_row_id(value):
        return int(value)
    raise ValueError(f"编号应是正整数，而不是 {value}")


_source_url_text = text("source_url")


def parse_source_url(cell) -> str:
    url = _source_url_text(cell)
    if url and not _looks_like_url(url):
        raise ValueError(f"不是有效的网址：{url}")
    return url


def parse_status(cell) -> str | None:
    """已发布/草稿 (or English); blank → None, decided by the row's other cells."""
    word = to_simplified(cell_text(cell).lower())
    if not word:
        return None
    if word not in STATUS_WORDS:
        raise ValueError(f"无法识别的状态 {word}（填 已发布、待审 或 草稿）")
    return STATUS_WORDS[word]


def parse_version(cell) -> int | None:
    """The 版本 an export was taken at: an import over a later version is refused."""
    value = cell_text(cell)
    if not value:
        return None
    if is_row_id(value):
        return int(value)
    raise ValueError(f"版本应是正整数，而不是 {value}")


def parse_tags(cell) -> list[str]:
    tags = split_terms(",".join(cell) if isinstance(cell, list | tuple) else cell_text(cell))
    for tag in tags:
        if len(tag) > TAG_MAX_LENGTH:
            raise ValueError(f"标签「{tag}」超过 {TAG_MAX_LENGTH} 字")
    return tags


def _looks_like_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not any(c.isspace() for c in url)
    )
