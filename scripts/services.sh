#!/usr/bin/env bash
# Start, stop or show the project's own PostgreSQL and Redis.
#   scripts/services.sh start|stop|status      (profile from SERVICES_PROFILE: dev or test)
# Data lives under .data/<profile>/ (ignored by git) on ports of their own, so a
# system PostgreSQL or Redis is never touched. When DATABASE_URL / REDIS_URL are
# already set, that service is left to whoever set it.
# Prints nothing but progress; writes .data/<profile>/env with the URLs to source.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PROFILE=${SERVICES_PROFILE:-dev}
case "$PROFILE" in
  dev) PG_PORT=${PG_PORT:-54329}; REDIS_PORT=${REDIS_PORT:-63799} ;;
  test) PG_PORT=${PG_PORT:-54339}; REDIS_PORT=${REDIS_PORT:-63809} ;;
  *) echo "SERVICES_PROFILE must be dev or test" >&2; exit 2 ;;
esac
DATA="$ROOT/.data/$PROFILE"
mkdir -p "$DATA"
IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1

log() { echo "[services:$PROFILE] $*" >&2; }

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

ensure_packages() {
  local missing=()
  pg_bindir >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $IS_ROOT = 1 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} (Debian packages)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # Debian starts a system cluster and Redis on install; ours run on their own ports.
  else
    echo "Missing: ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install -y ${missing[*]}) and run again." >&2
    exit 1
  fi
}

# As root, PostgreSQL runs as the `postgres` user; its data folder must be a
# place that user can reach. The checkout may sit in a folder it cannot enter.
as_pg() { if [ $IS_ROOT = 1 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_datadir() {
  if [ $IS_ROOT = 0 ] || runuser -u postgres -- test -w "$DATA" 2>/dev/null; then
    echo "$DATA/pg"
  else
    local key; key=$(echo -n "$ROOT" | sha1sum | cut -c1-10)
    echo "/var/lib/conciergerie/$key/$PROFILE/pg"
  fi
}

start_pg() {
  if [ -n "${DATABASE_URL:-}" ]; then log "DATABASE_URL is set: using it"; echo "DATABASE_URL=$DATABASE_URL" >>"$DATA/env.tmp"; return; fi
  local bin dir; bin=$(pg_bindir); dir=$(pg_datadir)
  if [ $IS_ROOT = 1 ]; then
    [ "$dir" = "$DATA/pg" ] && chown postgres: "$DATA" 2>/dev/null || true
    mkdir -p "$(dirname "$dir")"; chown postgres: "$(dirname "$dir")"
  fi
  if [ ! -s "$dir/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $dir"
    as_pg mkdir -p "$dir"
    as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DATA/initdb.log" 2>&1 ||
      { cat "$DATA/initdb.log" >&2; exit 1; }
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $PG_PORT"
      echo "unix_socket_directories = '$dir'"
      echo "max_connections = 200"
      echo "timezone = 'UTC'"
      if [ "$PROFILE" = test ]; then
        # Throwaway test data: durability buys nothing here and costs seconds.
        echo "fsync = off"; echo "synchronous_commit = off"; echo "full_page_writes = off"
      fi
    } | as_pg tee -a "$dir/postgresql.conf" >/dev/null
  fi
  if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    log "PostgreSQL already running on port $PG_PORT"
  else
    log "starting PostgreSQL on port $PG_PORT"
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null ||
      { tail -20 "$dir/server.log" >&2; exit 1; }
  fi
  local db=conciergerie; [ "$PROFILE" = test ] && db=conciergerie_test
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 ||
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
  echo "DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/$db" >>"$DATA/env.tmp"
}

stop_pg() {
  [ -n "${DATABASE_URL:-}" ] && return
  local bin dir; bin=$(pg_bindir) || return 0; dir=$(pg_datadir)
  [ -s "$dir/PG_VERSION" ] || return 0
  if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    log "stopping PostgreSQL"; as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
}

start_redis() {
  if [ -n "${REDIS_URL:-}" ]; then log "REDIS_URL is set: using it"; echo "REDIS_URL=$REDIS_URL" >>"$DATA/env.tmp"; return; fi
  mkdir -p "$DATA/redis"
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "Redis already running on port $REDIS_PORT"
  else
    log "starting Redis on port $REDIS_PORT"
    local persist=(--appendonly yes --appendfsync everysec)
    [ "$PROFILE" = test ] && persist=(--appendonly no --save "")
    # noeviction: BullMQ must never lose a job to memory pressure.
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$DATA/redis" \
      --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/redis/redis.log" \
      --maxmemory-policy noeviction "${persist[@]}"
    for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$REDIS_PORT" ping >/dev/null || { tail -20 "$DATA/redis/redis.log" >&2; exit 1; }
  fi
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT" >>"$DATA/env.tmp"
}

stop_redis() {
  [ -n "${REDIS_URL:-}" ] && return
  if command -v redis-cli >/dev/null && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "stopping Redis"; redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
  fi
}

case "${1:-}" in
  start)
    ensure_packages
    rm -f "$DATA/env.tmp"
    start_pg
    start_redis
    mv "$DATA/env.tmp" "$DATA/env"
    ;;
  stop) stop_redis; stop_pg ;;
  status)
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null || echo "redis: down"
    as_pg "$(pg_bindir)/pg_ctl" -D "$(pg_datadir)" status || true
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
