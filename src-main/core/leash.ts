import { join } from 'node:path';
import { openAuditWriter, type AuditWriter } from './audit/index.js';
import { createBatchService, createBatchStore, type BatchService } from './batch/index.js';
import { dataPaths } from './paths.js';
import { createPolicyEngine, type PolicyEngine } from './policy/index.js';
import { createEntryRegistry, startEntry } from './runner/index.js';
import { openFileSettingsStore } from './settings/fileStore.js';
import type { SettingsStore } from './settings/store.js';

/** Everything one Leash process runs on, opened together over one data directory. */
export interface Leash {
  dataDir: string;
  settings: SettingsStore;
  audit: AuditWriter;
  engine: PolicyEngine;
  batches: BatchService;
  /** Problems found on the way up (invalid settings file set aside, unreadable batch files). */
  problems: string[];
  /** Waits for running work, then closes the audit (releasing its lock). */
  close(): Promise<void>;
}

export interface OpenLeashOptions {
  dataDir: string;
  /** Overrides the settings' `auditPath` (the CLI's `--audit`). */
  auditPath?: string;
  env: NodeJS.ProcessEnv;
  /** How this process presents itself in the APP_STARTED record: `cli`, `serve`, `desktop`. */
  mode: string;
  settings?: SettingsStore;
}

/**
 * Opens the settings, the audit trail (taking its single-writer lock, repairing crash damage),
 * the batch store (recovering interrupted batches) and the policy engine. The desktop app, the
 * CLI and browser mode all start here, so they behave the same over the same files.
 */
export async function openLeash(options: OpenLeashOptions): Promise<Leash> {
  const paths = dataPaths(options.dataDir);
  const settings = options.settings ?? openFileSettingsStore(options.dataDir);
  const auditPath = options.auditPath ?? settings.get().auditPath ?? paths.audit;
  const audit = await openAuditWriter(auditPath);
  try {
    const engine = await createPolicyEngine();
    const registry = createEntryRegistry();
    await audit.append({ event: 'APP_STARTED', details: { mode: options.mode, pid: process.pid } });
    const batches = await createBatchService({
      store: createBatchStore(join(options.dataDir, 'batches')),
      settings,
      engine,
      audit,
      start: (request, hooks) => startEntry(request, hooks, { registry }),
      killAll: () => registry.killAll(),
      env: options.env,
    });
    return {
      dataDir: options.dataDir,
      settings,
      audit,
      engine,
      batches,
      problems: [...settings.problems, ...batches.problems],
      async close() {
        await batches.idle();
        await audit.close();
      },
    };
  } catch (error) {
    await audit.close();
    throw error;
  }
}
