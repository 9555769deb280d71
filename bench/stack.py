"""Serve the site as in production and load it with wrk; every figure a ratio to a baseline.

    bench/stack.py pages    [--articles N]   # the page targets through one gunicorn
    bench/stack.py load     [--articles N]   # 60 s, 64 connections, editor saving, import running
    bench/stack.py scaleout [--articles N]   # nginx + one, then two gunicorn app servers
    bench/stack.py drill    [--articles N]   # nginx + two app servers, one killed mid-load

It uses the database and cache of the environment (``DATABASE_URL``, ``REDIS_URL``; SQLite and
the in-process cache without them), fills it up to ``--articles`` published articles
(``bench/public_pages.py``'s rows, in one category, search index rebuilt) and adds rows: point
it at a throw-away database. Servers listen on loopback ports 8175-8179 (``--port``: nginx
there, app servers on the next ports), production settings (``DEBUG=False``, whitenoise,
collected static files in a temporary folder). nginx is Debian's, run as this user with a
configuration written to a temporary folder: the same file the README's deployment section
shows.

- Baseline: a static file served by whitenoise through the same gunicorn, in the same run.
- Cached: the page cache answers (the page was requested once before). Uncached: the request
  carries a session cookie, so the page cache neither answers nor stores it and the view runs.
- ``load``, ``scaleout`` and ``drill`` run, while wrk loads the pages, an editor saving an
  article's summary through the model every 2 seconds (each save retires the pages that show
  the article: its own, its category's first page, home, search, feeds) and
  ``import_articles`` importing a generated file (each batch retires the lists it adds to).

Reports requests/s, p99 latency and non-2xx responses (wrk counts non-2xx-or-3xx; socket
errors are listed too), and each process's peak RSS where it matters.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
# Starts the background worker when the task framework is installed (manage.py db_worker).
WORKER = [PYTHON, "manage.py", "db_worker"]

NGINX_CONF = """\
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream portal {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 100m;
        location / {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A server that dies or refuses mid-request: try the next one, readers see no error.
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 1s;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""


def environment(tmp: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="False",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="False",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(tmp / "static"),
        VIEW_COUNT_BUFFER=str(tmp / "view_counts.sqlite3"),
        CACHE_DIR=str(tmp / "cache"),
        LOG_LEVEL="ERROR",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)


def fill(env: dict, articles: int) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, "bench")
        import public_pages
        from articles.models import Article
        had = Article.objects.count()
        public_pages.fill({articles})
        if Article.objects.count() != had:
            from django.core.management import call_command
            call_command("rebuild_search_index")
        from django.db import connection
        with connection.cursor() as cursor:  # fresh statistics after earlier runs' imports
            cursor.execute("ANALYZE")
        """
    )
    subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True)


class Gunicorn:
    def __init__(self, env: dict, port: int, workers: int):
        self.port = port
        control = Path(env["STATIC_ROOT"]).parent / f"gunicorn-{port}.ctl"
        self.process = subprocess.Popen(
            [GUNICORN, "hitech_portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
             "--access-logfile", "/dev/null", "--graceful-timeout", "5",
             "--control-socket", str(control)],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        wait_for(f"http://127.0.0.1:{port}/robots.txt")

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)

    def kill(self) -> None:
        """As a crash would: SIGKILL the master and its workers."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


class Nginx:
    def __init__(self, tmp: Path, port: int, upstreams: list[int]):
        self.tmp = tmp / f"nginx-{port}-{len(upstreams)}"
        self.tmp.mkdir()
        servers = "\n".join(
            f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in upstreams
        )
        self.conf = self.tmp / "nginx.conf"
        self.conf.write_text(NGINX_CONF.format(tmp=self.tmp, servers=servers, port=port))
        self.process = subprocess.Popen(
            ["nginx", "-c", str(self.conf), "-p", str(self.tmp), "-g", "daemon off;"],
            start_new_session=True,
        )
        wait_for(f"http://127.0.0.1:{port}/robots.txt")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)
        self.process.wait(timeout=30)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(pid)], capture_output=True, text=True)
    own = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True)
    return sum(int(n) for n in (out.stdout + own.stdout).split()) / 1024


ROTATE_LUA = """
local paths, i = {}, 0
for line in io.lines(os.getenv("URLS")) do if line ~= "" then paths[#paths + 1] = line end end
request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end
"""


