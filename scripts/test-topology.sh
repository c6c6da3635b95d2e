#!/usr/bin/env bash
# npm run test:topology: the app on a real multi-node topology, on this one machine
# (outside npm test): a six-node Redis Cluster (3 masters, 3 replicas), a
# PostgreSQL primary and its streaming replica, HAProxy (deploy/haproxy/conciergerie.cfg)
# in front of two web processes, two workers, the Stripe and PA doubles.
# tests/topology/run.ts drives the whole chain over HTTP, kills a web process,
# a worker and a Redis master, stops the replica for a while, checks the
# invariants, then saturates the web processes and the workers (capacity
# figures), prints the figures and exits non-zero when an invariant fails.
# Ports: Redis 7101-7106, PostgreSQL 55441-55442, proxy and web 8141-8149
# (TOPO_REDIS_BASE, TOPO_PG_BASE, TOPO_HTTP_BASE move them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib.sh
ensure_node_modules
IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1
REDIS_BASE=${TOPO_REDIS_BASE:-7101}; PG_BASE=${TOPO_PG_BASE:-55441}; HTTP_BASE=${TOPO_HTTP_BASE:-8141}
DATA="$ROOT/.data/topology"
log() { echo "[topology] $*" >&2; }

# What it needs, from Debian when root.
pg_bindir() { for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do [ -x "$d/pg_basebackup" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done; return 1; }
missing=()
pg_bindir >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-server redis-tools)
command -v haproxy >/dev/null || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  if [ $IS_ROOT = 1 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]} (Debian packages)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing: ${missing[*]} (sudo apt-get install -y ${missing[*]})" >&2; exit 1
  fi
fi
PGBIN=$(pg_bindir)

pids=()
cleanup() {
  log "stopping the topology"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$DATA"/redis/*/pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR/replica" -m immediate stop >/dev/null 2>&1 || true
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR/primary" -m immediate stop >/dev/null 2>&1 || true
}
as_pg() { if [ $IS_ROOT = 1 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# A fresh topology each run: nothing left from the last one.
for f in "$DATA"/redis/*/pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
if [ $IS_ROOT = 1 ]; then PGDATA_DIR=/var/lib/conciergerie/topology-$(echo -n "$ROOT" | sha1sum | cut -c1-10); else PGDATA_DIR=$DATA/pg; fi
for node in primary replica; do as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR/$node" -m immediate stop >/dev/null 2>&1 || true; done
rm -rf "$DATA" "$PGDATA_DIR"; mkdir -p "$DATA/redis" "$DATA/logs"
trap cleanup EXIT

log "building the app"
generate_client
nice npm run -s build >"$DATA/logs/build.log" 2>&1 || { tail -20 "$DATA/logs/build.log"; exit 1; }

log "starting a Redis Cluster on ports $REDIS_BASE-$((REDIS_BASE + 5))"
nodes=()
for i in 0 1 2 3 4 5; do
  port=$((REDIS_BASE + i)); dir="$DATA/redis/$port"; mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/pid" --logfile "$dir/log" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
    --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --save ""
  nodes+=("127.0.0.1:$port")
done
for i in 0 1 2 3 4 5; do until redis-cli -p $((REDIS_BASE + i)) ping >/dev/null 2>&1; do sleep 0.1; done; done
redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$DATA/logs/cluster-create.log" 2>&1 || { cat "$DATA/logs/cluster-create.log"; exit 1; }
for i in $(seq 1 100); do
  ok=1; for n in "${nodes[@]}"; do redis-cli -p "${n#*:}" cluster info | grep -q "cluster_state:ok" || ok=0; done
  [ $ok = 1 ] && break; sleep 0.2
done
[ $ok = 1 ] || { echo "the Redis Cluster did not reach cluster_state:ok" >&2; exit 1; }

log "starting a PostgreSQL primary on $PG_BASE and its streaming replica on $((PG_BASE + 1))"
mkdir -p "$PGDATA_DIR"; [ $IS_ROOT = 1 ] && chown postgres: "$PGDATA_DIR"
as_pg "$PGBIN/initdb" -D "$PGDATA_DIR/primary" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DATA/logs/initdb.log" 2>&1
cat >>"$PGDATA_DIR/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_BASE
unix_socket_directories = '$PGDATA_DIR'
max_connections = 300
timezone = 'UTC'
wal_level = replica
max_wal_senders = 5
hot_standby_feedback = on
CONF
as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR/primary" -l "$PGDATA_DIR/primary.log" -w start >/dev/null
PRIMARY_URL="postgresql://postgres@127.0.0.1:$PG_BASE/conciergerie"
REPLICA_URL="postgresql://postgres@127.0.0.1:$((PG_BASE + 1))/conciergerie"
as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PG_BASE" -U postgres -qc "CREATE DATABASE conciergerie" >/dev/null
log "migrating and seeding the primary"
DATABASE_URL=$PRIMARY_URL npx tsx scripts/db/cli.ts migrate >"$DATA/logs/migrate.log" 2>&1 || { cat "$DATA/logs/migrate.log"; exit 1; }
DATABASE_URL=$PRIMARY_URL REDIS_URL=redis://127.0.0.1:$REDIS_BASE SESSION_SECRET=topology-session-secret-long-enough-0123456789 \
  node --import tsx prisma/seed.ts >"$DATA/logs/seed.log" 2>&1 || { tail -20 "$DATA/logs/seed.log"; exit 1; }
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PG_BASE" -U postgres -D "$PGDATA_DIR/replica" -R -X stream -c fast
sed -i "s/^port = .*/port = $((PG_BASE + 1))/" "$PGDATA_DIR/replica/postgresql.conf"
# Ports here sit in the ephemeral range: a port briefly held by an outgoing connection gets a second try.
for try in 1 2 3; do as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR/replica" -l "$PGDATA_DIR/replica.log" -w start >/dev/null && break; sleep 2; done
[ "$(as_pg "$PGBIN/psql" -h 127.0.0.1 -p $((PG_BASE + 1)) -U postgres -Atc 'SELECT pg_is_in_recovery()')" = t ] || { echo "the replica is not in recovery" >&2; exit 1; }

export TOPO_DATA=$DATA TOPO_HTTP_BASE=$HTTP_BASE TOPO_REDIS_NODES=$(IFS=,; echo "${nodes[*]}")
export TOPO_PRIMARY_URL=$PRIMARY_URL TOPO_REPLICA_URL=$REPLICA_URL
# The driver stops and starts the replica through these.
export TOPO_REPLICA_STOP="$( [ $IS_ROOT = 1 ] && echo "runuser -u postgres -- " )$PGBIN/pg_ctl -D $PGDATA_DIR/replica -m fast -w stop"
export TOPO_REPLICA_START="$( [ $IS_ROOT = 1 ] && echo "runuser -u postgres -- " )$PGBIN/pg_ctl -D $PGDATA_DIR/replica -l $PGDATA_DIR/replica.log -w start"
log "running the driver (tests/topology/run.ts)"
nice npx tsx tests/topology/run.ts
