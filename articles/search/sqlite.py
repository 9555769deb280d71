"""SQLite: an FTS5 table of pre-tokenised text, its rowid the entry's date-ordered key.

The FTS5 table is *contentless* (the bigram text would be twice the size of the articles); to
delete an entry FTS5 needs the exact text it was given, so ``article_search_entry`` keeps it,
compressed, next to the key. Queries read rowids only, newest first, and stop at the LIMIT:
``ORDER BY rowid DESC`` is served by the index itself, and visibility, dates and category are
rowid ranges and a ``cat`` token, so a common two-character word costs as little as a rare one.
"""

import zlib

from django.db import connection

from .documents import Document, article_id_of
from .text import GAP, Term, token_text

FTS = "article_search_fts"
ENTRY = "article_search_entry"
GAP_TOKEN = "\ue000"  # a private-use character: never produced by a query's tokens
SEP = "\x1f"

# Buffer up to 32 MB of a transaction's postings before writing a segment (default 1 MB): a bulk
# import or rebuild then writes fewer, larger segments and merges less.
HASHSIZE = f"INSERT INTO {FTS}({FTS}, rank) VALUES ('hashsize', {32 * 2**20})"
SCHEMA = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5("
    "title, tags, summary, body, cat, content='', columnsize=0, tokenize='ascii')",
    HASHSIZE,
    f"CREATE TABLE {ENTRY} (article_id INTEGER PRIMARY KEY, key INTEGER NOT NULL, data BLOB)",
]
DROP = [f"DROP TABLE IF EXISTS {FTS}", f"DROP TABLE IF EXISTS {ENTRY}"]


def _row(doc: Document) -> tuple:
    return (*(token_text(field, GAP_TOKEN) for field in doc.fields), f"c{doc.category_id}")


def remove(ids: list[int]) -> None:
    if not ids:
        return
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, data FROM {ENTRY} WHERE article_id IN ({marks})", ids)
        old = [(key, *zlib.decompress(data).decode().split(SEP)) for key, data in cursor]
        if not old:
            return
        cursor.executemany(
            f"INSERT INTO {FTS}({FTS}, rowid, title, tags, summary, body, cat) "
            "VALUES ('delete', %s, %s, %s, %s, %s, %s)",
            old,
        )
        cursor.execute(f"DELETE FROM {ENTRY} WHERE article_id IN ({marks})", ids)


def insert(docs: list[Document]) -> None:
    if not docs:
        return
    rows = [(doc.key, *_row(doc)) for doc in docs]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {FTS}(rowid, title, tags, summary, body, cat) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )
        cursor.executemany(
            f"INSERT INTO {ENTRY}(article_id, key, data) VALUES (%s, %s, %s)",
            [
                (article_id_of(row[0]), row[0], zlib.compress(SEP.join(row[1:]).encode(), 1))
                for row in rows
            ],
        )


def finish() -> None:
    """After a rebuild: merge the index segments into one (fewer lists to read per query)."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('delete-all')")
        cursor.execute(HASHSIZE)
        cursor.execute(f"DELETE FROM {ENTRY}")


def _phrase(term: Term, column: str | None) -> str:
    # Tokens hold letters and digits only (see text.tokens): nothing here is FTS5 syntax.
    words = " ".join(GAP_TOKEN if token is GAP else token for token in term.pattern)
    phrase = f'"{words}"' + (" *" if term.prefix else "")
    return f"{column} : {phrase}" if column else phrase


def _match(terms: list[Term], *, title_only: bool, exclude_title: bool, category_id) -> str:
    expr = " AND ".join(_phrase(term, "title" if title_only else None) for term in terms)
    if category_id is not None:
        expr = f'{expr} AND cat : "c{int(category_id)}"'
    if exclude_title:
        expr = f"({expr}) NOT ({' AND '.join(_phrase(term, 'title') for term in terms)})"
    return expr


def _where(terms, low, high, **options) -> tuple[str, list]:
    sql = f"{FTS} MATCH %s AND rowid <= %s"
    params = [_match(terms, **options), high]
    if low is not None:
        sql += " AND rowid >= %s"
        params.append(low)
    return sql, params


def keys(terms, *, low, high, limit, offset, known_total=None, **options) -> list[int]:
    where, params = _where(terms, low, high, **options)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {FTS} WHERE {where} ORDER BY rowid DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return [row[0] for row in cursor]


def count(terms, *, low, high, cap, **options) -> int:
    where, params = _where(terms, low, high, **options)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT rowid FROM {FTS} WHERE {where} LIMIT %s)",
            [*params, cap],
        )
        return cursor.fetchone()[0]


def size_bytes() -> int:
    """Pages used by the index tables (for the benchmark)."""
    with connection.cursor() as cursor:
        try:
            cursor.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE %s OR name = %s",
                [f"{FTS}%", ENTRY],
            )
        except Exception:  # noqa: BLE001 - dbstat is optional in SQLite builds
            return 0
        return cursor.fetchone()[0] or 0
