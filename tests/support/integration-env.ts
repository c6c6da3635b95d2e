import { createTestDatabase } from "./databases.ts";
import { applyTestEnv } from "./test-env.ts";

// Before the test file imports the app: its own database, the shared test Redis.
applyTestEnv({ DATABASE_URL: await createTestDatabase("int") });
