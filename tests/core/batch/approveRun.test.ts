import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPROVED_NOT_RUN_NOTE, type Batch } from '../../../src-main/core/batch/index.js';
import { createHarness, projectDirectory, type Harness } from './harness.js';
import { waitFor } from './procfs.js';

/**
 * Approve & run: one call approves and queues, atomically; a batch approved while another runs
 * waits in the queue and says behind which; a queued batch can be taken back. Real processes in
 * a real sandbox; the batch ahead holds the queue until the test releases it (no sleeps).
 */
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const cwd = projectDirectory();

async function setup(dir?: string): Promise<Harness> {
  harness = await createHarness(dir ? { dir } : {});
  return harness;
}

/** A running batch that holds the run queue until `release()` is called. */
async function holder(h: Harness): Promise<{ batch: Batch; release(): Promise<void> }> {
  const dir = await mkdtemp(join(cwd, 'hold-'));
  const gate = join(dir, 'release');
  const created = await h.service.create({ cwd: dir, entries: [{ command: `while [ ! -e '${gate}' ]; do sleep 0.02; done` }] });
  await h.service.approve(created.id, { run: true });
  await waitFor(() => h.service.get(created.id).entries[0]?.status === 'running', 10_000);
  return { batch: h.service.get(created.id), release: () => writeFile(gate, '') };
}

async function marked(h: Harness, name: string): Promise<{ batch: Batch; marker: string }> {
  const marker = join(await mkdtemp(join(cwd, `${name}-`)), 'ran');
  const batch = await h.service.create({ cwd, entries: [{ command: `echo ${name} >> '${marker}'` }] });
  return { batch, marker };
}

describe('approve with run', () => {
  it('approves and runs a batch in one call: no separate run, and the approval record says so', async () => {
    const h = await setup();
    const { batch, marker } = await marked(h, 'once');
    const answered = await h.service.approve(batch.id, { run: true });
    expect(['running', 'completed']).toContain(answered.status);
    const done = await h.service.whenSettled(batch.id);
    expect(done).toMatchObject({ status: 'completed', approvedBy: 'manual', queuedAt: null, queuedBehind: null });
    expect(await readFile(marker, 'utf8')).toBe('once\n');
    const approvals = (await h.records()).filter((r) => r.event === 'BATCH_APPROVED');
    expect(approvals).toEqual([expect.objectContaining({ batchId: batch.id, details: expect.objectContaining({ run: true }) })]);
  });

  it('without run, approves only: the batch waits for Run and is not queued', async () => {
    const h = await setup();
    const { batch, marker } = await marked(h, 'later');
    const approved = await h.service.approve(batch.id);
    expect(approved).toMatchObject({ status: 'approved', queuedAt: null, queuedBehind: null });
    await h.service.idle();
    expect(existsSync(marker)).toBe(false);
    expect((await h.records()).find((r) => r.event === 'BATCH_APPROVED')?.details?.run).toBeUndefined();
  });

  it('keeps the sandbox choice and the chosen entries', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'touch one' }, { command: 'touch two' }] });
    await h.service.approve(batch.id, { run: true, entryIds: [batch.entries[1]!.id], sandbox: { profile: 'workspace', network: true } });
    const done = await h.service.whenSettled(batch.id);
    expect(done.entries.map((e) => e.status)).toEqual(['skipped', 'completed']);
    expect(done.sandboxChoice).toEqual({ profile: 'workspace', network: true });
    expect(done.entries[1]?.sandbox).toMatchObject({ profile: 'workspace', network: true });
  });
});

