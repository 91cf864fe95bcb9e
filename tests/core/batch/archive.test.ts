import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveDirFor, readArchivedBatches } from '../../../src-main/core/batch/archive.js';
import { createHarness, projectDirectory, type Harness } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

/** A harness whose clock a test moves forward. */
async function clocked(dir?: string): Promise<{ h: Harness; advance(days: number): void }> {
  let now = Date.now();
  const h = await createHarness({ dir, now: () => new Date(now) });
  harnesses.push(h);
  return { h, advance: (days) => (now += days * DAY) };
}

describe('archiving finished batches (retention)', () => {
  it('moves finished batches past the age out of the list into the archive, never active ones, with one audit record', async () => {
    const { h, advance } = await clocked();
    const cwd = projectDirectory();
    const completed = await h.service.create({ source: 'cli', cwd, entries: [{ command: 'echo archived-output' }] });
    await h.service.approve(completed.id);
    await h.service.run(completed.id);
    await h.service.whenSettled(completed.id);
    const rejected = await h.service.reject((await h.service.create({ source: 'cli', cwd, entries: [{ command: 'ls' }] })).id, 'no');
    const pending = await h.service.create({ source: 'cli', cwd, entries: [{ command: 'ls' }] });
    const approved = await h.service.approve((await h.service.create({ source: 'cli', cwd, entries: [{ command: 'ls' }] })).id);
    expect(approved.status).toBe('approved');

    advance(29);
    expect(await h.service.archiveFinished(30)).toEqual([]);
    expect((await h.records()).some((r) => r.event === 'BATCHES_ARCHIVED')).toBe(false);

    advance(2);
    const moved = await h.service.archiveFinished(30);
    // Oldest first; this clock stands still, so batches made in the same instant go by id.
    const [older, newer] = [completed, rejected].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)) as [typeof completed, typeof rejected];
    expect(moved).toEqual([older.id, newer.id]);
    expect(h.service.list({}).items.map((s) => s.id).sort()).toEqual([pending.id, approved.id].sort());
    expect(() => h.service.get(completed.id)).toThrow();

    const record = (await h.records()).find((r) => r.event === 'BATCHES_ARCHIVED');
    expect(record).toMatchObject({ reason: 'finished more than 30 days ago', details: { count: 2, firstId: older.id, lastId: newer.id, olderThanDays: 30, createdFrom: older.createdAt, createdTo: newer.createdAt } });

    const batchesDir = join(h.dir, 'batches');
    const batchFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
    expect(await batchFiles(batchesDir)).toEqual([`${pending.id}.json`, `${approved.id}.json`].sort());
    expect(await readdir(join(batchesDir, 'captures'))).not.toContain(completed.id);
    const month = join(archiveDirFor(batchesDir), completed.createdAt.slice(0, 7));
    expect(await batchFiles(month)).toEqual([`${completed.id}.json`, `${rejected.id}.json`].sort());
    expect(await readdir(join(month, 'captures'))).toEqual([completed.id]);
    // Still readable, whole: the entry's result and its captured output came along.
    const archived = await readArchivedBatches(batchesDir);
    expect(archived.problems).toEqual([]);
    // Newest first, as every list.
    expect(archived.batches.list({}).items.map((b) => [b.id, b.status])).toEqual([
      [newer.id, newer.id === rejected.id ? 'rejected' : 'completed'],
      [older.id, older.id === rejected.id ? 'rejected' : 'completed'],
    ]);
    expect(archived.read(completed.id).entries[0]).toMatchObject({ status: 'completed', exitCode: 0, stdout: { head: 'archived-output\n' } });

    // A second pass finds nothing more, and records nothing.
    expect(await h.service.archiveFinished(30)).toEqual([]);
    expect((await h.records()).filter((r) => r.event === 'BATCHES_ARCHIVED')).toHaveLength(1);
  });

  it('a service opened later does not list archived batches', async () => {
    const { h, advance } = await clocked();
    const cwd = projectDirectory();
    const rejected = await h.service.reject((await h.service.create({ source: 'cli', cwd, entries: [{ command: 'ls' }] })).id);
    advance(8);
    expect(await h.service.archiveFinished(7)).toEqual([rejected.id]);
    await h.close();
    harnesses.splice(harnesses.indexOf(h), 1);
    const { h: again } = await clocked(h.dir);
    expect(again.service.list({}).total).toBe(0);
  });

  it('keeps interrupted batches, whatever their age (a person has to look at them)', async () => {
    const { selectArchivable } = await import('../../../src-main/core/batch/archive.js');
    const old = '2020-01-01T00:00:00.000Z';
    const base = { createdAt: old, updatedAt: old, finishedAt: old };
    const batches = ['completed', 'error', 'cancelled', 'rejected', 'interrupted', 'pending', 'approved', 'running'].map((status, i) => ({ ...base, id: `b${i}`, status }));
    const chosen = selectArchivable(batches as never, 1, new Date('2026-01-01T00:00:00.000Z'));
    expect(chosen.map((b) => b.status)).toEqual(['completed', 'error', 'cancelled', 'rejected']);
  });
});
