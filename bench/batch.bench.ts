/**
 * Whole-pipeline overhead per entry: a batch of 10 × `true` through the batch service (policy
 * verdicts, state persisted atomically, ENTRY_STARTED and ENTRY_FINISHED fsync'd to the audit
 * before and after each process) against a bare `spawn('/bin/bash', ['-c', 'true'])`.
 * Target (issue #3): <= 15 ms per entry including the fsync'd audit. Medians of several rounds.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditWriter } from '../src-main/core/audit/index.js';
import { createBatchService, createBatchStore } from '../src-main/core/batch/index.js';
import { createSandboxRuntime, type SandboxSupport } from '../src-main/core/sandbox/index.js';

const NO_SANDBOX: SandboxSupport = { ok: false, code: 'UNSUPPORTED_PLATFORM', message: 'not measured here', fix: '' };
import { createPolicyEngine } from '../src-main/core/policy/index.js';
import { createEntryRegistry, startEntry } from '../src-main/core/runner/index.js';
import { createSettingsStore, memorySettingsBackend } from '../src-main/core/settings/store.js';
import { median } from './stats.js';

const ROUNDS = 7;
const ENTRIES = 10;

function rawTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/bash', ['-c', 'true'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'leash-bench-batch-'));
  const audit = await openAuditWriter(join(dir, 'audit.jsonl'));
  const registry = createEntryRegistry();
  const service = await createBatchService({
    store: createBatchStore(join(dir, 'batches')),
    settings: createSettingsStore(memorySettingsBackend()),
    engine: await createPolicyEngine(),
    audit,
    start: (request, hooks) => startEntry(request, hooks, { registry }),
    killAll: () => registry.killAll(),
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    // The service's own overhead; what each sandbox adds is measured in runner.bench.ts.
    sandbox: createSandboxRuntime({ support: NO_SANDBOX, home: tmpdir(), env: {}, state: () => ({ dataDir: dir, auditPath: join(dir, 'audit.jsonl') }) }),
  });
  const cwd = tmpdir();
  const viaService: number[] = [];
  const viaRaw: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const start = performance.now();
    const batch = await service.create({ cwd, entries: Array.from({ length: ENTRIES }, () => ({ command: 'true' })) });
    await service.approve(batch.id);
    await service.run(batch.id);
    const done = await service.whenSettled(batch.id);
    if (done.status !== 'completed') throw new Error(`batch ended ${done.status}`);
    const perEntry = (performance.now() - start) / ENTRIES;
    const rawStart = performance.now();
    for (let i = 0; i < ENTRIES; i++) await rawTrue();
    const rawPerEntry = (performance.now() - rawStart) / ENTRIES;
    if (round > 0) {
      viaService.push(perEntry);
      viaRaw.push(rawPerEntry);
    }
  }
  await service.idle();
  await audit.close();
  await rm(dir, { recursive: true, force: true });
  const total = median(viaService);
  const raw = median(viaRaw);
  console.log(`batch pipeline: ${ENTRIES} x \`true\` per batch, median of ${ROUNDS} rounds (after one warm-up)`);
  console.log(`  through the batch service (policy, atomic state, fsync'd audit): ${total.toFixed(2)} ms/entry`);
  console.log(`  raw spawn of bash -c true:                                        ${raw.toFixed(2)} ms/entry`);
  console.log(`  overhead per entry:                                               ${(total - raw).toFixed(2)} ms   (target: total <= 15 ms/entry)`);
}

await main();
