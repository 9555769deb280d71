"""Text rules shared by the index, the query and the snippets, on every database.

Both sides of a search go through :func:`normalise` (NFKC, lower case, traditional → simplified),
then :func:`tokens`:

- a run of CJK characters ``c1 c2 … cn`` becomes the overlapping bigrams ``c1c2 … c(n-1)cn``
  followed by the lone last character ``cn``, one position each: any CJK substring of the text is
  then a *phrase* of consecutive tokens, and a single character is a token prefix;
- a run of other letters and digits is one token (Latin words and numbers match whole words);
- anything else (spaces, punctuation) is a *gap*: one empty position, so a phrase never matches
  across it (``园区，产业`` does not contain ``园区产业``).

Fields are indexed separately (SQLite columns; PostgreSQL positions far apart), so a phrase never
runs from the end of the title into the summary.
"""

import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from operator import add

from hitech_portal.chinese import to_simplified

GAP = None  # a position with no token, between runs separated by spaces or punctuation

_CJK = (
    "\u3005-\u3007\u3040-\u30ff"  # 々〆〇, kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs and compatibility ideographs
    "\uac00-\ud7af"  # hangul
    "\U00020000-\U0003134f"  # CJK extensions B–H
)
_SEGMENT = re.compile(r"[^\W_]+")  # letters and digits of any script
# Runs: (CJK) | (other letters, digits) | a gap, which fills neither group.
_RUNS = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)|[\\W_]+")
_GAP_MARK = "\ue000"  # stands for a gap in token text: no token ever holds it
_CJK_RUN = re.compile(f"([{_CJK}]+)")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|table|thead|tbody|tr|td|th|caption|blockquote"
    r"|pre|figure|figcaption|section|article|aside|header|footer|img)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")

MAX_QUERY_CHARS = 200
MAX_TERMS = 8


# Characters NFKC may change, short of the full-width punctuation it would only turn into ASCII
# punctuation (a gap either way): text with none of them, most Chinese text, skips NFKC outright.
_NFKC_SENSITIVE = re.compile(
    "[^\x00-\x7f\u3001-\u3002\u3008-\u3011\u2014\u2018-\u201d\u2026\u4e00-\u9fff"
    "\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f]"
)


def _is_token_char(char: str) -> bool:
    return char.isalnum() or bool(_CJK_CHAR.match(char))


@functools.cache
def _nfkc_matters(char: str) -> bool:
    """Whether NFKC of text holding ``char`` can change its tokens: a letter, digit or CJK
    character changed (｜, ％, ～ and other punctuation that stays punctuation are a gap either
    way), or a mark or jamo that NFKC composes with its neighbour."""
    folded = unicodedata.normalize("NFKC", char)
    if folded != char and (_is_token_char(char) or any(map(_is_token_char, folded))):
        return True
    return (
        unicodedata.category(char).startswith("M")
        or "\u1100" <= char <= "\u11ff"
        or ("\ua960" <= char <= "\ud7ff")
    )


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, traditional → simplified."""
    if not text:
        return ""
    sensitive = _NFKC_SENSITIVE.findall(text)
    if sensitive and any(map(_nfkc_matters, set(sensitive))):
        text = unicodedata.normalize("NFKC", text)
    return to_simplified(text.lower())


def html_to_text(body: str) -> str:
    """Plain text of sanitised body HTML as a reader sees it: blocks apart, inline tags seamless."""
    return html.unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", body or "")))


def is_cjk(char: str) -> bool:
    return bool(_CJK_CHAR.match(char))


def token_text(text: str, gap: str) -> str:
    """:func:`tokens` joined by spaces, ``gap`` standing for each gap (SQLite's column text;
    PostgreSQL's too, which its own parser splits at the spaces).

    The hot loop of indexing: one C-level ``findall`` splits the text into runs, and each CJK run
    becomes its bigrams in one ``map`` (the lone last character comes out as ``"x "``, which splits
    like any token), so Python does a few steps per run, not per character."""
    out: list[str] = []
    extend, append = out.extend, out.append
    for cjk, word in _RUNS.findall(text):
        if cjk:
            extend(map(add, cjk, cjk[1:] + " "))
        elif word:
            append(word)
        elif out:
            append(gap)
    return " ".join(out)


def tokens(text: str) -> list[str | None]:
    """Tokens of already-normalised text, with ``GAP`` (None) where the text is interrupted."""
    out: list[str | None] = [
        None if token == _GAP_MARK else token for token in token_text(text, _GAP_MARK).split()
    ]
    if out and out[-1] is GAP:
        out.pop()
    return out


@dataclass(frozen=True)
class Term:
    """One query term as normalised text and the token pattern it must match, in order.

    ``prefix`` is set when the last token is a lone CJK character that the text may continue
    (``区`` matches the tokens ``区产`` and ``区``).
    """

    text: str
    pattern: tuple[str | None, ...]
    prefix: bool


def query_term(term: str) -> Term | None:
    """The token pattern a normalised term must match as a phrase, or None if it has no word."""
    pattern: list[str | None] = []
    prefix = False
    end = 0
    segments = list(_SEGMENT.finditer(term))
    for i, match in enumerate(segments):
        if pattern and match.start() > end:
            pattern.append(GAP)
        end = match.end()
        runs = [run for run in _CJK_RUN.split(match.group()) if run]
        for j, run in enumerate(runs):
            if not is_cjk(run[0]):
                pattern.append(run)
                continue
            pattern.extend(map("".join, zip(run, run[1:], strict=False)))
            if i < len(segments) - 1 or j < len(runs) - 1:
                # The text's run must end here too: its lone last character says so.
                pattern.append(run[-1])
            elif len(run) == 1:
                pattern.append(run)
                prefix = True
    if not pattern:
        return None
    return Term(term, tuple(pattern), prefix)


def parse_query(query: str) -> list[Term]:
    """Terms of a visitor's query: split on spaces, normalised, at most ``MAX_TERMS``.

    Nothing of the query reaches FTS syntax as text: backends build their expressions from the
    tokens, which hold only letters and digits.
    """
    text = normalise((query or "")[:MAX_QUERY_CHARS])
    terms: list[Term] = []
    for raw in _SPACE.split(text):
        term = query_term(raw)
        if term is not None and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]
