import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPROVED_NOT_RUN_NOTE } from '../../../src-main/core/batch/index.js';
import { approveAndRun, batchFor, createInboxRig, dropCommand, readJson, removeDir, signed, tempDir, unsignedCommand, type InboxRig } from '../inbox/inboxFixtures.js';
import { createHarness, type Harness } from './harness.js';
import { livePidsWith, waitFor } from './procfs.js';

const cwd = tmpdir();
const harnesses: Harness[] = [];
const rigs: InboxRig[] = [];
const roots: string[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
  for (const rig of rigs.splice(0)) await rig.close().catch(() => undefined);
  for (const root of roots.splice(0)) await removeDir(root);
});

async function open(dir: string, settings: Record<string, unknown> = {}): Promise<Harness> {
  const h = await createHarness({ dir, settings });
  harnesses.push(h);
  return h;
}

async function closeHarness(h: Harness): Promise<void> {
  harnesses.splice(harnesses.indexOf(h), 1);
  await h.close();
}

describe('a batch approved but not started when Leash stopped', () => {
  it('comes back awaiting approval with the reason, audited, and nothing of it runs on its own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-recover-'));
    // In the project the entry may write, not in Leash's data directory (hidden from every command).
    const marker = join(await mkdtemp(join(cwd, 'leash-recover-project-')), 'ran.txt');
    const first = await open(dir);
    const batch = await first.service.create({ cwd, entries: [{ command: `echo ran >> '${marker}'` }, { command: 'rm -rf /tmp/leash-never' }] });
    // Approved, never run: exactly what a crash between approve and run leaves on disk.
    await first.service.approve(batch.id);
    await closeHarness(first);

    const second = await open(dir);
    const recovered = second.service.get(batch.id);
    expect(recovered).toMatchObject({ status: 'pending', approvedBy: null, approvedAt: null, note: APPROVED_NOT_RUN_NOTE });
    expect(recovered.entries.map((e) => [e.status, e.approved])).toEqual([['pending', false], ['blocked', false]]);
    expect(JSON.parse(await readFile(join(dir, 'batches', `${batch.id}.json`), 'utf8')).status).toBe('pending');
    const records = await second.records();
    expect(records.filter((r) => r.event === 'BATCH_UNAPPROVED')).toEqual([
      expect.objectContaining({ batchId: batch.id, approvedBy: 'manual', reason: APPROVED_NOT_RUN_NOTE }),
    ]);
    await second.service.idle();
    expect(await readFile(marker, 'utf8').catch(() => 'nothing')).toBe('nothing');
    await expect(second.service.run(batch.id)).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });

    // The way forward: approve again, and it runs (the note about the restart goes with the approval).
    await second.service.approve(batch.id);
    await second.service.run(batch.id);
    const ended = await second.service.whenSettled(batch.id);
    expect(ended.status).toBe('completed');
    expect(ended.note).toBeNull();
    expect(await readFile(marker, 'utf8')).toBe('ran\n');
  });

  it('an autonomous approval does not survive the restart either, even with autonomy still on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-recover-'));
    const first = await open(dir);
    const batch = await first.service.create({ cwd, entries: [{ command: 'echo hi' }] });
    await first.service.approve(batch.id, { by: 'autonomy:0123abcd' });
    await closeHarness(first);
    const second = await open(dir);
    expect(second.service.get(batch.id)).toMatchObject({ status: 'pending', approvedBy: null });
    expect((await second.records()).find((r) => r.event === 'BATCH_UNAPPROVED')).toMatchObject({ approvedBy: 'autonomy:0123abcd' });
  });

  it('an inbox command whose batch was approved when Leash died is not stuck: a person decides and the inbox finishes it', async () => {
    const root = await tempDir();
    roots.push(root);
    const marker = join(root, 'ran.txt');
    const first = await createInboxRig({ root });
    await dropCommand(first.inboxDir, 'job.json', signed(unsignedCommand('job-a', { payload: { entries: [{ command: `echo ran >> '${marker}'` }] } })));
    await first.settle();
    const batchId = batchFor(first.harness, 'job-a')?.id as string;
    await first.harness.service.approve(batchId);
    await first.close();

    const second = await createInboxRig({ root });
    rigs.push(second);
    await second.settle();
    expect(second.harness.service.get(batchId)).toMatchObject({ status: 'pending', note: APPROVED_NOT_RUN_NOTE });
    const ended = await approveAndRun(second.harness, batchId);
    expect(ended.status).toBe('completed');
    await second.inbox.idle();
    expect(await readJson(join(second.inboxDir, 'results', 'job-a.json'))).toMatchObject({ status: 'completed', exit_code: 0 });
    expect(await readFile(marker, 'utf8')).toBe('ran\n');
  });
});

describe('a batch left running', () => {
  it('ends the interrupted entry when the batch ends, so their durations agree', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-recover-'));
    const first = await open(dir);
    const batch = await first.service.create({ cwd, entries: [{ command: 'echo a' }, { command: 'echo b' }] });
    await closeHarness(first);
    const file = join(dir, 'batches', `${batch.id}.json`);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    Object.assign(stored, { status: 'running', startedAt: '2026-01-01T00:00:00.000Z', approvedBy: 'manual', approvedAt: '2026-01-01T00:00:00.000Z' });
    Object.assign(stored.entries[0], { status: 'running', approved: true, startedAt: '2026-01-01T00:00:01.000Z' });
    await writeFile(file, JSON.stringify(stored));
    const second = await open(dir);
    const recovered = second.service.get(batch.id);
    const entry = recovered.entries[0];
    expect(entry?.status).toBe('interrupted');
    expect(entry?.endedAt).toBe(recovered.finishedAt);
    expect(entry?.durationMs).toBe(Date.parse(recovered.finishedAt as string) - Date.parse('2026-01-01T00:00:01.000Z'));
  });
});

describe('what an interrupted entry left running', () => {
  it('is killed on the next start even when Leash died before recording its process group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-recover-'));
    const first = await open(dir);
    const batch = await first.service.create({ cwd, entries: [{ command: 'sleep 30' }] });
    await closeHarness(first);
    const entryId = batch.entries[0]?.id as string;
    // The entry's process as the runner starts it, with no identity in the batch file: the crash came first.
    const marker = `leash-unrecorded-${randomUUID()}`;
    const orphan = spawn('bash', ['-c', `exec -a ${marker} sleep 30`], { env: { ...process.env, LEASH_ENTRY_ID: entryId }, detached: true, stdio: 'ignore' });
    orphan.unref();
    await waitFor(async () => (await livePidsWith(marker)).length === 1);
    const file = join(dir, 'batches', `${batch.id}.json`);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    Object.assign(stored, { status: 'running', startedAt: new Date().toISOString() });
    Object.assign(stored.entries[0], { status: 'running', approved: true, startedAt: new Date().toISOString(), process: null });
    await writeFile(file, JSON.stringify(stored));

    const second = await open(dir);
    await waitFor(async () => (await livePidsWith(marker)).length === 0);
    expect(second.service.get(batch.id).status).toBe('interrupted');
    expect((await second.records()).find((r) => r.event === 'BATCH_FINISHED')?.reason).toMatch(/killed 1 process it left running/);
  });
});
