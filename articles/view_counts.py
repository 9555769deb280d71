"""Counting reads off the request's write path.

A read (the beacon ``POST /articles/<id>/view/`` from ``static/js/site.js``) never writes to the
site's database. It is appended to a *buffer* outside every app process, and
:func:`flush_view_counts` adds what the buffer holds to ``Article.view_count`` in one short
transaction per batch:

- with ``REDIS_URL``: a Redis stream (``XADD``, one entry per counted read), shared by every app
  server;
- without it: a small SQLite file of its own (``VIEW_COUNT_BUFFER``), shared by every process on
  the machine; appending to it takes that file's lock, never the site database's, so a flood of
  readers cannot keep editors from saving.

Exactness: each buffered read has a position that only grows (the stream's entry id, the
file's ``AUTOINCREMENT`` row id). A flush adds the reads after the store's mark
(:class:`~articles.models.ViewCountMark`) and moves the mark in the same database transaction,
then drops the reads up to the mark from the buffer. Flushes on several servers at once
serialise on the mark's row; a flush killed at any point is either wholly applied or not at all,
and the next one carries on. What a crash can lose: with Redis, the reads buffered since the
last flush if Redis itself loses its memory (at most ``VIEW_COUNT_FLUSH_SECONDS`` of reads when
flushes run); with the file, nothing short of losing the file.

When: a read that finds a flush due queues the flush as a background job
(:func:`flush_buffered_reads`), so no reader waits for it. One read is elected
through the buffer (``SET NX EX`` in Redis, a conditional ``UPDATE`` in the file), and it claims
the next :data:`JOB_WAIT_SECONDS`: however many readers arrive and however busy the workers are,
at most one flush job waits at a time. The job, when it starts, puts the next flush
``VIEW_COUNT_FLUSH_SECONDS`` ahead. ``manage.py flush_view_counts`` flushes directly, from cron
or by hand; reads not flushed yet are shown all the same (:func:`shown_count`).

Not every request counts (issue: the counter drives 阅读排行): only POSTs whose ``Origin`` is
this site, from a browser (``articles.crawlers``); one reader (address and User-Agent) counts
once per article per ``REPEAT_SECONDS``; one address at most ``ADDRESS_LIMIT`` times per article
per ``ADDRESS_SECONDS`` (a school or an office behind one address still counts, a script
cycling User-Agents does not). Both checks are made in the buffer, atomically with the append.
"""

import hashlib
import sqlite3
import time
import uuid
from collections import Counter
from pathlib import Path

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django_tasks import task

from .models import Article, ViewCountMark

REPEAT_SECONDS = 30 * 60
ADDRESS_SECONDS = 60 * 60
ADDRESS_LIMIT = 30
BATCH = 5000  # reads added per transaction
#: A queued flush job has this long to start before a due read queues another (a lost job).
JOB_WAIT_SECONDS = 300


def client_address(request) -> str:
    """The reader's address: ``REMOTE_ADDR``, or behind ``NUM_PROXIES`` trusted proxies the
    address the outermost of them saw (counted from the right of ``X-Forwarded-For``)."""
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=12).hexdigest()


