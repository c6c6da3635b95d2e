import { createTestDatabase, enterSellerBankAccount } from "./databases.ts";
import { applyTestEnv } from "./test-env.ts";

// Before the test file imports the app: its own database (a service set up: its bank account entered), the shared test Redis.
const url = await createTestDatabase("int");
await enterSellerBankAccount(url);
applyTestEnv({ DATABASE_URL: url });
