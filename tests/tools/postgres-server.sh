#!/usr/bin/env bash
# A real PostgreSQL server for the tests that need one (Debian's postgresql-15), on loopback only:
#   postgres-server.sh start DIR PORT   make a cluster in DIR (once), start it on 127.0.0.1:PORT,
#                                       with a database `lineage`; the superuser `postgres` has
#                                       the password `postgres` (scram-sha-256). PORT `free`: a
#                                       free port, chosen once and kept in DIR/port (a restart
#                                       takes the same one)
#   postgres-server.sh halt DIR         stop it, keeping DIR (start starts it again: a server
#                                       that goes away and comes back)
#   postgres-server.sh stop DIR         stop it and remove DIR
# The server runs as the user `postgres` when this runs as root (it refuses root), else as the
# user who runs it. CTest starts and stops it around the tests that need it (the fixture
# `postgres` in tests/CMakeLists.txt).
set -euo pipefail

cmd=${1:?start or stop}
dir=${2:?the folder of the cluster}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "postgres-server.sh: PostgreSQL is not installed (Debian package postgresql-15; bash .ci/install-deps --test installs it)" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
halt)
  as_owner "$bin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null
  ;;
stop)
  if [ -f "$dir/data/PG_VERSION" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  ;;
start)
  port=${3:?the port}
  mkdir -p "$dir"
  if [ "$port" = free ]; then
    if [ -s "$dir/port" ]; then
      port=$(cat "$dir/port")
    else
      port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      echo "$port" >"$dir/port"
    fi
  fi
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    echo postgres >"$dir/password"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir/password"
    as_owner "$bin/initdb" -D "$dir/data" -A scram-sha-256 --pwfile="$dir/password" -U postgres \
      --locale=C.UTF-8 --encoding=UTF8 >"$dir/initdb.log" 2>&1 ||
      { echo "postgres-server.sh: initdb failed:" >&2; tail -n 5 "$dir/initdb.log" >&2; exit 1; }
  fi
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null ||
      { echo "postgres-server.sh: the server did not start:" >&2; tail -n 5 "$dir/server.log" >&2; exit 1; }
  fi
  export PGPASSWORD=postgres
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qtAc "SELECT 1 FROM pg_database WHERE datname = 'lineage'" postgres | grep -q 1; then
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE lineage" postgres
  fi
  ;;
*)
  echo "postgres-server.sh: start or stop, not '$cmd'" >&2
  exit 2
  ;;
esac
