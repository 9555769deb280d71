"""Fault drills: stop PostgreSQL or Redis under load, kill an import mid-file, and measure.

Each drill starts its own PostgreSQL cluster and Redis server on private ports (never the
shared ones), loads demo content, serves the site with gunicorn as in production (DEBUG off)
and prints what readers and /healthz saw in each phase.

    .venv/bin/python bench/drills/drill.py postgres   # PostgreSQL stopped under load, then back
    .venv/bin/python bench/drills/drill.py redis      # Redis stopped under load, then back
    .venv/bin/python bench/drills/drill.py import     # import_articles killed mid-file (PG, SQLite)
    .venv/bin/python bench/drills/drill.py all

Ports (DRILL_PORT_BASE, default 8160): gunicorn +0, PostgreSQL +6, Redis +7. Needs Debian's
PostgreSQL server binaries (initdb, pg_ctl, run as the postgres user) and redis-server.
"""

import argparse
import collections
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BASE = int(os.environ.get("DRILL_PORT_BASE", "8160"))
WEB, PG, REDIS = BASE, BASE + 6, BASE + 7
PG_BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
URL = f"http://127.0.0.1:{WEB}"


def run(*command, env=None, check=True, user=None, **kwargs):
    if user:
        command = ("runuser", "-u", user, "--", *command)
    return subprocess.run(command, env=env, check=check, capture_output=True, text=True, **kwargs)


class Services:
    """A private PostgreSQL cluster, Redis server and gunicorn, in one temporary directory."""

    def __init__(self, page_cache_seconds: int):
        self.work = Path(tempfile.mkdtemp(prefix="portal-drill-"))
        os.chmod(self.work, 0o755)
        self.pgdata = self.work / "pg"
        self.env = {
            **os.environ,
            "DEBUG": "False",
            "SECRET_KEY": "drill-" + os.urandom(24).hex(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG}/portal",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS}/0",
            "PAGE_CACHE_SECONDS": str(page_cache_seconds),
            "STATIC_ROOT": str(self.work / "static"),
            "MEDIA_ROOT": str(self.work / "media"),
            "LOG_LEVEL": "ERROR",
        }
        self.gunicorn = None

    def start_postgres(self):
        if not self.pgdata.exists():
            self.pgdata.mkdir()
            shutil.chown(self.pgdata, "postgres", "postgres")
            run(str(PG_BIN / "initdb"), "-D", str(self.pgdata), "-A", "trust", "-U", "postgres",
                "--encoding=UTF8", "--locale=C.UTF-8", user="postgres")  # fmt: skip
        options = f"-p {PG} -k {self.pgdata} -c listen_addresses=127.0.0.1"
        run(str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-o", options, "-w", "-l",
            str(self.pgdata / "log"), "start", user="postgres")  # fmt: skip

    def stop_postgres(self):
        run(str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop",
            user="postgres")  # fmt: skip

    def start_redis(self):
        run("redis-server", "--port", str(REDIS), "--bind", "127.0.0.1", "--daemonize", "yes",
            "--save", "", "--appendonly", "no", "--pidfile", str(self.work / "redis.pid"),
            "--dir", str(self.work))  # fmt: skip
        wait_for(lambda: run("redis-cli", "-p", str(REDIS), "ping", check=False).stdout.strip()
                 == "PONG")  # fmt: skip

    def stop_redis(self):
        run("redis-cli", "-p", str(REDIS), "shutdown", "nosave", check=False)
        wait_for(lambda: run("redis-cli", "-p", str(REDIS), "ping", check=False).returncode)

    def manage(self, *args, env=None):
        return run(PYTHON, "manage.py", *args, env=env or self.env, cwd=ROOT)

    def prepare(self, articles: int = 200):
        run(str(PG_BIN.parent / "bin" / "createdb"), "-h", "127.0.0.1", "-p", str(PG), "-U",
            "postgres", "portal")  # fmt: skip
        self.manage("migrate", "--no-input")
        self.manage("load_demo", "--articles", str(articles))
        self.manage("collectstatic", "--no-input")

    def serve(self):
        self.gunicorn = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "hitech_portal.wsgi", "-b", f"127.0.0.1:{WEB}",
             "-w", "2", "--access-logfile", "/dev/null", "--timeout", "30"],  # fmt: skip
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: status("/robots.txt")[0] == 200, seconds=60)

    def close(self):
        if self.gunicorn:
            self.gunicorn.send_signal(signal.SIGTERM)
            self.gunicorn.wait(timeout=30)
        self.stop_redis()
        if (self.pgdata / "postmaster.pid").exists():
            self.stop_postgres()
        shutil.rmtree(self.work, ignore_errors=True)


def wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("timed out waiting")


def status(path, method="GET"):
    # A reader's browser: the view counter ignores crawlers, python-urllib among them.
    headers = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) drill"}
    request = urllib.request.Request(
        URL + quote(path, safe="/?=&%"), headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:  # refused, reset, timed out: the reader saw no page at all
        return f"no answer ({error.__class__.__name__})", b""


class Load:
    """Readers on the public pages, in threads, each answer noted with the phase it fell in."""

    def __init__(self, paths, threads=8):
        self.paths, self.threads = paths, threads
        self.phase = "before"
        self.seen = collections.defaultdict(collections.Counter)
        self.tracebacks = 0
        self.bodies = {}
        self.running = True
        self.workers = [threading.Thread(target=self.read, args=(i,)) for i in range(threads)]

    def read(self, offset):
        i = offset
        while self.running:
            path = self.paths[i % len(self.paths)]
            i += 1
            code, body = status(path)
            phase = self.phase
            self.seen[phase][code] += 1
            self.bodies.setdefault((phase, code), body)
            if b"Traceback" in body:
                self.tracebacks += 1

    def __enter__(self):
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        for worker in self.workers:
            worker.join()


def health_during(seconds, every=0.25):
    codes = collections.Counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        codes[status("/healthz")[0]] += 1
        time.sleep(every)
    return codes


PUBLIC_PATHS = ["/", "/category/zone-news/", "/indicators/", "/search/?q=高新区",
                "/zh-hant/", "/articles/1/", "/articles/2/", "/feeds/latest.xml",
                "/zh-hant/articles/3/"]  # fmt: skip
PHASES = ("before", "down", "back")


def report(title, rows):
    print(f"\n== {title}")
    for name, value in rows:
        print(f"  {name:<44} {value}")


def drill_postgres(args):
    services = Services(page_cache_seconds=0)  # every request reaches the database
    try:
        services.start_postgres()
        services.start_redis()
        services.prepare()
        services.serve()
        health = {}
        with Load(PUBLIC_PATHS) as load:
            health["before"] = health_during(args.phase)
            load.phase = "down"
            services.stop_postgres()
            stopped = time.monotonic()
            health["down"] = health_during(args.phase)
            services.start_postgres()  # returns once PostgreSQL accepts connections
            load.phase = "back"
            started = time.monotonic()
            wait_for(lambda: status("/healthz")[0] == 200, seconds=60)
            recovered = time.monotonic() - started
            health["back"] = health_during(args.phase)
        down_page = load.bodies.get(("down", 503), b"").decode()
        report("PostgreSQL stopped under load (gunicorn -w 2, 8 readers, page cache off)", [
            *((f"readers, {phase}", dict(load.seen[phase])) for phase in PHASES),
            *((f"/healthz, {phase}", dict(codes)) for phase, codes in health.items()),
            ("database down for (s)", f"{started - stopped:.1f}"),
            ("healthz 200 once PostgreSQL accepts connections (s)", f"{recovered:.2f}"),
            ("503 page is the friendly one", any(t in down_page for t in ("暂时无法", "暫時無法"))),
            ("answers with a traceback", load.tracebacks),
            ("gunicorn restarted", f"no (same process: {services.gunicorn.pid})"),
        ])  # fmt: skip
    finally:
        services.close()


def drill_redis(args):
    services = Services(page_cache_seconds=300)
    try:
        services.start_postgres()
        services.start_redis()
        services.prepare()
        services.serve()
        health, posts = {}, collections.Counter()
        article = "/articles/3/"
        before_count = json.loads(status(article + "view/", "POST")[1])["view_count"]
        posts["before"] += 1
        with Load(PUBLIC_PATHS) as load:
            health["before"] = health_during(args.phase / 2)
            load.phase = "down"
            services.stop_redis()
            for _ in range(20):
                code, _ = status(article + "view/", "POST")
                posts[f"down {code}"] += 1
            health["down"] = health_during(args.phase)
            load.phase = "back"
            services.start_redis()
            wait_for(lambda: status("/healthz")[0] == 200, seconds=60)
            health["back"] = health_during(args.phase / 2)
        after_count = json.loads(status(article + "view/", "POST")[1])["view_count"]
        counted = after_count - before_count  # the last POST counted itself too
        report("Redis stopped under load (gunicorn -w 2, 8 readers, page cache on)", [
            *((f"readers, {phase}", dict(load.seen[phase])) for phase in PHASES),
            *((f"/healthz, {phase}", dict(codes)) for phase, codes in health.items()),
            ("view-count POSTs while down", dict(posts)),
            ("reads counted of those 20 (+1 after)", counted),
            ("answers with a traceback", load.tracebacks),
        ])  # fmt: skip
    finally:
        services.close()


MB = 1024 * 1024


def postgres_bytes() -> int:
    """The private cluster's database on disk: grows as rows are written, committed or not."""
    import psycopg

    dsn = f"postgresql://postgres@127.0.0.1:{PG}/portal"
    with psycopg.connect(dsn) as connection:
        return connection.execute("SELECT pg_database_size('portal')").fetchone()[0]


def wal_bytes(database: Path) -> int:
    """SQLite's write-ahead log: a transaction's pages go there before it commits."""
    wal = Path(f"{database}-wal")
    return wal.stat().st_size if wal.exists() else 0


def counts(services, env) -> dict:
    """Rows per table (hitech_portal.backup.summary) of the database ``env`` names."""
    code = "import json; from hitech_portal.backup import summary; print(json.dumps(summary()))"
    return json.loads(services.manage("shell", "--no-imports", "-c", code, env=env).stdout)


def drill_import(args):
    services = Services(page_cache_seconds=300)
    try:
        services.start_postgres()
        services.start_redis()
        services.prepare(articles=0)
        sqlite = services.work / "drill.sqlite3"
        sqlite_env = {**services.env, "DATABASE_URL": f"sqlite:///{sqlite}"}
        services.manage("migrate", "--no-input", env=sqlite_env)
        csv = services.work / "文章.csv"
        run(PYTHON, "-m", "hitech_portal.demo", "--csv", str(csv), "--rows", str(args.rows),
            cwd=ROOT)  # fmt: skip
        rows = []
        for name, env, written in (
            ("PostgreSQL", services.env, postgres_bytes),
            ("SQLite", sqlite_env, lambda: wal_bytes(sqlite)),
        ):
            before = counts(services, env)
            baseline = written()
            process = subprocess.Popen(
                [PYTHON, "manage.py", "import_articles", str(csv)], cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            started = time.monotonic()
            # Kill once the import has written this much it has not committed: mid-file.
            while written() - baseline < args.kill_at_mb * MB and process.poll() is None:
                time.sleep(0.05)
            finished_first = process.poll() is not None
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed_at = time.monotonic() - started
            grown = (written() - baseline) / MB
            after = counts(services, env)
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            started = time.monotonic()
            done = services.manage("import_articles", str(csv), env=env).stdout.splitlines()[-1]
            rows += [
                (f"{name}: killed after (s)", f"{killed_at:.1f}"),
                (f"{name}: uncommitted writes when killed (MB)", f"{grown:.1f}"),
                (f"{name}: the import had finished first", finished_first),
                (f"{name}: tables changed by the killed run", changed or "none"),
                (f"{name}: the same file imported again", done),
                (f"{name}: ... which took (s)", f"{time.monotonic() - started:.1f}"),
            ]
        report(f"import_articles killed (SIGKILL) mid-file, {args.rows} rows", rows)
    finally:
        services.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drill", choices=["postgres", "redis", "import", "all"])
    parser.add_argument("--phase", type=float, default=10.0, help="seconds in each phase")
    parser.add_argument("--rows", type=int, default=20000, help="rows of the import drill")
    parser.add_argument(
        "--kill-at-mb", type=float, default=4.0, help="uncommitted MB written before SIGKILL"
    )
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the private PostgreSQL cluster runs as the postgres user")
    drills = {"postgres": drill_postgres, "redis": drill_redis, "import": drill_import}
    for name in drills if args.drill == "all" else [args.drill]:
        drills[name](args)


if __name__ == "__main__":
    main()
