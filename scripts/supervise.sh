#!/usr/bin/env bash
# Keeps one process of the demo running (npm run demo starts the web server,
# the worker and the Stripe double each under one): starts it and, when it
# dies without being asked (a crash, kill -9), logs it and starts it again
# after a growing delay: 1 s, 2 s, 4 s ... up to 30 s, back to 1 s once it
# has run for a minute. SIGTERM stops the process, then the supervisor.
#   scripts/supervise.sh NAME COMMAND [ARGS...]
# Production uses systemd for the same (deploy/systemd/, README.md).
set -uo pipefail
name=$1
shift
first_delay=${SUPERVISE_FIRST_DELAY:-1}
max_delay=${SUPERVISE_MAX_DELAY:-30}
healthy_after=${SUPERVISE_HEALTHY_AFTER:-60}
delay=$first_delay
child=
stopping=

log() { echo "[supervise] $(date -u +%FT%TZ) $name $*" >&2; }
stop() {
  stopping=1
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT HUP

while :; do
  started=$SECONDS
  "$@" &
  child=$!
  log "started (pid $child)"
  wait "$child"
  code=$?
  # A signal to the supervisor interrupts `wait`: let the child finish stopping.
  while [ -n "$stopping" ] && kill -0 "$child" 2>/dev/null; do wait "$child"; done
  if [ -n "$stopping" ]; then
    log "stopped"
    exit 0
  fi
  [ $((SECONDS - started)) -ge "$healthy_after" ] && delay=$first_delay
  log "exited (code $code); restarting in ${delay}s"
  child=
  sleep "$delay" &
  wait $! 2>/dev/null
  if [ -n "$stopping" ]; then
    log "stopped"
    exit 0
  fi
  delay=$((delay * 2 > max_delay ? max_delay : delay * 2))
done