describe('the run queue', () => {
  it('queues a batch approved while another runs, behind that one, and runs it when that one ends', async () => {
    const h = await setup();
    const ahead = await holder(h);
    const { batch, marker } = await marked(h, 'second');
    const queued = await h.service.approve(batch.id, { run: true });
    expect(queued).toMatchObject({ status: 'approved', queuedAt: expect.any(String), queuedBehind: ahead.batch.id });
    // Every change a listener sees carries the queue: there is no moment it reads "approved, not queued".
    expect(h.service.get(batch.id).queuedBehind).toBe(ahead.batch.id);
    await ahead.release();
    const done = await h.service.whenSettled(batch.id);
    expect(done).toMatchObject({ status: 'completed', queuedAt: null, queuedBehind: null });
    expect(await readFile(marker, 'utf8')).toBe('second\n');
  });

  it('queues a third batch behind the second, and re-points it when the second is taken out', async () => {
    const h = await setup();
    const ahead = await holder(h);
    const second = await marked(h, 'second');
    const third = await marked(h, 'third');
    await h.service.approve(second.batch.id, { run: true });
    expect((await h.service.approve(third.batch.id, { run: true })).queuedBehind).toBe(second.batch.id);
    const back = await h.service.unapprove(second.batch.id);
    expect(back).toMatchObject({ status: 'pending', queuedAt: null, queuedBehind: null });
    expect(h.service.get(third.batch.id).queuedBehind).toBe(ahead.batch.id);
    await ahead.release();
    expect((await h.service.whenSettled(third.batch.id)).status).toBe('completed');
    expect(existsSync(second.marker)).toBe(false);
    expect(h.service.get(second.batch.id).status).toBe('pending');
  });

  it.each([
    ['reject', 'rejected'],
    ['stop', 'cancelled'],
  ] as const)('takes a queued batch out with %s: it never runs and no longer says it is queued', async (action, status) => {
    const h = await setup();
    const ahead = await holder(h);
    const { batch, marker } = await marked(h, 'never');
    await h.service.approve(batch.id, { run: true });
    const after = await h.service[action](batch.id);
    expect(after).toMatchObject({ status, queuedAt: null, queuedBehind: null });
    await ahead.release();
    await h.service.whenSettled(ahead.batch.id);
    await h.service.idle();
    expect(existsSync(marker)).toBe(false);
  });

  it('Run on an approved-only batch queues it behind the running one too', async () => {
    const h = await setup();
    const ahead = await holder(h);
    const { batch } = await marked(h, 'run');
    await h.service.approve(batch.id);
    expect(await h.service.run(batch.id)).toMatchObject({ status: 'approved', queuedBehind: ahead.batch.id });
    // Running it again changes nothing: it keeps its place.
    expect(await h.service.run(batch.id)).toMatchObject({ status: 'approved', queuedBehind: ahead.batch.id });
    await ahead.release();
    expect((await h.service.whenSettled(batch.id)).status).toBe('completed');
  });

  it('leaves a batch another client rejected while its approval was being recorded rejected, and never runs it', async () => {
    const h = await setup();
    const { batch, marker } = await marked(h, 'raced');
    // The approval is in memory as soon as approve is called; the reject comes before it is on record.
    const approving = h.service.approve(batch.id, { run: true });
    expect(h.service.get(batch.id).status).toBe('approved');
    const rejected = await h.service.reject(batch.id, undefined, { message: 'not this one' });
    expect(rejected.status).toBe('rejected');
    expect((await approving).status).toBe('rejected');
    await h.service.idle();
    expect(h.service.get(batch.id)).toMatchObject({ status: 'rejected', note: 'rejected by a person', queuedAt: null, rejectionMessage: 'not this one' });
    expect(existsSync(marker)).toBe(false);
  });

  it('a queued batch comes back awaiting approval, not queued, after a crash', async () => {
    const h = await setup();
    const ahead = await holder(h);
    const { batch } = await marked(h, 'restart');
    await h.service.approve(batch.id, { run: true });
    const stored = await readFile(join(h.dir, 'batches', `${batch.id}.json`), 'utf8');
    expect(JSON.parse(stored)).toMatchObject({ status: 'approved', queuedAt: expect.any(String), queuedBehind: ahead.batch.id });
    // What a crash leaves: that file, found by the Leash that starts next.
    const next = await mkdtemp(join(tmpdir(), 'leash-queued-crash-'));
    await mkdir(join(next, 'batches'));
    await writeFile(join(next, 'batches', `${batch.id}.json`), stored);
    const second = await createHarness({ dir: next });
    try {
      expect(second.service.get(batch.id)).toMatchObject({ status: 'pending', approvedBy: null, queuedAt: null, queuedBehind: null, note: APPROVED_NOT_RUN_NOTE });
    } finally {
      await second.close();
    }
    await ahead.release();
    expect((await h.service.whenSettled(batch.id)).status).toBe('completed');
  });
});
