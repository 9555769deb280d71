#!/usr/bin/env bash
# Times `load_demo --articles N` on a fresh database, then a second (idempotent) run.
#   bench/load_demo.sh [N]                      # SQLite file in /tmp (default N=100000)
#   DATABASE_URL=postgres://…/portal_bench bench/load_demo.sh 100000   # that database is dropped
#                                               # and recreated: give it a name of its own
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
PY=.venv/bin/python
export DATABASE_URL=${DATABASE_URL:-sqlite:////tmp/portal_bench_load_demo.sqlite3}

case "$DATABASE_URL" in
  sqlite:*)
    file=${DATABASE_URL#sqlite://}
    rm -f "$file" "$file-wal" "$file-shm"
    ;;
  postgres*)
    name=${DATABASE_URL##*/}
    admin_url=${DATABASE_URL%/*}/postgres
    $PY - "$admin_url" "$name" <<'PYEOF'
import sys
import psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}"')
    conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PYEOF
    ;;
esac

echo "database: ${DATABASE_URL%%:*}, articles: $N, $(nproc) cores"
$PY manage.py migrate --no-input -v 0
# Wall time depends on what else shares the 2 cores, hence the baseline (the generator alone, same
# run) and the ratio to it; user+sys CPU is this process only (PostgreSQL's own work is not in it).
times=$(mktemp)
timed() {
  local label=$1; shift
  /usr/bin/time -o "$times" -f "%e %U %S %M" "$@"
  read -r wall user sys rss < "$times"
  echo "$label: ${wall} s wall, ${user} s user + ${sys} s sys, peak RSS $((rss / 1024)) MB," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
  LAST=$wall
}
timed "generator alone (baseline)" $PY -c "
from hitech_portal.demo import generate_articles
for _ in generate_articles($N): pass"
base=$LAST
timed "load_demo --articles $N (fresh)" $PY manage.py load_demo --articles "$N" -v 0
fresh=$LAST
timed "load_demo --articles $N (again: adds nothing)" $PY manage.py load_demo --articles "$N" -v 0
again=$LAST
rm -f "$times"
echo "ratio to baseline: fresh $(echo "scale=2; $fresh / $base" | bc)×, again $(echo "scale=2; $again / $base" | bc)×"
$PY manage.py shell -v 0 -c "
from articles.models import Article, Tag
print(f'articles={Article.objects.count()} tags={Tag.objects.count()} tag_links={Article.tags.through.objects.count()}')"
