// Factur-X documents are CPU work (layout, XML, compression). EINVOICE_THREADS
// (at most 4) renders them on a pool of threads while the worker's main thread
// reads and stores. Off by default: on the shared 2-core machine the
// benchmark measured 8.1 documents/s in-process against 2.2 with two threads
// (each thread also spent seconds loading tsx, before production ran compiled code); worth trying on a dedicated
// multi-core host. Without threads, or when one cannot start, rendering is here.
import type { Worker } from "node:worker_threads";
import type { EN16931Document } from "~/domain/einvoicing/en16931.ts";
import { env } from "~/utils/env.server.ts";
import { startThread } from "~/utils/worker-thread.ts";
import { facturX, plainStatement } from "./facturx.server.ts";

type Kind = "facturx" | "statement";
type Pending = { resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void };
type Thread = { worker: Worker; ready: Promise<void>; pending: Map<number, Pending> };

const size = () => env().EINVOICE_THREADS;
let threads: Thread[] | null = null;
let nextId = 1;

function startPoolThread(): Thread {
  const worker = startThread(new URL("./facturx-thread.ts", import.meta.url));
  worker.unref();
  const pending = new Map<number, Pending>();
  let markReady: () => void = () => {};
  let markFailed: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  const thread: Thread = { worker, ready, pending };
  worker.on("message", (m: { ready?: true; id?: number; bytes?: Uint8Array; error?: string }) => {
    if (m.ready) return markReady();
    const task = pending.get(m.id!);
    if (!task) return;
    pending.delete(m.id!);
    if (pending.size === 0) worker.unref(); // idle: the thread never keeps the process alive
    if (m.error) task.reject(new Error(m.error));
    else task.resolve(new Uint8Array(m.bytes!));
  });
  const fail = (error: Error) => {
    markFailed(error);
    for (const task of pending.values()) task.reject(error);
    pending.clear();
    threads = threads?.filter((t) => t !== thread) ?? null;
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`Factur-X thread stopped (code ${code})`)));
  return thread;
}

const renderHere = (kind: Kind, doc: EN16931Document) => (kind === "facturx" ? facturX(doc) : plainStatement(doc));

export async function renderDocument(kind: Kind, doc: EN16931Document): Promise<Uint8Array> {
  if (size() === 0) return renderHere(kind, doc);
  if (!threads || threads.length === 0) {
    try {
      threads = Array.from({ length: size() }, startPoolThread);
    } catch {
      return renderHere(kind, doc);
    }
  }
  const thread = threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  try {
    await thread.ready;
  } catch {
    return renderHere(kind, doc);
  }
  const id = nextId++;
  return new Promise<Uint8Array>((resolve, reject) => {
    thread.pending.set(id, { resolve, reject });
    thread.worker.ref(); // busy: a result is awaited
    thread.worker.postMessage({ id, kind, doc });
  });
}

/** Stops the threads (tests, benchmarks, shutdown). */
export async function stopDocumentThreads() {
  const running = threads ?? [];
  threads = null;
  await Promise.all(running.map((t) => t.worker.terminate()));
}
