// Prisma's schema engine in WebAssembly, driven by the pg adapter, so that
// migrations work on machines that cannot download Prisma's native engine.
// This is the only module that touches @prisma/driver-adapter-utils (an internal
// package of Prisma): if Prisma changes it, this file is the one to mend.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { parse } from "pg-connection-string";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";

const require = createRequire(import.meta.url);
let loaded = false;

// The package's default entry imports the .wasm file as an ES module, which
// Node 20 refuses; instantiate it ourselves with the JS glue as imports.
async function loadWasm() {
  if (loaded) return;
  // Where the engine writes its panic message before it aborts: make it readable.
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
    set_message(message: string) {
      process.stderr.write(`Prisma schema engine panicked: ${message}\n`);
    },
  };
  // The .wasm file is not in the package's exports: find it beside the JS glue.
  const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm")), "schema_engine_bg.wasm");
  const module = await WebAssembly.compile(await readFile(wasmPath));
  const instance = await WebAssembly.instantiate(module, {
    "./schema_engine_bg.js": bindings as unknown as WebAssembly.ModuleImports,
  });
  const glue = bindings as unknown as { __wbg_set_wasm(w: unknown): void };
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as unknown as { __wbindgen_start(): void }).__wbindgen_start();
  loaded = true;
}

// Explicit fields, not a connectionString: the adapter makes its shadow database
// by overriding `database`, which a connectionString would silently win over
// (the "shadow" database would then be the real one).
function poolConfig(databaseUrl: string): pg.PoolConfig {
  const { host, user, password, database, port } = parse(databaseUrl);
  return {
    host: host ?? undefined,
    port: port ? Number(port) : undefined,
    user: user ?? undefined,
    password: password ?? undefined,
    database: database ?? undefined,
  };
}

// Two mends to the pg adapter for the schema engine's use.
// The engine reads pg_catalog columns of type "char" (oid 18) when it
// describes a schema, and the adapter has no mapping for it: let the adapter
// read them as text, then tell the engine they are characters, as it expects.
const CHAR_OID = 18;
const TEXT_OID = 25;
const CHARACTER_COLUMN = ColumnTypeEnum.Character;
type Field = { name: string; dataTypeID: number };
type PerformIO = (query: unknown) => Promise<{ fields: Field[] }>;
type QueryRaw = (query: unknown) => Promise<{ columnNames: string[]; columnTypes: number[] }>;
const charColumnsOfQuery = new AsyncLocalStorage<Set<string>>();
//
// The adapter's executeScript also splits a script on every ";", which breaks
// a function body ($$ ... ; ... $$): send the script whole, as the native
// engine does (one simple query, so PostgreSQL runs it as one transaction).
function patchAdapter<T extends object>(queryable: T): T {
  const target = queryable as unknown as {
    performIO: PerformIO;
    queryRaw?: QueryRaw;
    startTransaction?: (...a: unknown[]) => Promise<object>;
    executeScript?: (script: string) => Promise<void>;
    client: { query(sql: string): Promise<unknown> };
    onError(error: unknown): never;
  };
  if (target.executeScript) {
    target.executeScript = async (script) => {
      try {
        await target.client.query(script);
      } catch (error) {
        target.onError(error);
      }
    };
  }
  const performIO = target.performIO.bind(queryable);
  target.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields) {
      if (field.dataTypeID !== CHAR_OID) continue;
      field.dataTypeID = TEXT_OID;
      charColumnsOfQuery.getStore()?.add(field.name);
    }
    return result;
  };
  if (target.queryRaw) {
    const queryRaw = target.queryRaw.bind(queryable);
    target.queryRaw = (query) => {
      const charColumns = new Set<string>();
      return charColumnsOfQuery.run(charColumns, async () => {
        const result = await queryRaw(query);
        result.columnNames.forEach((name, i) => {
          if (charColumns.has(name)) result.columnTypes[i] = CHARACTER_COLUMN;
        });
        return result;
      });
    };
  }
  const startTransaction = target.startTransaction?.bind(queryable);
  if (startTransaction) target.startTransaction = async (...args) => patchAdapter(await startTransaction(...args));
  return queryable;
}

// PrismaPg's own shadow database is dropped while its pool still holds a
// connection ("being accessed by other users"): make it here, close the pool
// first, then drop it.
function migrationAwareFactory(databaseUrl: string) {
  const config = poolConfig(databaseUrl);
  const main = new PrismaPg(config);
  return {
    provider: "postgres" as const,
    adapterName: main.adapterName,
    connect: async () => patchAdapter(await main.connect()),
    async connectToShadowDb() {
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      const admin = new pg.Client(config);
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const adapter = patchAdapter(await new PrismaPg({ ...config, database: name }).connect());
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        const client = new pg.Client(config);
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await client.end();
      };
      return adapter;
    },
  };
}

export async function openSchemaEngine(databaseUrl: string, schemaPath: string, schemaText: string): Promise<SchemaEngine> {
  await loadWasm();
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(migrationAwareFactory(databaseUrl));
  const { SchemaEngine: Engine } = bindings as unknown as { SchemaEngine: typeof SchemaEngine };
  const log = (message: string) => {
    if (process.env.DEBUG_SCHEMA_ENGINE) process.stderr.write(`${message}\n`);
  };
  return Engine.new({ datamodels: [[schemaPath, schemaText]] }, log, adapterFactory);
}
