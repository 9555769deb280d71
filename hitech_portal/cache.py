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
import time
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError, TimeoutError

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
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

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
        return self._try("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("add", False, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._try("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._try("delete_many", None, keys, version)

    def clear(self):
        return self._try("clear", False)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            _warn(exc)
            raise ValueError(f"Key '{key}' not found: the cache is unavailable") from exc


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
