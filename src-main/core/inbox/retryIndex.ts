import { isPlainObject } from './commandFile.js';
import { jsonText, readJsonIfExists, writeFileAtomic } from './folder.js';
import { backoffDelay } from './publisher.js';
import { createSerialQueue } from './serialQueue.js';

/**
 * `meta/retries.json`: the plan's retries index (§7), the one place retry state lives (never a
 * hidden file in commands/). One record per command id whose processing step or publishing
 * failed: how many attempts, the last error (never a secret: inbox messages never hold one),
 * when, and when the next attempt is due. Waits grow exponentially (base 2) with jitter up to a
 * cap; after {@link MAX_RETRY_ATTEMPTS} failures nothing is retried automatically until Leash
 * starts again (a restart retries at once). A record is removed when its step succeeds.
 *
 * ```json
 * {"commands": {"<id>": {"attempts": 2, "last_error": "…", "last_ts": "…", "next_at": "…", "step": "process"}}, "schemaVersion": 1}
 * ```
 */

export const MAX_RETRY_ATTEMPTS = 6;

export type RetryStep = 'process' | 'publish';

export interface RetryRecord {
  attempts: number;
  last_error: string;
  last_ts: string;
  /** Null once the attempts are used up. */
  next_at: string | null;
  step: RetryStep;
}

export interface RetryIndex {
  get(id: string): RetryRecord | undefined;
  /** Records a failure; returns the record, whose `next_at` says when to try again (null: give up). */
  failed(id: string, step: RetryStep, error: string): Promise<RetryRecord>;
  /** Forgets the id (its step succeeded); a no-op for an id without a record. */
  succeeded(id: string): Promise<void>;
}

export interface RetryOptions {
  nowMs(): number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /** A damaged index is reported and started afresh: it only schedules retries, it guards nothing. */
  onProblem(message: string): void;
}

export async function openRetryIndex(path: string, options: RetryOptions): Promise<RetryIndex> {
  const records = new Map<string, RetryRecord>();
  try {
    const value = await readJsonIfExists(path);
    if (value !== undefined) load(value, records);
  } catch (error) {
    options.onProblem(`the retries index ${path} is damaged and was started afresh (${(error as Error).message})`);
    records.clear();
  }
  const queue = createSerialQueue();
  const save = (): Promise<void> => writeFileAtomic(path, jsonText({ commands: Object.fromEntries([...records].sort(([a], [b]) => (a < b ? -1 : 1))), schemaVersion: 1 }));
  const base = options.baseDelayMs ?? 5_000;
  const cap = options.maxDelayMs ?? 15 * 60_000;
  const random = options.random ?? Math.random;

  return {
    get: (id) => {
      const record = records.get(id);
      return record && { ...record };
    },
    failed(id, step, error) {
      return queue.run(async () => {
        const attempts = (records.get(id)?.attempts ?? 0) + 1;
        const now = options.nowMs();
        const next = attempts >= MAX_RETRY_ATTEMPTS ? null : new Date(now + backoffDelay(attempts, base, cap, random)).toISOString();
        const record: RetryRecord = { attempts, last_error: error.slice(0, 500), last_ts: new Date(now).toISOString(), next_at: next, step };
        records.set(id, record);
        await save();
        return { ...record };
      });
    },
    succeeded(id) {
      return queue.run(async () => {
        if (!records.delete(id)) return;
        await save();
      });
    },
  };
}

function load(value: unknown, records: Map<string, RetryRecord>): void {
  if (!isPlainObject(value) || !isPlainObject(value.commands)) throw new Error('not a retries index');
  for (const [id, record] of Object.entries(value.commands)) {
    if (!isPlainObject(record) || typeof record.attempts !== 'number' || typeof record.last_error !== 'string' || typeof record.last_ts !== 'string') throw new Error(`bad record for ${id}`);
    const step: RetryStep = record.step === 'publish' ? 'publish' : 'process';
    records.set(id, { attempts: record.attempts, last_error: record.last_error, last_ts: record.last_ts, next_at: typeof record.next_at === 'string' ? record.next_at : null, step });
  }
}
