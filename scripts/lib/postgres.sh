# shellcheck shell=bash
# Throw-away PostgreSQL server for the test suite. Sourced by .ci/run and scripts/test-postgres.sh.
#
#   pg_require   exit 1 with install instructions unless PostgreSQL's server binaries are present
#   pg_start     initdb a fresh cluster in a temp dir, start it on 127.0.0.1 (first free port from
#                55432), export BROADSIDE_TEST_POSTGRES, and stop + delete it when the shell exits
#   pg_stop      stop the server and delete its dir (idempotent; called by the EXIT trap)
#
# pg_start replaces any EXIT trap of the sourcing script.

# Debian keeps the server binaries (initdb, pg_ctl) off PATH, in /usr/lib/postgresql/<major>/bin;
# elsewhere (e.g. Homebrew) they are on PATH.
pg_bindir() {
  local major
  # shellcheck disable=SC2012 # directory names are plain version numbers
  major=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$major" ] && [ -x "/usr/lib/postgresql/$major/bin/initdb" ]; then
    echo "/usr/lib/postgresql/$major/bin"
  elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
  else
    return 1
  fi
}

pg_require() {
  PG_BIN=$(pg_bindir) || {
    echo "PostgreSQL server binaries (initdb, pg_ctl) not found." >&2
    echo "Install them: sudo apt-get install postgresql   (on Debian/Ubuntu)" >&2
    exit 1
  }
}

# initdb and pg_ctl refuse to run as root, so as root run them as the postgres OS user; from inside
# the cluster dir, because the caller's cwd (e.g. a 0700 temp clone) may be unreadable to postgres.
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    (cd "$PG_DIR" && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
      pg_as_owner "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m immediate -w >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
  fi
  PG_DIR=
}

pg_start() {
  pg_require
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/broadside-pg.XXXXXX")
  trap pg_stop EXIT   # bash also runs it when killed by SIGINT/SIGTERM/SIGHUP
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_DIR"; fi

  # --no-locale: same collation everywhere, and no dependence on which locales the machine has.
  pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale \
    --no-sync >"$PG_DIR/initdb.log" 2>&1 || {
    cat "$PG_DIR/initdb.log" >&2
    return 1
  }
  # Durability is pointless for a throw-away cluster; turning it off makes tests much faster.
  # The Unix socket goes into our own dir: /var/run/postgresql may not exist or be writable.
  cat >>"$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF

  # Take the first port from 55432 on that we can actually bind. Trying (rather than probing
  # first) also copes with another run grabbing the same port at the same moment.
  local port
  for port in $(seq 55432 55531); do
    if pg_as_owner "$PG_BIN/pg_ctl" start -D "$PG_DIR/data" -o "-p $port" -l "$PG_DIR/server.log" \
      -w -t 60 >/dev/null 2>&1; then
      break
    fi
    if ! grep -q 'could not bind\|could not create any TCP/IP sockets' "$PG_DIR/server.log" 2>/dev/null; then
      cat "$PG_DIR/server.log" >&2 2>/dev/null
      echo "PostgreSQL failed to start (see above)" >&2
      return 1
    fi
    : >"$PG_DIR/server.log"
    port=
  done
  [ -n "$port" ] || { echo "no free port in 55432-55531 for PostgreSQL" >&2; return 1; }

  local i
  for i in $(seq 1 30); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U postgres && break
    [ "$i" = 30 ] && { echo "PostgreSQL not ready after 30s" >&2; return 1; }
    sleep 1
  done

  export BROADSIDE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') ready at $BROADSIDE_TEST_POSTGRES"
}
