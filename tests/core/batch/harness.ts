import { mkdtempSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditWriter, verifyAudit, type AuditRecord, type AuditWriter } from '../../../src-main/core/audit/index.js';
import { createBatchService, createBatchStore, type BatchService, type BatchStore } from '../../../src-main/core/batch/index.js';
import { createEntryRegistry, prepareEntry, startEntry } from '../../../src-main/core/runner/index.js';
import { createSandboxRuntime, detectSandbox, type SandboxSupport } from '../../../src-main/core/sandbox/index.js';
import { createSettingsStore, memorySettingsBackend, type SettingsStore } from '../../../src-main/core/settings/store.js';
import { sharedEngine } from '../policy/engine.js';

export interface Harness {
  dir: string;
  service: BatchService;
  /** The service's store (its `bytesWritten` counts what the batches cost on disk). */
  store: BatchStore;
  settings: SettingsStore;
  audit: AuditWriter;
  auditPath: string;
  records(): Promise<AuditRecord[]>;
  /** Closes the audit writer and verifies the whole trail. */
  close(): Promise<void>;
}

/** A real batch service over a temp dir: real store, real audit file, real processes. */
export async function createHarness(
  options: { dir?: string; settings?: Record<string, unknown>; env?: NodeJS.ProcessEnv; sandbox?: SandboxSupport; newId?: () => string; now?: () => Date } = {},
): Promise<Harness> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'leash-batch-')));
  const auditPath = join(dir, 'audit.jsonl');
  const audit = await openAuditWriter(auditPath);
  const settings = createSettingsStore(memorySettingsBackend(options.settings ?? {}));
  const registry = createEntryRegistry();
  const env = options.env ?? { PATH: process.env.PATH, HOME: process.env.HOME };
  const sandbox = createSandboxRuntime({
    support: options.sandbox ?? (await detectSandbox()),
    home: env.HOME ?? '/nonexistent',
    env,
    state: () => ({ dataDir: dir, auditPath }),
  });
  const store = createBatchStore(join(dir, 'batches'));
  const service = await createBatchService({
    store,
    settings,
    engine: await sharedEngine(),
    audit,
    start: (request, hooks) => startEntry(request, hooks, { registry }),
    prepare: (request) => prepareEntry(request, { registry }),
    killAll: () => registry.killAll(),
    env,
    sandbox,
    newId: options.newId,
    now: options.now,
  });
  return {
    dir,
    service,
    store,
    settings,
    audit,
    auditPath,
    async records() {
      await audit.flush();
      const text = await readFile(auditPath, 'utf8');
      return text.trim().split('\n').map((line) => JSON.parse(line) as AuditRecord);
    },
    async close() {
      await service.idle();
      // Writes the index's head, as a Leash that closes does.
      await store.close();
      await audit.close();
      const verified = await verifyAudit(auditPath);
      if (!verified.ok) throw new Error(`audit trail does not verify: ${JSON.stringify(verified)}`);
    },
  };
}

/**
 * A fresh directory for batches to run in. Not `tmpdir()` itself: a workspace that contains the
 * harness's data directory is refused (it would expose Leash's state to the command).
 */
export function projectDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'leash-project-'));
}
