import { defineConfig } from "prisma/config";

// DATABASE_URL comes from the environment (scripts/services.sh writes it for the
// local services). Migrations run through scripts/db/, not through the CLI:
// see README, "Database".
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/unset" },
});