def wrk(url: str, seconds: int, connections: int, headers=(), urls=None, tmp=None) -> dict:
    """Run wrk and answer requests/s, p99 ms, non-2xx/3xx and socket errors."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for header in headers:
        command += ["-H", header]
    env = dict(os.environ)
    if urls:
        (tmp / "urls.txt").write_text("\n".join(urls) + "\n")
        (tmp / "rotate.lua").write_text(ROTATE_LUA)
        command += ["-s", str(tmp / "rotate.lua")]
        env["URLS"] = str(tmp / "urls.txt")
    run = subprocess.run([*command, url], capture_output=True, text=True, env=env)
    out = run.stdout
    if "Requests/sec" not in out:
        raise RuntimeError(f"wrk {url}: {out} {run.stderr}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rate,
        "p99": float(p99.group(1)) * scale,
        "non2xx": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1).strip() if errors else "",
    }


def pages(env: dict) -> dict:
    """The paths the benches load, from the filled database."""
    code = textwrap.dedent(
        """
        import json
        from django.templatetags.static import static
        from articles.models import Category
        category = Category.objects.order_by("sort_order", "id").first()
        published = category.articles.published().order_by("-published_at", "-id")
        count = published.count()
        middle = published[count // 2]
        print(json.dumps({
            "static": static("css/site.css"),
            "home": "/",
            "category": category.get_absolute_url(),
            "category p2000": category.get_absolute_url() + "?page=" + str(min(2000, count // 20)),
            "article": middle.get_absolute_url(),
            "search": "/search/?q=%E9%AB%98%E6%96%B0%E5%8C%BA",  # 高新区
            "tag": "/tags/" + middle.tags.first().slug + "/",
            "feed": "/feeds/latest.xml",
            "indicators": "/indicators/",
        }))
        """
    )
    import json

    out = subprocess.run(
        [PYTHON, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "hitech_portal.settings"},
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out)


class Editor(threading.Thread):
    """Saves one article every two seconds through the model, as the admin's form does."""

    CODE = textwrap.dedent(
        """
        import sys, time
        from django.db import OperationalError
        from articles.models import Article
        article = Article.objects.published().order_by("-published_at").first()
        saves, failed, slowest = 0, [], 0.0
        deadline = time.monotonic() + float(sys.argv[1])
        while time.monotonic() < deadline:
            article.summary = f"编辑第{saves}次修改：国家高新区贡献了全国两成以上的工业增加值。"
            began = time.monotonic()
            try:
                article.save()
                saves += 1
            except OperationalError as error:  # e.g. SQLite's lock held past its timeout
                failed.append(str(error))
            slowest = max(slowest, time.monotonic() - began)
            time.sleep(2)
        print(f"{saves} saves, {len(failed)} failed {sorted(set(failed))}, slowest {slowest:.1f} s")
        """
    )

    def __init__(self, env: dict, seconds: float):
        super().__init__(daemon=True)
        self.env, self.seconds, self.saves = env, seconds, None

    def run(self):
        out = subprocess.run(
            [PYTHON, "-c", "import django; django.setup()\n" + self.CODE, str(self.seconds)],
            cwd=ROOT, env={**self.env, "DJANGO_SETTINGS_MODULE": "hitech_portal.settings"},
            capture_output=True, text=True,
        )  # fmt: skip
        self.saves = out.stdout.strip() if out.returncode == 0 else out.stderr[-300:]


class Import(threading.Thread):
    """Runs import_articles on a generated file while the pages are loaded."""

    def __init__(self, env: dict, tmp: Path, rows: int):
        super().__init__(daemon=True)
        seed = time.time_ns() % 1_000_000_007  # a file of its own: each run writes rows
        self.env, self.file, self.result = env, tmp / f"import-{seed}.csv", None
        subprocess.run(
            [PYTHON, "-m", "hitech_portal.demo", "--csv", str(self.file), "--rows", str(rows),
             "--seed", str(seed)],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip

    def run(self):
        began = time.monotonic()
        out = subprocess.run(
            [PYTHON, "manage.py", "import_articles", str(self.file), "--on-error", "skip"],
            cwd=ROOT, env=self.env, capture_output=True, text=True,
        )  # fmt: skip
        last = (out.stdout.strip().splitlines() or [""])[-1]
        self.result = f"{last} in {time.monotonic() - began:.0f} s"


def cmd_pages(args, env, tmp):
    paths = pages(env)
    server = Gunicorn(env, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    cookie = "Cookie: sessionid=uncached-bench-reader"
    plan = [("static file (baseline)", paths["static"], ())]
    for name in ("home", "category", "article", "search"):
        plan.append((f"cached {name}", paths[name], ()))
    for name in ("article", "category", "category p2000", "search"):
        plan.append((f"uncached {name}", paths[name], (cookie,)))
    try:
        for _, path, headers in plan:  # warm up: fill the page cache, open connections
            wrk(base + path, 2, 4, headers)
        results = {name: [] for name, _, _ in plan}
        for _ in range(args.rounds):  # interleaved: A B C … A B C …
            for name, path, headers in plan:
                results[name].append(wrk(base + path, args.seconds, args.connections, headers))
        rss = server.rss_mb()
    finally:
        server.stop()
    print(f"\n{describe(env)}; gunicorn -w {args.workers}; wrk -t2 -c{args.connections} "
          f"-d{args.seconds}s, {args.rounds} interleaved rounds (medians)")  # fmt: skip
    base_rps = median([r["rps"] for r in results[plan[0][0]]])
    print(f"{'page':26} {'req/s':>8} {'× static':>9} {'p99 ms':>8} {'non-2xx':>8}")
    for name, _, _ in plan:
        runs = results[name]
        rps = median([r["rps"] for r in runs])
        print(f"{name:26} {rps:8.0f} {rps / base_rps:9.3f} {median([r['p99'] for r in runs]):8.1f} "
              f"{sum(r['non2xx'] for r in runs):8d}")  # fmt: skip
    p1 = median([r["rps"] for r in results["uncached category"]])
    p2000 = median([r["rps"] for r in results["uncached category p2000"]])
    print(f"category page 2,000 costs {p1 / p2000:.2f}× page 1 (time per request)")
    print(f"gunicorn RSS (master + workers): {rss:.0f} MB")


def public_rotation(paths: dict) -> list[str]:
    names = ("home", "category", "category p2000", "article", "search", "tag", "feed", "indicators")
    return [paths[name] for name in names] + [paths["category"] + "?page=2"]


def cmd_load(args, env, tmp):
    paths = pages(env)
    server = Gunicorn(env, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    try:
        baseline = wrk(base + paths["static"], 10, args.connections)
        editor, importer = Editor(env, args.seconds), Import(env, tmp, args.import_rows)
        editor.start(), importer.start()
        result = wrk(base, args.seconds, args.connections, urls=public_rotation(paths), tmp=tmp)
        editor.join(), importer.join()
        rss = server.rss_mb()
    finally:
        server.stop()
    print(f"\n{describe(env)}; gunicorn -w {args.workers}; wrk -t2 -c{args.connections} "
          f"-d{args.seconds}s across {len(public_rotation(paths))} public pages")  # fmt: skip
    print(f"static file alone (10 s before): {baseline['rps']:.0f} req/s")
    print(f"public pages under load: {result['rps']:.0f} req/s "
          f"({result['rps'] / baseline['rps']:.3f}× static), p99 {result['p99']:.1f} ms, "
          f"non-2xx {result['non2xx']}, socket errors: {result['errors'] or 'none'}")  # fmt: skip
    print(f"meanwhile: editor {editor.saves}; import: {importer.result}")
    print(f"gunicorn RSS (master + workers): {rss:.0f} MB")


def app_servers(args, env, count):
    extra = {"NUM_PROXIES": "1"}
    return [Gunicorn({**env, **extra}, args.port + 1 + n, args.workers) for n in range(count)]


def cmd_scaleout(args, env, tmp):
    paths = pages(env)
    worker = None
    if "db_worker" in subprocess.run(
        [PYTHON, "manage.py", "help", "--commands"], cwd=ROOT, env=env, capture_output=True,
        text=True,
    ).stdout:  # fmt: skip
        # >>> The background worker: started here once manage.py db_worker exists. <<<
        worker = subprocess.Popen(WORKER, cwd=ROOT, env=env, start_new_session=True)
    table = {}
    rss = {}
    try:
        for count in (1, 2):
            servers = app_servers(args, env, count)
            proxy = Nginx(tmp, args.port, [s.port for s in servers])
            base = f"http://127.0.0.1:{args.port}"
            try:
                for path in paths.values():
                    wrk(base + path, 1, 4)
                editor = Editor(env, args.seconds * 10)
                importer = Import(env, tmp, args.import_rows)
                editor.start(), importer.start()
                for name in ("static", "home", "category", "category p2000", "article", "search"):
                    table[(name, count)] = wrk(base + paths[name], args.seconds, args.connections)
                table[("rotation", count)] = wrk(
                    base, args.seconds, args.connections, urls=public_rotation(paths), tmp=tmp
                )
                rss[count] = [s.rss_mb() for s in servers]
                editor.join(), importer.join()
                meanwhile = f"editor {editor.saves}; import {importer.result}"
                table[("meanwhile", count)] = meanwhile
            finally:
                proxy.stop()
                for server in servers:
                    server.stop()
        worker_rss = rss_mb(worker.pid) if worker else None
    finally:
        if worker:
            worker.terminate()
            worker.wait()
    print(f"\n{describe(env)}; nginx → gunicorn -w {args.workers} each; wrk -t2 "
          f"-c{args.connections} -d{args.seconds}s a page")  # fmt: skip
    print(f"{'page':16} {'1 server req/s':>15} {'p99 ms':>8} {'2 servers req/s':>16} "
          f"{'p99 ms':>8} {'non-2xx':>8}")  # fmt: skip
    for name in ("static", "home", "category", "category p2000", "article", "search", "rotation"):
        one, two = table[(name, 1)], table[(name, 2)]
        print(f"{name:16} {one['rps']:15.0f} {one['p99']:8.1f} {two['rps']:16.0f} "
              f"{two['p99']:8.1f} {one['non2xx'] + two['non2xx']:8d}")  # fmt: skip
    for count in (1, 2):
        print(
            f"{count} server(s), meanwhile: {table[('meanwhile', count)]}; "
            f"app server RSS: {', '.join(f'{r:.0f} MB' for r in rss[count])}"
        )
    if worker_rss:
        print(f"background worker RSS: {worker_rss:.0f} MB")
    else:
        print("no db_worker command: no background worker")


def cmd_drill(args, env, tmp):
    paths = pages(env)
    servers = app_servers(args, env, 2)
    proxy = Nginx(tmp, args.port, [s.port for s in servers])
    base = f"http://127.0.0.1:{args.port}"
    try:
        for path in public_rotation(paths):
            wrk(base + path, 1, 4)
        killer = threading.Timer(args.seconds / 2, servers[0].kill)
        killer.start()
        result = wrk(base, args.seconds, args.connections, urls=public_rotation(paths), tmp=tmp)
        killer.join()
        after = wrk(base, 5, args.connections, urls=public_rotation(paths), tmp=tmp)
    finally:
        proxy.stop()
        for server in servers:
            server.stop()
    print(f"\n{describe(env)}; nginx → 2 × gunicorn -w {args.workers}; app server on "
          f":{servers[0].port} SIGKILLed (master and workers) {args.seconds / 2:.0f} s into a "
          f"{args.seconds} s wrk run at {args.connections} connections")  # fmt: skip
    print(f"during: {result['rps']:.0f} req/s, p99 {result['p99']:.1f} ms, "
          f"non-2xx {result['non2xx']}, socket errors: {result['errors'] or 'none'}")  # fmt: skip
    print(f"after, one server left: {after['rps']:.0f} req/s, non-2xx {after['non2xx']}, "
          f"socket errors: {after['errors'] or 'none'}")  # fmt: skip


def describe(env: dict) -> str:
    database = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    cache = "Redis" if env.get("REDIS_URL") else "file cache"
    return f"{database} + {cache}, {env['BENCH_ARTICLES']} articles"


def median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["pages", "load", "scaleout", "drill"])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8175)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=None)
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--import-rows", type=int, default=20000)
    args = parser.parse_args()
    defaults = {"pages": (16, 8), "load": (64, 60), "scaleout": (64, 10), "drill": (64, 20)}
    args.connections = args.connections or defaults[args.mode][0]
    args.seconds = args.seconds or defaults[args.mode][1]
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (apt-get install -y {tool})")
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        tmp = Path(folder)
        env = environment(tmp, BENCH_ARTICLES=str(args.articles))
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        fill(env, args.articles)
        {"pages": cmd_pages, "load": cmd_load, "scaleout": cmd_scaleout, "drill": cmd_drill}[
            args.mode
        ](args, env, tmp)


if __name__ == "__main__":
    main()
