"""ASCII slugs for Chinese names: pinyin, then Django's slugify."""

import os

from django.utils.text import slugify


def pinyin_slug(text: str, max_length: int = 80) -> str:
    """``"国家高新区"`` → ``"guo-jia-gao-xin-qu"``; never empty."""
    # Imported on first use: pypinyin's dictionaries take ~55 MB, which a web server or worker
    # that never names a new tag or category need not hold; and they are read-only here, so
    # pypinyin need not keep a second, editable copy of them.
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "true")
    from pypinyin import lazy_pinyin

    slug = slugify("-".join(lazy_pinyin(text or "", errors="default")))
    return (slug[:max_length].strip("-")) or "item"


def unique_slug(model, text: str, *, max_length: int = 80, exclude_pk=None) -> str:
    """A pinyin slug not yet used by ``model`` (suffixes ``-2``, ``-3``… on collision)."""
    base = pinyin_slug(text, max_length=max_length - 6)
    taken = set(
        model._default_manager.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    return free_slug(base, taken)


def free_slug(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is first not in ``taken``."""
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
