# Shared by the scripts: load the URLs of the local services, generate the client.

# Start the project's PostgreSQL and Redis (profile SERVICES_PROFILE, default dev)
# unless DATABASE_URL and REDIS_URL are both set, then export their URLs.
use_services() {
  if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
    bash scripts/services.sh start
    set -a; source ".data/${SERVICES_PROFILE:-dev}/env"; set +a
  fi
}

# Prisma's CLI wants a native schema engine it cannot download here, though
# `generate` never runs it: any executable satisfies the check.
generate_client() {
  if [ ! -f app/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt app/generated/prisma/client.ts ]; then
    PRISMA_SCHEMA_ENGINE_BINARY=${PRISMA_SCHEMA_ENGINE_BINARY:-$(type -P true)} npx prisma generate >/dev/null
    touch app/generated/prisma/client.ts
  fi
}

# Install npm dependencies when missing or older than the lockfile.
ensure_node_modules() {
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 20 ]; then echo "Node.js 20 or later is required (found $(node -v))." >&2; exit 1; fi
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing npm dependencies…"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}


# Debian's Chromium for the browser tests (Playwright's own download cannot work offline).
ensure_chromium() {
  [ -n "${CHROMIUM_PATH:-}" ] && return 0
  for c in /usr/bin/chromium /usr/bin/chromium-browser; do [ -x "$c" ] && { export CHROMIUM_PATH=$c; return 0; }; done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Chromium (Debian package) for the browser tests…"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    export CHROMIUM_PATH=/usr/bin/chromium
  else
    echo "Chromium is missing: sudo apt-get install -y chromium (or set CHROMIUM_PATH)." >&2
    exit 1
  fi
}
