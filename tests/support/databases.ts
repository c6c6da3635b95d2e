import { randomBytes } from "node:crypto";
import pg from "pg";

// The test command (scripts/test.sh) migrates a template database once;
// each test file gets its own copy in about 100 ms, so files run in parallel.
export const TEMPLATE_DATABASE = "conciergerie_template";

function adminUrl(): string {
  const url = process.env.TEST_ADMIN_DATABASE_URL;
  if (!url) throw new Error("TEST_ADMIN_DATABASE_URL is not set: run the tests with `npm test`.");
  return url;
}

/** A syntactically valid French test IBAN (the demo's too): issuing needs the seller's bank account. */
export const TEST_BANK_ACCOUNT = { iban: "FR7630006000011234567890189", bic: "AGRIFRPP", accountName: "Association Aurore" };

export async function createTestDatabase(label: string): Promise<string> {
  const name = `t_${label.replace(/\W/g, "").slice(0, 20)}_${randomBytes(4).toString("hex")}`.toLowerCase();
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DATABASE}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** A service already set up, as the demo is: the association's bank account entered in its rules (no invoice is issued without). */
export async function enterSellerBankAccount(url: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`INSERT INTO "ServiceSetting" (key, value, "updatedAt") VALUES ('sellerBankAccount', $1, now()) ON CONFLICT (key) DO NOTHING`, [JSON.stringify(TEST_BANK_ACCOUNT)]);
  } finally {
    await db.end();
  }
}

/** Drops a database made by createTestDatabase (a benchmark's, once measured). */
export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^t_\w+$/.test(name)) throw new Error(`not a test database: ${name}`);
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A copy of a test database as it is now (nothing may be connected to it meanwhile). */
export async function copyTestDatabase(sourceUrl: string, label: string): Promise<string> {
  const source = new URL(sourceUrl).pathname.slice(1);
  const name = `t_${label.replace(/\W/g, "").slice(0, 20)}_${randomBytes(4).toString("hex")}`.toLowerCase();
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}
