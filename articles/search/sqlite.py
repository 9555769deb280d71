"""SQLite: an FTS5 table of pre-tokenised text, its rowid the entry's date-ordered key, negated.

The FTS5 table is *contentless* (the bigram text would be twice the size of the articles); to
delete an entry FTS5 needs the exact text it was given, so ``article_search_entry`` keeps it,
compressed, next to the rowid. Queries read rowids only, newest first, and stop at the LIMIT:
``ORDER BY rowid`` is served by the index itself, and visibility, dates and category are rowid
ranges and a ``cat`` token, so a common two-character word costs as little as a rare one.

Why negated: SQLite 3.40's FTS5 returned fewer rows for ``"园区" AND "集群" ORDER BY rowid DESC``
than for the same query ascending (79,033 against 79,160 on the benchmark corpus); ascending
order of ``-key`` is newest first through the well-trodden path.
"""

import zlib

from django.db import connection

from .documents import Document
from .text import GAP, Term, token_text

FTS = "article_search_fts"
TITLE_FTS = "article_search_title"  # titles alone: short lists, for the "title first" tier
ENTRY = "article_search_entry"
GAP_TOKEN = "\ue000"  # a private-use character: never produced by a query's tokens
SEP = "\x1f"

# Buffer up to 32 MB of a transaction's postings before writing a segment (default 1 MB): a bulk
# import or rebuild then writes fewer, larger segments and merges less. The tables themselves
# are made by migration 0005_search_index.
HASHSIZE = f"INSERT INTO {FTS}({FTS}, rank) VALUES ('hashsize', {32 * 2**20})"


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
        cursor.executemany(
            f"INSERT INTO {TITLE_FTS}({TITLE_FTS}, rowid, title, cat) "
            "VALUES ('delete', %s, %s, %s)",
            [(row[0], row[1], row[5]) for row in old],
        )
        cursor.execute(f"DELETE FROM {ENTRY} WHERE article_id IN ({marks})", ids)


def insert(docs: list[Document]) -> None:
    if not docs:
        return
    rows = [(-doc.key, *_row(doc)) for doc in docs]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {FTS}(rowid, title, tags, summary, body, cat) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )
        cursor.executemany(
            f"INSERT INTO {TITLE_FTS}(rowid, title, cat) VALUES (%s, %s, %s)",
            [(row[0], row[1], row[5]) for row in rows],
        )
        cursor.executemany(
            f"INSERT INTO {ENTRY}(article_id, key, data, expires) VALUES (%s, %s, %s, %s)",
            [
                (doc.article_id, row[0], zlib.compress(SEP.join(row[1:]).encode(), 1), doc.expires)
                for doc, row in zip(docs, rows, strict=True)
            ],
        )


def finish() -> None:
    """After a rebuild: merge the index segments into one (fewer lists to read per query)."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
        cursor.execute(f"INSERT INTO {TITLE_FTS}({TITLE_FTS}) VALUES ('optimize')")


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('delete-all')")
        cursor.execute(f"INSERT INTO {TITLE_FTS}({TITLE_FTS}) VALUES ('delete-all')")
        cursor.execute(HASHSIZE)
        cursor.execute(f"DELETE FROM {ENTRY}")


def _phrase(term: Term) -> str:
    # Tokens hold letters and digits only (see text.tokens): nothing here is FTS5 syntax.
    words = " ".join(GAP_TOKEN if token is GAP else token for token in term.pattern)
    return f'"{words}"' + (" *" if term.prefix else "")


def _match(terms: list[Term], category_id) -> str:
    expr = " AND ".join(map(_phrase, terms))
    if category_id is not None:
        expr = f'{expr} AND cat : "c{int(category_id)}"'
    return expr


def _where(terms, *, low, high, now, title_only, exclude_title, category_id) -> tuple[str, list]:
    """Rowids (keys) in range matching ``terms``: in the title table for the title tier; else in
    the main table, less the title tier's rowids (found in the small title table first), less
    the entries whose 下线时间 has come (few: a partial index finds them)."""
    match = _match(terms, category_id)
    table = TITLE_FTS if title_only else FTS
    sql = (
        f"{table} MATCH %s AND rowid >= %s AND rowid NOT IN "
        f"(SELECT key FROM {ENTRY} WHERE expires IS NOT NULL AND expires <= %s)"
    )
    params: list = [match, -high, now]
    if low is not None:
        sql += " AND rowid <= %s"
        params.append(-low)
    if exclude_title:
        sql += (
            f" AND rowid NOT IN (SELECT rowid FROM {TITLE_FTS} WHERE {TITLE_FTS} MATCH %s"
            " AND rowid >= %s)"
        )
        params += [match, -high]
    return f"SELECT rowid FROM {table} WHERE {sql}", params


def keys(terms, *, limit, offset, known_total=None, **options) -> list[int]:
    select, params = _where(terms, **options)
    with connection.cursor() as cursor:
        cursor.execute(f"{select} ORDER BY rowid LIMIT %s OFFSET %s", [*params, limit, offset])
        return [-row[0] for row in cursor]


def count(terms, *, cap, **options) -> int:
    select, params = _where(terms, **options)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({select} LIMIT %s)", [*params, cap])
        return cursor.fetchone()[0]


def size_bytes() -> int:
    """Pages used by the index tables (for the benchmark)."""
    with connection.cursor() as cursor:
        try:
            cursor.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE %s OR name LIKE %s OR name = %s",
                [f"{FTS}%", f"{TITLE_FTS}%", ENTRY],
            )
        except Exception:  # dbstat is optional in SQLite builds
            return 0
        return cursor.fetchone()[0] or 0
