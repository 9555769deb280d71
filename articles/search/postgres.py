"""PostgreSQL: rows of tsvectors whose positions are ours, GIN-indexed.

The tokens are made here (:func:`~.text.token_text`, as for SQLite) and joined by spaces;
PostgreSQL's parser only splits that text at the spaces (``to_tsvector('simple', …)``), in C. A gap
in the text is a gap word there, deleted from the vector afterwards so that its position stays
empty, and fields sit ten positions apart: that makes ``<->`` exact. The title has its own
small vector for the "title matches first" tier. A long body is split over several rows
(:func:`chunks`), as a tsvector keeps no position above 16,383 and at most 256 per word.
Queries are ``tsquery`` values built from tokens (letters and digits only), never from the
visitor's text.

Both questions a search asks, "newest matches first" (:func:`keys`) and "how many, up to the cap"
(:func:`count`), have a plan whose cost does not grow with the table for common words — walking
the key index newest first and testing each row, which stops early — and one through the GIN index
for rare ones. A phrase is first looked up in GIN without its word order (every bigram present:
exact in the index, no positions tested), its newest candidates are then tested as a phrase;
testing all of its candidates (a rare phrase of common bigrams) is the last resort.
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
COUNT_PROBE_ROWS = 200  # newest rows a count tests first, to tell a common word from a rare one
COMMON = 0.5  # matches among those rows that make a word common: counted by walking newest first
# …when, at that share, it is in this many rows at least (so only in an index of 400,000 rows or
# more): walking to the cap tests ~1,100 rows (about 20 ms at 400k), about what marking 250,000
# rows in the GIN index costs.
WALK_ROWS = 200_000
CANDIDATES = 200  # a phrase's newest candidates tested first (then 8× as many if too few match)
MAX_CANDIDATES = 2_000  # beyond that, every match from the GIN index, sorted
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
    gap words included), then the gap words are deleted, leaving their positions empty.

    Every row of an article has its title vector (``heading``), so the body tier can leave out
    each row of an article whose title matches; only the first has the title in ``vec``."""
    if not docs:
        return
    columns: tuple[list, ...] = ([], [], [], [], [], [], [], [], [], [])
    for doc in docs:
        rows = chunks(doc)
        heading = rows[0][0]
        for number, fields in enumerate(rows):
            values = (doc.article_id, number, doc.key, doc.category_id, doc.expires, heading)
            for column, value in zip(columns, (*values, *fields), strict=True):
                column.append(value)
    vectors = " || ".join(
        f"setweight(to_tsvector('simple', {field}), '{weight}')"
        for field, weight in zip(("title", "tags", "summary", "body"), WEIGHTS, strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (article_id, chunk, key, category_id, expires, title_vec, vec) "
            "SELECT article_id, chunk, key, category_id, expires, "
            "ts_delete(setweight(to_tsvector('simple', heading), 'A'), %s), "
            f"ts_delete({vectors}, %s) "
            "FROM unnest(%s::bigint[], %s::int[], %s::bigint[], %s::bigint[], %s::bigint[], "
            "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
            "AS batch(article_id, chunk, key, category_id, expires, heading, title, tags, summary, "
            "body)",
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


def unordered(terms: list[Term]) -> str:
    """Every token of every term, in any order: what GIN answers exactly from the index alone,
    and a superset of what :func:`tsquery` finds (which then tests positions in each row)."""
    tokens = []
    for term in terms:
        words = [_quote(token) for token in term.pattern if token is not GAP]
        if term.prefix:
            words[-1] += ":*"
        tokens += [word for word in words if word not in tokens]
    return " & ".join(tokens)


def _is_phrase(terms: list[Term]) -> bool:
    return any(len([token for token in term.pattern if token is not GAP]) > 1 for term in terms)


def _where(
    terms, *, low, high, now, title_only, exclude_title, category_id, loose=False
) -> tuple[str, list]:
    """The condition and its parameters; ``loose``: the terms' tokens in any order."""
    query = tsquery(terms)
    sql = (
        f"{'title_vec' if title_only else 'vec'} @@ %s::tsquery AND key <= %s"
        " AND (expires IS NULL OR expires > %s)"
    )
    params: list = [unordered(terms) if loose else query, high, now]
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
    the page there at once. If they do not, the words are rare enough for the GIN index: a
    phrase's newest candidates (:func:`_candidates`), else all matches from it, sorted (the
    planner alone guesses badly for phrases, which it rates as common as their commonest word,
    and walks the key index for seconds).
    """
    where, params = _where(terms, **options)
    wanted = offset + limit
    found: list[int] | None = []
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if known_total is None or known_total >= wanted:  # else the probe cannot fill it
            cursor.execute(_walk(where, options), _walk_params(params, options, PROBE_ROWS, wanted))
            found = [row[0] for row in cursor]
        if len(found) < wanted:
            cursor.execute(GIN_ONLY)
            enough = wanted if known_total is None else min(wanted, known_total)
            found = _candidates(cursor, terms, enough, options) if _is_phrase(terms) else None
            if found is None:
                cursor.execute(
                    f"SELECT DISTINCT key FROM {TABLE} WHERE {where} ORDER BY key DESC LIMIT %s",
                    [*params, wanted],
                )
                found = [row[0] for row in cursor]
            cursor.execute(ANY_PLAN)
    return found[offset:]


def _candidates(cursor, terms, wanted: int, options) -> list[int] | None:
    """The newest ``wanted`` keys matching a phrase (all there are, when ``wanted`` is how many
    match), from its newest candidates: the rows that hold all its tokens in any order (the GIN
    index answers that without testing positions), newest first, each tested as a phrase; more
    candidates while too few of them match. None when that would mean testing more than
    ``MAX_CANDIDATES`` rows."""
    loose, loose_params = _where(terms, loose=True, **options)
    column = "title_vec" if options["title_only"] else "vec"
    batch = CANDIDATES
    while batch <= MAX_CANDIDATES:
        cursor.execute(
            f"SELECT key, {column} @@ %s::tsquery FROM "
            f"(SELECT key, {column} FROM {TABLE} WHERE {loose} ORDER BY key DESC LIMIT %s) AS c "
            "ORDER BY key DESC",
            [tsquery(terms), *loose_params, batch],
        )
        rows = cursor.fetchall()
        found = list(dict.fromkeys(key for key, matches in rows if matches))
        if len(found) >= wanted or len(rows) < batch:  # enough, or no more candidates
            return found[:wanted]
        batch *= 8
    return None


def _walk(where: str, options) -> str:
    """The newest matching keys among the newest entries (``_walk_params``: how many entries,
    how many keys at most), by the key index: it stops as soon as it has them."""
    return (
        "SELECT DISTINCT key FROM "
        f"(SELECT key, category_id, expires, vec, title_vec FROM {TABLE} "
        f"WHERE {_where_bounds(options)} ORDER BY key DESC LIMIT %s) AS recent "
        f"WHERE {where} ORDER BY key DESC LIMIT %s"
    )


def _walk_params(params: list, options, entries: int, keys: int) -> list:
    return [*_bounds_params(options), entries, *params, keys]


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
    """Matches, counted up to ``cap``.

    A word common among the newest entries (``COMMON`` of the newest ``COUNT_PROBE_ROWS``) in a
    table big enough for that to mean ``WALK_ROWS`` rows is counted by walking the key index
    newest first until ``cap`` are found, a cost that does not grow with the table (the GIN
    index would first mark every one of its rows). Any other from the GIN index (a sequential
    scan would test every row's vector when the planner takes a rare phrase for a common one),
    more rows at a time while the articles that match repeat (a long article is several rows)."""
    where, params = _where(terms, **options)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
        table_rows = max(cursor.fetchone()[0], 0)  # the planner's estimate, -1 before ANALYZE
        if table_rows * COMMON >= WALK_ROWS:
            walk = f"SELECT count(*) FROM ({_walk(where, options)}) AS hits"
            probe = min(COUNT_PROBE_ROWS, cap)
            cursor.execute(walk, _walk_params(params, options, probe, probe))
            share = cursor.fetchone()[0] / probe
            if share >= COMMON and share * table_rows >= WALK_ROWS:
                rows = int(2 * cap / share)  # twice what its share among the newest would need
                cursor.execute(walk, _walk_params(params, options, rows, cap))
                total = cursor.fetchone()[0]
                if total >= cap:
                    return total
        cursor.execute(GIN_ONLY)
        rows = cap + cap // 4  # room for the rows of long articles (one in 25 is two rows)
        while True:
            cursor.execute(
                f"SELECT count(*), count(DISTINCT key) FROM "
                f"(SELECT key FROM {TABLE} WHERE {where} LIMIT %s) AS hits",
                [*params, rows],
            )
            matched, total = cursor.fetchone()
            if total >= cap or matched < rows:  # enough articles, or every match counted
                break
            rows *= 4
        cursor.execute(ANY_PLAN)
    return min(total, cap)


def size_bytes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [TABLE])
        return cursor.fetchone()[0]
