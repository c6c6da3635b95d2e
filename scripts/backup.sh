#!/usr/bin/env bash
# PostgreSQL backup and restore, in PostgreSQL's custom format.
#   npm run db:backup -- FILE             dump DATABASE_URL to FILE
#   npm run db:restore -- FILE [URL]      restore FILE into URL (default DATABASE_URL), replacing what is there
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
tool() { local b; b=$(bindir); if [ -n "$b" ] && [ -x "$b/$1" ]; then echo "$b/$1"; else command -v "$1"; fi; }
cmd=${1:-}; file=${2:-}
[ -n "$file" ] || { echo "usage: scripts/backup.sh backup|restore FILE [URL]" >&2; exit 2; }
[ -n "${DATABASE_URL:-}" ] || use_services
case "$cmd" in
  backup)
    "$(tool pg_dump)" --format=custom --no-owner --no-privileges --file="$file" "$DATABASE_URL"
    echo "Backup written to $file ($(du -h "$file" | cut -f1))" ;;
  restore)
    target=${3:-$DATABASE_URL}
    "$(tool pg_restore)" --no-owner --no-privileges --clean --if-exists --exit-on-error --single-transaction -d "$target" "$file"
    echo "Restored $file" ;;
  *) echo "usage: scripts/backup.sh backup|restore FILE [URL]" >&2; exit 2 ;;
esac
