"""Django's Redis cache, for which Redis being away is a cache miss, not an error.

Pages, counts and the page generation live in Redis; if it stops, readers should still get pages
(rendered afresh), not 500s. So while Redis cannot be reached every read is a miss, every write
is dropped, ``incr`` behaves as for a missing key (``ValueError``), and a warning is logged at most
once a minute. ``/healthz`` still reports the cache as failing (nothing reads back). When Redis
returns, it is used again at once; entries written before it went away expire as usual (pages
within ``PAGE_CACHE_SECONDS``).
"""

import fcntl
import logging
import mmap
import os
import struct
import threading
import time
import zlib
from collections.abc import Iterable

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError, RedisError, TimeoutError
from redis.maint_notifications import MaintNotificationsConfig

logger = logging.getLogger(__name__)
UNAVAILABLE = (ConnectionError, TimeoutError)
_last_warning = 0.0


def _warn(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning("Redis unavailable, serving without the cache: %s", exc)


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client makes a new ``redis.Redis`` for every operation, which with redis-py 8
    costs about as much as the round trip itself; one per connection pool serves them all (it
    is thread-safe: each command takes a connection from the pool)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    """Also: a write through it forgets what this process's ``WatchedKeys`` copied of the keys
    it writes, at once (other processes hear of it from Redis)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _written(self, *keys, version=None) -> None:
        for watched in WatchedKeys.on(self):
            if not keys:  # the whole database
                watched.clear()
                continue
            names = [self.make_key(key, version) for key in keys]
            if mine := [name for name in names if name.startswith(watched.prefix)]:
                watched.forget(mine)

    def _try(self, method, default, *args, **kwargs):
        try:
            return getattr(super(), method)(*args, **kwargs)
        except UNAVAILABLE as exc:
            _warn(exc)
            return default

    def get(self, key, default=None, version=None):
        return self._try("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._try("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._try("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._try("set", None, key, value, timeout, version)
        finally:
            self._written(key, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._try("add", False, key, value, timeout, version)
        finally:
            self._written(key, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._try("set_many", list(data), data, timeout, version)
        finally:
            self._written(*data, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        try:
            return self._try("delete", False, key, version)
        finally:
            self._written(key, version=version)

    def delete_many(self, keys, version=None):
        try:
            return self._try("delete_many", None, keys, version)
        finally:
            self._written(*keys, version=version)

    def clear(self):
        try:
            return self._try("clear", False)
        finally:
            self._written()

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            _warn(exc)
            raise ValueError(f"Key '{key}' not found: the cache is unavailable") from exc
        finally:
            self._written(key, version=version)


class SharedSlots:
    """Numbers every process on this machine shares without a server: a file of ``SLOTS``
    64-bit counters, mapped into each process's memory, so reading one costs no system call.
    Names are hashed to slots: two names that share a slot move together (a page is retired
    more often than needed, never less). Increments hold an exclusive ``flock`` on the file.

    The page versions live here when the shared cache is a folder of files (no Redis): a page
    hit reads its tags' versions from memory instead of one file each. A new file starts every
    counter from the clock, so a page recorded under a lost file's numbers never matches."""

    SLOTS = 1 << 16
    WIDTH = 8

    def __init__(self, path: str):
        self.path = path
        self._map = None

    def _open(self):
        if self._map is None:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    if os.fstat(fd).st_size < self.SLOTS * self.WIDTH:
                        start = time.time_ns() // 1000
                        os.ftruncate(fd, 0)
                        os.write(fd, struct.pack("<Q", start) * self.SLOTS)
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                self._map = mmap.mmap(fd, self.SLOTS * self.WIDTH, mmap.MAP_SHARED)
                self._fd = fd
            except BaseException:
                os.close(fd)
                raise
        return self._map

    def slot(self, name: str) -> int:
        return (zlib.crc32(name.encode()) % self.SLOTS) * self.WIDTH

    def get_many(self, names) -> dict[str, int]:
        table = self._open()
        return {name: struct.unpack_from("<Q", table, self.slot(name))[0] for name in names}

    def incr_many(self, names) -> None:
        table = self._open()
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            for offset in {self.slot(name) for name in names}:
                value = struct.unpack_from("<Q", table, offset)[0]
                struct.pack_into("<Q", table, offset, value + 1)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


class WatchedKeys:
    """This process's copy of some Redis keys (the page versions), kept current by Redis itself:
    server-assisted client-side caching (``CLIENT TRACKING … BCAST PREFIX``, Redis ≥ 6).

    A thread of the process holds one connection subscribed to ``__redis__:invalidate`` that
    tracks every key under ``prefix``: whichever app server writes such a key, Redis pushes its
    name here and the copy forgets it. A read of keys the copy holds then costs no round trip;
    any other read goes to Redis (one ``MGET``) and fills the copy, unless an invalidation came
    in meanwhile (the copy's ``epoch`` moved): the values read may be older than it.

    How far behind another server's write a read here can be: the time the push takes to arrive
    and be handled, well under a millisecond on one network, a few while this process is busy
    (the thread waits for the interpreter). Writes made by this process are forgotten at once
    (:meth:`forget`). Whenever the watching connection is not subscribed (not yet, Redis away, a
    Redis that refuses ``CLIENT TRACKING``), the copy is empty and unused: every read goes to
    Redis, as without it. The thread starts after a read from Redis succeeds, and ends when its
    connection does; the next successful read starts another.
    """

    _all: dict[tuple, "WatchedKeys"] = {}  # this process's, by Redis server and prefix

    @classmethod
    def of(cls, backend: RedisCache, prefix: str) -> "WatchedKeys":
        """The copy of ``backend``'s keys under ``prefix`` (one per process)."""
        where = (*backend._servers, prefix)
        watched = cls._all.get(where)
        if watched is None:
            watched = cls(backend._cache.get_client().connection_pool, prefix)
            watched = cls._all.setdefault(where, watched)
        return watched

    @classmethod
    def on(cls, backend: RedisCache) -> list["WatchedKeys"]:
        """The copies of keys of ``backend``'s server (a write there may change them)."""
        servers = tuple(backend._servers)
        return [watched for where, watched in cls._all.items() if where[:-1] == servers]

    IDLE_SECONDS = 10.0  # a silent connection is pinged, and dropped if still silent after as long
    MAX_KEYS = 100_000  # forgotten all at once beyond this

    def __init__(self, connection_pool, prefix: str):
        self._pool = connection_pool
        self.prefix = prefix
        self._values: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self.epoch = 0  # moved by every invalidation
        self.live = False  # subscribed: the copy may be used (by the process that subscribed)
        self._pid = 0
        self.refused = False

    def get_many(self, names: list[str]) -> list | None:
        """The values of ``names`` if the copy holds them all, else None (ask Redis)."""
        if not self.live or self._pid != os.getpid():  # not a copy inherited through fork
            return None
        values = self._values
        try:
            return [values[name] for name in names]
        except KeyError:
            return None

    def fill(self, names: list[str], values: list, epoch: int) -> None:
        """Keep values read from Redis since ``epoch`` was read (not if an invalidation came in
        between), and watch Redis if this process does not yet."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            self._start()
        with self._lock:
            if not self.live or epoch != self.epoch or self._pid != os.getpid():
                return
            if len(self._values) > self.MAX_KEYS:
                self._values.clear()
            self._values.update(
                (name, value) for name, value in zip(names, values, strict=True) if value
            )

    def forget(self, names: Iterable[str]) -> None:
        """This process wrote ``names``: read them from Redis next time."""
        with self._lock:
            self.epoch += 1
            for name in names:
                self._values.pop(name, None)

    def clear(self) -> None:
        """Forget every copied key (the keys were deleted here: a flushed cache)."""
        with self._lock:
            self.epoch += 1
            self._values.clear()

    def stop(self) -> None:
        """End the watching thread (and use the copy no more)."""
        self.refused = True
        self._stopped.set()

    def _after_fork(self) -> None:
        """In a forked process: no thread watches for it yet, and a lock the parent's thread held
        at the fork would never be released here."""
        self._lock = threading.Lock()
        self._thread = None
        self._values = {}
        self.live = False

    def _start(self) -> None:
        with self._lock:
            thread = self._thread
            if self.refused or (thread is not None and thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._watch, name="redis-key-watch", daemon=True)
            self._thread.start()

    def _watch(self) -> None:
        connection = None
        try:
            # RESP2: invalidations arrive as messages of a subscribed connection.
            options = {
                **self._pool.connection_kwargs,
                "protocol": 2,
                "socket_timeout": None,
                "maint_notifications_config": MaintNotificationsConfig(enabled=False),
            }
            connection = self._pool.connection_class(**options)
            connection.connect()
            connection.send_command("CLIENT", "ID")
            own = connection.read_response()
            connection.send_command(
                "CLIENT", "TRACKING", "ON", "REDIRECT", own, "BCAST", "PREFIX", self.prefix
            )
            connection.read_response()
            connection.send_command("SUBSCRIBE", "__redis__:invalidate")
            connection.read_response()
            with self._lock:
                self.epoch += 1
                self._values.clear()
                self._pid = os.getpid()
                self.live = True
            self._listen(connection)
        except (*UNAVAILABLE, OSError) as exc:
            _warn(exc)
        except RedisError as exc:  # CLIENT TRACKING unknown or not allowed here
            self.refused = True
            logger.warning("Redis refuses key tracking; page versions are read every time: %s", exc)
        finally:
            with self._lock:
                self.live = False
                self.epoch += 1
                self._values.clear()
            if connection is not None:
                connection.disconnect()

    def _listen(self, connection) -> None:
        pinged = False
        while not self._stopped.is_set():
            if not connection.can_read(timeout=self.IDLE_SECONDS):
                if pinged:
                    raise TimeoutError("Redis did not answer PING")
                connection.send_command("PING")
                pinged = True
                continue
            pinged = False
            message = connection.read_response()
            if not isinstance(message, list) or message[0] != b"message":
                continue  # the answer to PING
            names = message[2]
            with self._lock:
                self.epoch += 1
                if names is None:  # the database was flushed
                    self._values.clear()
                else:
                    for name in names:
                        self._values.pop(name.decode(), None)


os.register_at_fork(
    after_in_child=lambda: [watched._after_fork() for watched in WatchedKeys._all.values()]
)