class RedisStore:
    """Reads in a Redis stream; pending counts per article in a hash, for the number shown."""

    prefix = "portal:views:"

    # One round trip, atomic: repeat check, address limit, append.
    RECORD = """
    if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
    local n = redis.call('INCR', KEYS[2])
    if n == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
    if n > tonumber(ARGV[3]) then return 0 end
    redis.call('XADD', KEYS[3], '*', 'a', ARGV[4])
    redis.call('HINCRBY', KEYS[4], ARGV[4], 1)
    return 1
    """
    _clients: dict[str, redis.Redis] = {}  # connection pools, not data

    def __init__(self, url: str):
        if url not in self._clients:
            self._clients[url] = redis.Redis.from_url(url)
        self.redis = self._clients[url]
        self.hits = self.prefix + "hits"
        self.pending_key = self.prefix + "pending"

    @property
    def name(self) -> str:
        """Names this buffer's mark; a new one if Redis lost its data (stream ids restart)."""
        key = self.prefix + "store"
        self.redis.set(key, uuid.uuid4().hex, nx=True)
        return "redis:" + self.redis.get(key).decode()

    def record(self, article_id: int, reader: str, address: str) -> bool:
        p = self.prefix
        keys = [f"{p}seen:{article_id}:{reader}", f"{p}rate:{article_id}:{address}"]
        keys += [self.hits, self.pending_key]
        args = [REPEAT_SECONDS, ADDRESS_SECONDS, ADDRESS_LIMIT, article_id]
        return bool(self.redis.eval(self.RECORD, len(keys), *keys, *args))

    def pending(self, article_id: int) -> int:
        return max(0, int(self.redis.hget(self.pending_key, article_id) or 0))

    def flush_due(self, seconds: int) -> bool:
        """Whether a flush is due; if so, the caller's, and none is due for ``seconds``."""
        return bool(self.redis.set(self.prefix + "flush-due", "1", nx=True, ex=seconds))

    def next_flush_in(self, seconds: int) -> None:
        if seconds > 0:
            self.redis.set(self.prefix + "flush-due", "1", ex=seconds)
        else:  # no expiry of 0 s in Redis: due now
            self.redis.delete(self.prefix + "flush-due")

    def read_after(self, position: str) -> tuple[list[int], str]:
        start = f"({position}" if position else "-"
        entries = self.redis.xrange(self.hits, min=start, max="+", count=BATCH)
        if not entries:
            return [], position
        return [int(fields[b"a"]) for _, fields in entries], entries[-1][0].decode()

    # Atomic, so flushers racing to drop the same reads take each one off the display once.
    DROP = """
    local entries = redis.call('XRANGE', KEYS[1], '-', ARGV[1], 'COUNT', ARGV[2])
    for _, entry in ipairs(entries) do
        redis.call('XDEL', KEYS[1], entry[1])
        if redis.call('HINCRBY', KEYS[2], entry[2][2], -1) <= 0 then
            redis.call('HDEL', KEYS[2], entry[2][2])
        end
    end
    return #entries
    """

    def drop_through(self, position: str) -> None:
        keys = [self.hits, self.pending_key]
        while self.redis.eval(self.DROP, len(keys), *keys, position, BATCH) == BATCH:
            pass


