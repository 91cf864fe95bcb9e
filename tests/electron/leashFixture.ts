import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../src-main/core/audit/index.js';
import { openLeash, type Leash } from '../../src-main/core/leash.js';
import type { SettingsStore } from '../../src-main/core/settings/store.js';

/** A scratch data directory (what LEASH_HOME points at in these tests). */
export function scratchDir(prefix = 'leash-electron-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The real core over a temp dir: real settings, audit file, batch store and processes. */
export async function openScratchLeash(options: { dataDir?: string; settings?: SettingsStore } = {}): Promise<Leash> {
  const dataDir = options.dataDir ?? (await scratchDir());
  return openLeash({ dataDir, env: { PATH: process.env.PATH, HOME: process.env.HOME, LEASH_HOME: dataDir }, mode: 'desktop', settings: options.settings });
}

export async function auditEvents(leash: Leash): Promise<string[]> {
  await leash.audit.flush();
  return readAuditEvents(leash.audit.path);
}

export async function readAuditEvents(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as AuditRecord).event);
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A batch of one long command, approved and running: its ENTRY_STARTED is durable and the
 * process has been spawned (the runner spawns in the same turn the record is confirmed).
 */
export async function startLongBatch(leash: Leash, cwd: string): Promise<string> {
  const batch = await leash.batches.create({ entries: [{ command: 'sleep 30' }], cwd, source: 'paste' });
  await leash.batches.approve(batch.id);
  let started = false;
  const off = leash.onAudit((record) => {
    if (record.event === 'ENTRY_STARTED' && record.batchId === batch.id) started = true;
  });
  try {
    await leash.batches.run(batch.id);
    await waitUntil(() => started);
  } finally {
    off();
  }
  return batch.id;
}
