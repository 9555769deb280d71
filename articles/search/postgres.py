"""PostgreSQL: one row per entry, tsvectors written position by position, GIN-indexed.

The tsvectors are built here, not by a text-search parser, so the positions are ours: a gap in the
text skips a position and fields sit far apart, which makes ``<->`` exact. The title has its own
small vector for the "title matches first" tier. Queries are ``tsquery`` values built from tokens
(letters and digits only), never from the visitor's text.

Two plans answer "newest matches first" (see :func:`keys`): walking the key index and testing each
row stops early when the words are common; a GIN bitmap scan and a sort wins when they are rare.
"""

from django.db import connection, transaction

from .documents import Document
from .text import GAP, Term, tokens

TABLE = "article_search"
MAX_POSITION = 16383  # PostgreSQL stores no position above this
MAX_POSITIONS_PER_LEXEME = 256
FIELD_GAP = 10  # positions between fields, so no phrase spans two of them
WEIGHTS = "ABCD"  # title, tags, summary, body
PROBE_ROWS = 400  # rows the key walk may test before the GIN plan takes over
# Planner settings for one statement inside a transaction: bitmap scans (GIN) only, then back.
GIN_ONLY = "SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off"
ANY_PLAN = "SET LOCAL enable_indexscan = on; SET LOCAL enable_seqscan = on"

SCHEMA = [
    f"""CREATE TABLE {TABLE} (
        article_id bigint PRIMARY KEY,
        key bigint NOT NULL,
        category_id bigint NOT NULL,
        title_vec tsvector NOT NULL,
        vec tsvector NOT NULL
    )""",
    f"CREATE INDEX {TABLE}_key ON {TABLE} (key)",
    f"CREATE INDEX {TABLE}_category_key ON {TABLE} (category_id, key)",
    f"CREATE INDEX {TABLE}_vec ON {TABLE} USING gin (vec)",
    f"CREATE INDEX {TABLE}_title_vec ON {TABLE} USING gin (title_vec)",
]
DROP = [f"DROP TABLE IF EXISTS {TABLE}"]


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(fields: tuple[str, ...]) -> str:
    positions: dict[str, list[str]] = {}
    position = 1
    for weight, text in zip(WEIGHTS, fields, strict=False):
        for token in tokens(text):
            if position > MAX_POSITION:
                break
            if token is not GAP:
                seen = positions.setdefault(token, [])
                if len(seen) < MAX_POSITIONS_PER_LEXEME:
                    seen.append(f"{position}{weight}")
            position += 1
        position += FIELD_GAP
    return " ".join(f"{_quote(lexeme)}:{','.join(pos)}" for lexeme, pos in positions.items())


def remove(ids: list[int]) -> None:
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = ANY(%s)", [ids])


def insert(docs: list[Document]) -> None:
    if not docs:
        return
    columns = (
        [doc.article_id for doc in docs],
        [doc.key for doc in docs],
        [doc.category_id for doc in docs],
        [tsvector_literal((doc.title,)) for doc in docs],
        [tsvector_literal(doc.fields) for doc in docs],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (article_id, key, category_id, title_vec, vec) "
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], "
            "%s::text[]::tsvector[], %s::text[]::tsvector[])",
            columns,
        )


def finish() -> None:
    """After a rebuild: statistics for the planner, visibility map for the bitmap scans."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")


def _phrase(term: Term) -> str:
    parts: list[str] = []
    distance = 1
    for token in term.pattern:
        if token is GAP:
            distance += 1
            continue
        if parts:
            parts.append(f"<{distance}>" if distance > 1 else "<->")
        parts.append(_quote(token))
        distance = 1
    if term.prefix:
        parts[-1] += ":*"
    return "(" + " ".join(parts) + ")"


def tsquery(terms: list[Term]) -> str:
    return " & ".join(_phrase(term) for term in terms)


def _where(terms, *, low, high, title_only, exclude_title, category_id) -> tuple[str, list]:
    query = tsquery(terms)
    sql = f"{'title_vec' if title_only else 'vec'} @@ %s::tsquery AND key <= %s"
    params: list = [query, high]
    if exclude_title:
        sql += " AND NOT title_vec @@ %s::tsquery"
        params.append(query)
    if low is not None:
        sql += " AND key >= %s"
        params.append(low)
    if category_id is not None:
        sql += " AND category_id = %s"
        params.append(category_id)
    return sql, params


def keys(terms, *, limit, offset, known_total=None, **options) -> list[int]:
    """Newest matching keys, by whichever plan suits these words.

    First walk the newest ``PROBE_ROWS`` entries in key order and test each: common words fill
    the page there at once. If they do not, the words are rare enough for the GIN index: get all
    matches from it and sort them (the planner alone guesses badly for phrases, which it rates as
    common as their commonest word, and walks the key index for seconds).
    """
    where, params = _where(terms, **options)
    wanted = offset + limit
    found: list[int] = []
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if known_total is None or known_total >= wanted:  # else the probe cannot fill it
            cursor.execute(
                f"SELECT key FROM (SELECT key, category_id, vec, title_vec FROM {TABLE} "
                f"WHERE {_where_bounds(options)} ORDER BY key DESC LIMIT %s) AS recent "
                f"WHERE {where} ORDER BY key DESC LIMIT %s",
                [*_bounds_params(options), PROBE_ROWS, *params, wanted],
            )
            found = [row[0] for row in cursor]
        if len(found) < wanted:
            cursor.execute(GIN_ONLY)
            cursor.execute(
                f"SELECT key FROM {TABLE} WHERE {where} ORDER BY key DESC LIMIT %s",
                [*params, wanted],
            )
            found = [row[0] for row in cursor]
            cursor.execute(ANY_PLAN)
    return found[offset:]


def _where_bounds(options) -> str:
    sql = "key <= %s"
    if options.get("low") is not None:
        sql += " AND key >= %s"
    if options.get("category_id") is not None:
        sql += " AND category_id = %s"
    return sql


def _bounds_params(options) -> list:
    params = [options["high"]]
    if options.get("low") is not None:
        params.append(options["low"])
    if options.get("category_id") is not None:
        params.append(options["category_id"])
    return params


def count(terms, *, cap, **options) -> int:
    """Matches, counted up to ``cap``, from the GIN index (a sequential scan would test every
    row's vector when the planner takes a rare phrase for a common one)."""
    where, params = _where(terms, **options)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(GIN_ONLY)
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {where} LIMIT %s) AS hits",
            [*params, cap],
        )
        total = cursor.fetchone()[0]
        cursor.execute(ANY_PLAN)
    return total


def size_bytes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [TABLE])
        return cursor.fetchone()[0]