class FileStore:
    """Reads in a SQLite file of their own, used by every process on this machine."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS hits (
        id INTEGER PRIMARY KEY AUTOINCREMENT, article_id INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS hits_article ON hits (article_id);
    CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, until REAL NOT NULL);
    CREATE TABLE IF NOT EXISTS rate (key TEXT PRIMARY KEY, until REAL NOT NULL, n INTEGER NOT NULL);
    """

    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        connection.execute("PRAGMA synchronous=NORMAL")
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone():
            self._create(connection)
        return connection

    def _create(self, connection: sqlite3.Connection) -> None:
        """The file's first use, maybe by several processes at once: its tables and first rows
        appear in one transaction, so no reader finds some without the others."""
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, self.SCHEMA.split(";")):
                connection.execute(statement)
            connection.execute(
                "INSERT OR IGNORE INTO meta VALUES ('store', ?), ('next_flush', '0')",
                [uuid.uuid4().hex],
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        try:
            connection.execute("PRAGMA journal_mode=WAL")  # kept in the file once set
        except sqlite3.OperationalError:  # another process holds the file: it sets it
            pass

    @property
    def name(self) -> str:
        with _closing(self._connect()) as db:
            return "file:" + db.execute("SELECT value FROM meta WHERE key='store'").fetchone()[0]

    def record(self, article_id: int, reader: str, address: str) -> bool:
        now = time.time()
        with _closing(self._connect()) as db, db:  # commits, or rolls back on an error
            db.execute("BEGIN IMMEDIATE")
            fresh = db.execute(
                "INSERT INTO seen VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
                " SET until = excluded.until WHERE seen.until <= ?",
                [f"{article_id}:{reader}", now + REPEAT_SECONDS, now],
            ).rowcount
            if not fresh:
                return False
            (n,) = db.execute(
                "INSERT INTO rate VALUES (?, ?, 1) ON CONFLICT (key) DO UPDATE SET"
                " n = CASE WHEN rate.until <= ? THEN 1 ELSE rate.n + 1 END,"
                " until = CASE WHEN rate.until <= ? THEN excluded.until ELSE rate.until END"
                " RETURNING n",
                [f"{article_id}:{address}", now + ADDRESS_SECONDS, now, now],
            ).fetchone()
            if n > ADDRESS_LIMIT:
                return False
            db.execute("INSERT INTO hits (article_id) VALUES (?)", [article_id])
            return True

    def pending(self, article_id: int) -> int:
        with _closing(self._connect()) as db:
            return db.execute(
                "SELECT count(*) FROM hits WHERE article_id = ?", [article_id]
            ).fetchone()[0]

    def flush_due(self, seconds: int) -> bool:
        now = time.time()
        with _closing(self._connect()) as db:
            return bool(
                db.execute(
                    "UPDATE meta SET value = ?"
                    " WHERE key = 'next_flush' AND CAST(value AS REAL) <= ?",
                    [str(now + seconds), now],
                ).rowcount
            )

    def next_flush_in(self, seconds: int) -> None:
        with _closing(self._connect()) as db:
            db.execute(
                "UPDATE meta SET value = ? WHERE key = 'next_flush'", [str(time.time() + seconds)]
            )

    def read_after(self, position: str) -> tuple[list[int], str]:
        with _closing(self._connect()) as db:
            rows = db.execute(
                "SELECT id, article_id FROM hits WHERE id > ? ORDER BY id LIMIT ?",
                [int(position or 0), BATCH],
            ).fetchall()
        if not rows:
            return [], position
        return [article_id for _, article_id in rows], str(rows[-1][0])

    def drop_through(self, position: str) -> None:
        now = time.time()
        with _closing(self._connect()) as db:
            db.execute("DELETE FROM hits WHERE id <= ?", [int(position)])
            db.execute("DELETE FROM seen WHERE until <= ?", [now])
            db.execute("DELETE FROM rate WHERE until <= ?", [now])


class _closing:
    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        return self.connection

    def __exit__(self, *exc):
        self.connection.close()


def get_store() -> RedisStore | FileStore:
    if settings.REDIS_URL:
        return RedisStore(settings.REDIS_URL)
    return FileStore(settings.VIEW_COUNT_BUFFER)


def record_view(request, article_id: int) -> bool:
    """Buffer one read of a published article; False when it does not count (a repeat, or over
    the address's limit). Queues a flush job when a flush is due."""
    store = get_store()
    address = client_address(request)
    reader = _digest(address, request.headers.get("User-Agent", ""))
    counted = store.record(article_id, reader, _digest(address))
    if store.flush_due(JOB_WAIT_SECONDS):
        flush_buffered_reads.enqueue()
    return counted


def shown_count(article_id: int, stored: int) -> int:
    """The number a reader sees: what the database holds plus reads not flushed yet."""
    return stored + get_store().pending(article_id)


@task()
def flush_buffered_reads() -> int:
    """The background job a read queues when a flush is due (:func:`record_view`): answers how
    many reads were added."""
    store = get_store()
    store.next_flush_in(settings.VIEW_COUNT_FLUSH_SECONDS)  # this job is no longer waiting
    return flush_view_counts(store)


def flush_view_counts(store: RedisStore | FileStore | None = None) -> int:
    """Add the buffered reads to ``Article.view_count``; answers how many were added."""
    store = store or get_store()
    name = store.name
    mark, _ = ViewCountMark.objects.get_or_create(store=name, defaults={"position": ""})
    if mark.position:
        store.drop_through(mark.position)  # left by a flush stopped after its commit
    added = 0
    while True:
        with transaction.atomic():
            mark = ViewCountMark.objects.select_for_update().get(store=name)
            article_ids, position = store.read_after(mark.position)
            if not article_ids:
                return added
            counts = Counter(article_ids)
            _add(counts)
            mark.position = position
            mark.save(update_fields=["position", "updated_at"])
        store.drop_through(position)
        added += len(article_ids)


def _add(counts: Counter) -> None:
    """One UPDATE per distinct increment, whatever the number of articles."""
    by_increment: dict[int, list[int]] = {}
    for article_id, n in counts.items():
        by_increment.setdefault(n, []).append(article_id)
    for n, ids in by_increment.items():
        Article.objects.filter(pk__in=ids).update(view_count=F("view_count") + n)
