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
    PRISMA_SCHEMA_ENGINE_BINARY=${PRISMA_SCHEMA_ENGINE_BINARY:-$(command -v true)} npx prisma generate >/dev/null
    touch app/generated/prisma/client.ts
  fi
}
