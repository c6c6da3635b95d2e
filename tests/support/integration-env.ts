import pg from "pg";
import { createTestDatabase } from "./databases.ts";
import { applyTestEnv } from "./test-env.ts";

/** A syntactically valid French test IBAN (the demo's too): issuing needs the seller's bank account. */
export const TEST_BANK_ACCOUNT = { iban: "FR7630006000011234567890189", bic: "AGRIFRPP", accountName: "Association Aurore" };

// Before the test file imports the app: its own database, the shared test Redis.
const url = await createTestDatabase("int");
// Each test database is a service already set up, as the demo is: its bank account entered in the rules.
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  await client.query(`INSERT INTO "ServiceSetting" (key, value, "updatedAt") VALUES ('sellerBankAccount', $1, now())`, [JSON.stringify(TEST_BANK_ACCOUNT)]);
} finally {
  await client.end();
}
applyTestEnv({ DATABASE_URL: url });
