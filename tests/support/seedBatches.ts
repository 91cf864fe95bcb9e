import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createBatchStore } from '../../src-main/core/batch/store.js';
import type { Batch, BatchStatus, EntryStatus } from '../../src-main/core/batch/types.js';
import { openLeash } from '../../src-main/core/leash.js';

/** What a seeded history looks like: mostly finished work, some waiting, a few failures. */
const STATUS_CYCLE: BatchStatus[] = ['completed', 'completed', 'completed', 'pending', 'rejected', 'error', 'completed', 'cancelled', 'approved', 'completed'];

const COMMANDS = [
  ['git status', 'git diff --stat'],
  ['npm test -- --run tests/core', 'npm run lint'],
  ['ls -la src', 'cat package.json', 'rm -rf build'],
  ['cargo check --workspace'],
  ['python3 -m pytest -q tests/unit'],
  ['make deploy --environment=staging'],
];

const ENDED: Record<BatchStatus, EntryStatus> = {
  pending: 'pending',
  approved: 'pending',
  running: 'running',
  completed: 'completed',
  error: 'error',
  cancelled: 'cancelled',
  rejected: 'skipped',
  interrupted: 'interrupted',
};

/**
 * Writes `count` batches into `home` as Leash itself would: the templates are proposed through
 * the real batch service (real classification, real audit records), then copied with new ids,
 * times and statuses and saved with the real batch store. Newest batch first in time order:
 * batch i was created i minutes before `newest`. Returns the ids, newest first.
 */
export async function seedBatches(home: string, count: number, options: { newest?: Date; cwd: string }): Promise<string[]> {
  await mkdir(home, { recursive: true });
  const leash = await openLeash({ dataDir: home, env: { PATH: process.env.PATH, HOME: process.env.HOME }, mode: 'seed' });
  const templates: Batch[] = [];
  try {
    for (const commands of COMMANDS) {
      templates.push(await leash.batches.create({ entries: commands.map((command) => ({ command })), cwd: options.cwd, source: 'agent:seed', reason: 'seeded history' }));
    }
    for (const template of templates) await leash.batches.reject(template.id, 'seed template');
  } finally {
    await leash.close();
  }
  const store = createBatchStore(join(home, 'batches'));
  const newest = (options.newest ?? new Date()).getTime();
  const ids: string[] = [];
  const batches: Batch[] = [];
  for (let i = 0; i < count; i++) {
    const template = templates[i % templates.length] as Batch;
    const status = STATUS_CYCLE[i % STATUS_CYCLE.length] as BatchStatus;
    const id = randomUUID();
    const at = new Date(newest - (i + 1) * 60_000).toISOString();
    const ended = status !== 'pending' && status !== 'approved';
    const entries = template.entries.map((entry, index) => {
      const entryStatus = entry.classification.verdict === 'deny' && status !== 'pending' ? 'blocked' : ENDED[status];
      return {
        ...structuredClone(entry),
        id: `${id}-${index + 1}`,
        command: index === 0 ? `${entry.command} # seeded ${i}` : entry.command,
        status: entryStatus,
        approved: status !== 'pending' && status !== 'rejected' && entryStatus !== 'blocked',
        exitCode: entryStatus === 'completed' ? 0 : entryStatus === 'error' ? 1 : null,
        startedAt: ended ? at : null,
        endedAt: ended ? at : null,
        durationMs: ended ? 12 : null,
        note: null,
      };
    });
    batches.push({
      ...structuredClone(template),
      id,
      createdAt: at,
      updatedAt: at,
      source: i % 3 === 0 ? 'agent:claude' : i % 3 === 1 ? 'mcp:cursor' : 'paste',
      status,
      entries,
      approvedBy: status === 'pending' || status === 'rejected' ? null : 'manual',
      approvedAt: status === 'pending' || status === 'rejected' ? null : at,
      startedAt: ended ? at : null,
      finishedAt: ended ? at : null,
      note: status === 'rejected' ? 'rejected by a person' : null,
    });
    ids.push(id);
  }
  // A few writes at a time: each is fsync'd, and the disk is shared.
  for (let start = 0; start < batches.length; start += 32) await Promise.all(batches.slice(start, start + 32).map((batch) => store.save(batch)));
  // The templates served their purpose (their audit records stay): the list shows the seeded history alone.
  for (const template of templates) await store.remove(template.id);
  await store.close();
  return ids;
}
