#!/usr/bin/env bash
# Runs every test of the product: builds the solution (warnings are errors) and runs each test project
# against real parts (SQLite files in temp folders, the real web host, Debian's Chromium), then the application
# and web suites again on a throw-away PostgreSQL 15 cluster the script starts and removes. Screenshots of the
# main pages land in artifacts/screenshots. Ends with one summary line: "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

# The browser tests drive Debian's Chromium with a CJK font (without one, Chinese renders as empty boxes).
# Installed here when absent; a test tool is never allowed to download a browser of its own.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei"; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# The cluster tests put two real nodes behind the shipped proxy configs (haproxy runs them, nginx checks its own).
if [ ! -x /usr/sbin/haproxy ] || [ ! -x /usr/sbin/nginx ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy nginx >/dev/null
fi

# PostgreSQL 15 from Debian when absent; its binaries are not on PATH in Debian's layout.
pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin 2>/dev/null | head -1 || true)
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then echo "$found"
  elif command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"
  fi
}
if [ -z "$(pg_bin)" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
pgbin=$(pg_bin)
if [ -z "$pgbin" ]; then
  echo "PostgreSQL's initdb was not found after installing postgresql" >&2
  exit 1
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres

# A throw-away cluster in a temporary folder: loopback only, trust auth, no fsync (its data is thrown away),
# enough connections for test hosts that each keep a pool. Stopped and deleted on exit, failed or not.
pgdir=$(mktemp -d /tmp/mediation-pg.XXXXXX)
chown postgres: "$pgdir"
# As the postgres user, from a folder it may enter (the checkout may be one it cannot).
as_postgres() { (cd "$pgdir" && runuser -u postgres -- "$@"); }
stop_postgres() {
  as_postgres "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
as_postgres "$pgbin/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$pgdir/initdb.log" 2>&1 \
  || { cat "$pgdir/initdb.log" >&2; exit 1; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pgport=""
for port in $(seq "${MEDIATION_TEST_PG_PORT:-5400}" 5999); do
  port_free "$port" || continue
  if as_postgres "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
      -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500" \
      start >/dev/null; then
    pgport=$port
    break
  fi
done
if [ -z "$pgport" ]; then
  echo "The test PostgreSQL cluster did not start:" >&2
  cat "$pgdir/server.log" >&2 || true
  exit 1
fi
# Every test project may use it (the suites' second pass, and tests that need PostgreSQL whatever the pass).
export MEDIATION_TEST_POSTGRES="Host=127.0.0.1;Port=${pgport};Username=postgres"
echo "test PostgreSQL cluster: 127.0.0.1:${pgport} ($("$pgbin/postgres" --version))"

# Sums a test log: "passed failed" (a crashed test host ends its run early: each aborted run counts as a failure).
count() {
  local passed failed aborted
  passed=$(grep -oE 'Passed: +[0-9]+' "$1" | awk '{s+=$2} END {print s+0}')
  failed=$(grep -oE 'Failed: +[0-9]+' "$1" | awk '{s+=$2} END {print s+0}')
  aborted=$(grep -c 'Test Run Aborted' "$1" || true)
  if [ "$aborted" -ne 0 ]; then
    echo "${aborted} test run(s) aborted in $2: a test host crashed (see above)" >&2
  fi
  echo "$passed" "$((failed + aborted))"
}

start=$SECONDS
dotnet build Mediation.sln -c Release --nologo -v quiet
built=$((SECONDS - start))

sqlite_log=$(mktemp)
postgres_log=$(mktemp)
status=0
start=$SECONDS
dotnet test Mediation.sln -c Release --no-build --nologo 2>&1 | tee "$sqlite_log" || status=$?
sqlite_took=$((SECONDS - start))

# The suites that touch the database, again on PostgreSQL; tests about SQLite itself are marked Provider=Sqlite.
start=$SECONDS
for project in tests/Mediation.Application.Tests tests/Mediation.Web.Tests; do
  MEDIATION_TEST_PROVIDER=postgres dotnet test "$project" -c Release --no-build --nologo --filter "Provider!=Sqlite" 2>&1 | tee -a "$postgres_log" || status=$?
done
postgres_took=$((SECONDS - start))

read -r sqlite_passed sqlite_failed < <(count "$sqlite_log" "the SQLite pass")
read -r postgres_passed postgres_failed < <(count "$postgres_log" "the PostgreSQL pass")
rm -f "$sqlite_log" "$postgres_log"
passed=$((sqlite_passed + postgres_passed))
failed=$((sqlite_failed + postgres_failed))
echo "took: build ${built}s, SQLite pass ${sqlite_took}s, PostgreSQL pass ${postgres_took}s"
echo "by provider: SQLite (every project) ${sqlite_passed} passed, ${sqlite_failed} failed; PostgreSQL (application, web) ${postgres_passed} passed, ${postgres_failed} failed"
echo "tests: ${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$sqlite_passed" -eq 0 ] || [ "$postgres_passed" -eq 0 ]; then
  exit 1
fi
