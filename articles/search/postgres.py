"""PostgreSQL: rows of tsvectors whose positions are ours, GIN-indexed.

The tokens are made here (:func:`~.text.token_text`, as for SQLite) and joined by spaces;
PostgreSQL's parser only splits that text at the spaces (``to_tsvector('simple', …)``), in C. A gap
in the text is a gap word there, deleted from the vector afterwards so that its position stays
empty, and fields sit ten positions apart: that makes ``<->`` exact. The title has its own
small vector for the "title matches first" tier. A long body is split over several rows
(:func:`chunks`), as a tsvector keeps no position above 16,383 and at most 256 per word.
Queries are ``tsquery`` values built from tokens (letters and digits only), never from the
visitor's text.

Two plans answer "newest matches first" (see :func:`keys`): walking the key index and testing each
row stops early when the words are common; a GIN bitmap scan and a sort wins when they are rare.
"""

from django.db import connection, transaction

from .documents import Document
from .text import GAP, MAX_QUERY_CHARS, Term, token_text

TABLE = "article_search"
CHUNK_TOKENS = 4000  # body tokens a row; also keeps most lexemes under 256 positions
OVERLAP = MAX_QUERY_CHARS  # a phrase is never longer than the query
FIELD_GAP = 10  # positions between fields, so no phrase spans two of them
# Stands for a gap in the token text given to ``to_tsvector`` and is deleted from the vector after:
# full-width, so never a token (NFKC turns every "ｇ" of an article or a query into "g").
GAP_WORD = "\uff47"
FIELD_END = " ".join([GAP_WORD] * FIELD_GAP)
WEIGHTS = "ABCD"  # title, tags, summary, body
PROBE_ROWS = 400  # rows the key walk may test before the GIN plan takes over
# Planner settings for one statement inside a transaction: bitmap scans (GIN) only, then back.
GIN_ONLY = "SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off"
ANY_PLAN = "SET LOCAL enable_indexscan = on; SET LOCAL enable_seqscan = on"

# Dropped for a rebuild and made again in one pass (the table is made by migration 0005).
GIN_INDEXES = [
    f"CREATE INDEX {TABLE}_vec ON {TABLE} USING gin (vec)",
    f"CREATE INDEX {TABLE}_title_vec ON {TABLE} USING gin (title_vec)",
]


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _field_text(text: str) -> str:
    """A field as token text for ``to_tsvector``, its gaps and the gap after it as gap words."""
    return f"{token_text(text, GAP_WORD)} {FIELD_END}"


def chunks(doc: Document) -> list[tuple[str, str, str, str]]:
    """The document's fields as token text (title, tags, summary, body), in rows of at most
    ``CHUNK_TOKENS`` body tokens, overlapping by the longest possible phrase, so no position
    passes PostgreSQL's limits and no phrase is cut in two. A body has at most one token a
    character (and a gap): only a long one is split into tokens to be cut."""
    head = tuple(_field_text(field) for field in (doc.title, doc.tags, doc.summary))
    if len(doc.body) < CHUNK_TOKENS:
        return [(*head, _field_text(doc.body))]
    body = token_text(doc.body, GAP_WORD).split()
    rows = [(*head, " ".join(body[:CHUNK_TOKENS]))]
    end = CHUNK_TOKENS
    while end < len(body):
        start = end - OVERLAP
        end = start + CHUNK_TOKENS
        rows.append(("", "", "", " ".join(body[start:end])))
    return rows


def remove(ids: list[int]) -> None:
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = ANY(%s)", [ids])


def insert(docs: list[Document]) -> None:
    """The batch in one statement: Python makes the token text, PostgreSQL's parser splits it at
    the spaces into the vectors (``||`` puts each field after the previous one's last position,
    gap words included), then the gap words are deleted, leaving their positions empty."""
    if not docs:
        return
    columns: tuple[list, ...] = ([], [], [], [], [], [], [], [], [])
    for doc in docs:
        for number, fields in enumerate(chunks(doc)):
            values = (doc.article_id, number, doc.key, doc.category_id, doc.expires, *fields)
            for column, value in zip(columns, values, strict=True):
                column.append(value)
    vectors = " || ".join(
        f"setweight(to_tsvector('simple', {field}), '{weight}')"
        for field, weight in zip(("title", "tags", "summary", "body"), WEIGHTS, strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (article_id, chunk, key, category_id, expires, title_vec, vec) "
            "SELECT article_id, chunk, key, category_id, expires, "
            "ts_delete(setweight(to_tsvector('simple', title), 'A'), %s), "
            f"ts_delete({vectors}, %s) "
            "FROM unnest(%s::bigint[], %s::int[], %s::bigint[], %s::bigint[], %s::bigint[], "
            "%s::text[], %s::text[], %s::text[], %s::text[]) "
            "AS batch(article_id, chunk, key, category_id, expires, title, tags, summary, body)",
            [GAP_WORD, GAP_WORD, *columns],
        )


def clear() -> None:
    """Empty the index for a rebuild. TRUNCATE locks the table till the rebuild commits anyway,
    so the GIN indexes go too and :func:`finish` builds them in one pass (several times faster
    than growing them row by row)."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")
        cursor.execute(f"DROP INDEX IF EXISTS {TABLE}_vec, {TABLE}_title_vec")


def finish() -> None:
    """After a rebuild: the GIN indexes, and statistics for the planner."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in GIN_INDEXES:
            cursor.execute(statement.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
        cursor.execute(f"ANALYZE {TABLE}")


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


def _where(terms, *, low, high, now, title_only, exclude_title, category_id) -> tuple[str, list]:
    query = tsquery(terms)
    sql = (
        f"{'title_vec' if title_only else 'vec'} @@ %s::tsquery AND key <= %s"
        " AND (expires IS NULL OR expires > %s)"
    )
    params: list = [query, high, now]
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
                "SELECT DISTINCT key FROM "
                f"(SELECT key, category_id, expires, vec, title_vec FROM {TABLE} "
                f"WHERE {_where_bounds(options)} ORDER BY key DESC LIMIT %s) AS recent "
                f"WHERE {where} ORDER BY key DESC LIMIT %s",
                [*_bounds_params(options), PROBE_ROWS, *params, wanted],
            )
            found = [row[0] for row in cursor]
        if len(found) < wanted:
            cursor.execute(GIN_ONLY)
            cursor.execute(
                f"SELECT DISTINCT key FROM {TABLE} WHERE {where} ORDER BY key DESC LIMIT %s",
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
            f"SELECT count(DISTINCT key) FROM "
            f"(SELECT key FROM {TABLE} WHERE {where} LIMIT %s) AS hits",
            [*params, cap],
        )
        total = cursor.fetchone()[0]
        cursor.execute(ANY_PLAN)
    return total


def size_bytes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [TABLE])
        return cursor.fetchone()[0]
