"""ASCII slugs for Chinese names: pinyin, then Django's slugify.

pypinyin reads a polyphonic character by the phrase it is in (重庆 chong-qing, 银行 yin-hang), from
a dictionary of 47,000 phrases that costs about 42 MB once loaded, in every process that ever
makes a slug (an import, a worker, a web server saving a tag). Here pypinyin starts without it
(``PYPINYIN_NO_PHRASES``) and, before a name is converted, only the phrases that occur in that
name are read from pypinyin's own phrase file (:func:`_load_phrases_in`). pypinyin segments a name
by longest forward match over its dictionary, and every candidate word is a piece of the name, so
the dictionary of the name's pieces segments and reads it exactly as the whole one does: the same
slugs as before, for a few hundred KB.
"""

import os
import re
import sys
from collections.abc import Iterable
from functools import cache
from importlib import resources

from django.utils.text import slugify

# Before pypinyin is first imported (it reads them then): no phrase dictionary, no editable copy.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "true")

#: A phrase's line in pypinyin's phrases_dict.json: ``"重庆": [``.
PHRASE_KEY = re.compile(r'^"([^"]+)": ', re.MULTILINE)
HAN_RUN = re.compile(r"[\u3007\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]{2,}")
#: Pieces of names already looked up in the phrase file (found or not), for this process.
_looked_up: set[str] = set()


def pinyin_slug(text: str, max_length: int = 80) -> str:
    """``"国家高新区"`` → ``"guo-jia-gao-xin-qu"``; never empty."""
    from pypinyin import lazy_pinyin

    _load_phrases_in([text or ""])
    slug = slugify("-".join(lazy_pinyin(text or "", errors="default")))
    return (slug[:max_length].strip("-")) or "item"


def pinyin_slugs(names: Iterable[str], max_length: int = 80) -> dict[str, str]:
    """:func:`pinyin_slug` of many names, reading the phrase file once for all of them."""
    names = list(names)
    _load_phrases_in(names)
    return {name: pinyin_slug(name, max_length=max_length) for name in names}


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


def _pieces(names: Iterable[str]) -> set[str]:
    """Every run of two or more Chinese characters inside the names (the phrases they may hold)."""
    pieces = set()
    for name in names:
        for run in HAN_RUN.findall(name):
            for start in range(len(run) - 1):
                for end in range(start + 2, len(run) + 1):
                    pieces.add(run[start:end])
    return pieces


def _load_phrases_in(names: Iterable[str]) -> None:
    """Give pypinyin the phrases of its dictionary that occur in ``names`` (once each)."""
    wanted = _pieces(names) - _looked_up
    if not wanted:
        return
    from pypinyin import load_phrases_dict

    found = {}
    if "pypinyin.phrases_dict" not in sys.modules:  # else pypinyin loaded it all already
        data, decoder = _phrase_file(), _decoder()
        if len(wanted) < 500:  # a few names: look each piece up
            for piece in wanted:
                key = f'\n"{piece}": '.encode()
                at = data.find(key)
                if at >= 0:
                    start = at + len(key)
                    end = data.find(b'": [', start)  # the next key, or the end of the file
                    value = data[start : end if end > 0 else len(data)].decode()
                    found[piece] = decoder.raw_decode(value)[0]
        else:  # many: one pass over the file's keys
            text = data.decode()
            for match in PHRASE_KEY.finditer(text):
                if match.group(1) in wanted:
                    found[match.group(1)] = decoder.raw_decode(text, match.end())[0]
    _looked_up.update(wanted)
    if found:
        load_phrases_dict(found)


def _phrase_file() -> bytes:
    """pypinyin's phrase dictionary, UTF-8 JSON with a key a line (2.5 MB, read for each lookup,
    kept by nobody)."""
    return resources.files("pypinyin").joinpath("phrases_dict.json").read_bytes()


@cache
def _decoder():
    import json

    return json.JSONDecoder()
