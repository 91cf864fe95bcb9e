import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboxHooks, InboxStep } from '../../../src-main/core/inbox/index.js';
import { approveAndRun, batchFor, createInboxRig, dropCommand, listDir, readJson, removeDir, signed, tempDir, unsignedCommand, type InboxRig } from './inboxFixtures.js';

/**
 * Crash safety: the processor is stopped dead at a step (the hook throws, so nothing after it
 * runs, and a failed command is not retried by the same process), the whole Leash is closed,
 * and a new one is started over the same files, as after a power cut.
 */

const rigs: InboxRig[] = [];
const roots: string[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close().catch(() => undefined);
  for (const root of roots.splice(0)) await removeDir(root);
});

function crashAt(step: InboxStep): InboxHooks {
  return {
    afterStep(current) {
      if (current === step) throw new Error(`simulated crash after ${step}`);
    },
  };
}

async function rigAt(root: string, hooks?: InboxHooks): Promise<InboxRig> {
  const rig = await createInboxRig({ root, hooks });
  rigs.push(rig);
  return rig;
}

async function stopRig(rig: InboxRig): Promise<void> {
  rigs.splice(rigs.indexOf(rig), 1);
  await rig.close();
}

/** A command that leaves one line in `marker` each time it runs. */
function countingCommand(id: string, marker: string): Record<string, unknown> {
  return signed(unsignedCommand(id, { payload: { entries: [{ command: `echo ran >> '${marker}'` }] } }));
}

async function expectFinishedOnce(rig: InboxRig, id: string, marker: string): Promise<void> {
  expect(await readFile(marker, 'utf8')).toBe('ran\n');
  expect(await readJson(join(rig.inboxDir, 'results', `${id}.json`))).toMatchObject({ status: 'completed', exit_code: 0 });
  expect(await readJson(join(rig.inboxDir, 'results', `${id}.integrity.json`))).toMatchObject({ status: 'completed', hmac_ok: true });
  expect(await listDir(join(rig.inboxDir, 'archive'))).toEqual([`${id}.json`]);
  expect(await listDir(join(rig.inboxDir, 'commands'))).toEqual([]);
  expect(await listDir(join(rig.inboxDir, 'meta', 'accepted'))).toEqual([]);
  expect(await listDir(join(rig.inboxDir, 'dead_letter'))).toEqual([]);
  expect((await readJson(join(rig.inboxDir, 'meta', 'inflight.json'))).commands).toEqual({});
  const created = (await rig.harness.records()).filter((r) => r.event === 'BATCH_CREATED' && (r.details as { source?: string }).source === `inbox:${id}`);
  expect(created).toHaveLength(1);
}

describe('a crash while a command is being accepted', () => {
  it.each<InboxStep>(['inflight-recorded', 'moved-to-accepted', 'batch-created', 'batch-recorded'])(
    'after "%s": the restarted inbox has exactly one batch for it, which runs once',
    async (step) => {
      const root = await tempDir();
      roots.push(root);
      const marker = join(root, 'ran.txt');
      const first = await rigAt(root, crashAt(step));
      await dropCommand(first.inboxDir, 'job.json', countingCommand('job-c', marker));
      await first.settle();
      expect(first.problems).toEqual([`inbox command job-c: simulated crash after ${step}`]);
      await stopRig(first);

      const second = await rigAt(root);
      const batch = batchFor(second.harness, 'job-c');
      expect(batch?.status).toBe('pending');
      await second.settle();
      expect(second.harness.service.list().items).toHaveLength(1);
      await approveAndRun(second.harness, batch?.id as string);
      await second.inbox.idle();
      await expectFinishedOnce(second, 'job-c', marker);
      expect(second.problems).toEqual([]);
    },
  );
});

describe('a crash while results are being written', () => {
  it.each<InboxStep>(['results-written', 'integrity-written', 'archived'])('after "%s": the restarted inbox finishes the files and never runs the batch again', async (step) => {
    const root = await tempDir();
    roots.push(root);
    const marker = join(root, 'ran.txt');
    const first = await rigAt(root, crashAt(step));
    await dropCommand(first.inboxDir, 'job.json', countingCommand('job-r', marker));
    await first.settle();
    await approveAndRun(first.harness, batchFor(first.harness, 'job-r')?.id as string);
    await first.inbox.idle();
    expect(first.problems).toEqual([`inbox command job-r: simulated crash after ${step}`]);
    await stopRig(first);

    const second = await rigAt(root);
    await second.inbox.idle();
    await expectFinishedOnce(second, 'job-r', marker);
    const written = (await second.harness.records()).filter((r) => r.event === 'INBOX_RESULT_WRITTEN');
    expect(written.length).toBeGreaterThanOrEqual(1);
  });
});

describe('a crash while the batch runs', () => {
  it('leaves results for what ran and an INTERRUPTED dead letter; the command is never run again', async () => {
    const root = await tempDir();
    const copy = await tempDir();
    roots.push(root, copy);
    const marker = join(root, 'ran.txt');
    const first = await rigAt(root);
    const command = `echo started >> '${marker}'; sleep 20; echo finished >> '${marker}'`;
    await dropCommand(first.inboxDir, 'job.json', signed(unsignedCommand('job-i', { payload: { entries: [{ command }] } })));
    await first.settle();
    const batchId = batchFor(first.harness, 'job-i')?.id as string;
    await first.harness.service.approve(batchId);
    await first.harness.service.run(batchId);
    for (let i = 0; i < 200 && !(await readFile(marker, 'utf8').catch(() => '')).includes('started'); i++) await new Promise((resolve) => setTimeout(resolve, 25));

    // The power goes out now: a new Leash starts over the files exactly as they are on disk.
    await cp(join(root, 'inbox'), join(copy, 'inbox'), { recursive: true });
    await cp(join(root, 'leash', 'batches'), join(copy, 'leash', 'batches'), { recursive: true });
    await first.harness.service.emergencyStop();
    await stopRig(first);

    const second = await rigAt(copy);
    await second.inbox.idle();
    expect(second.harness.service.get(batchId).status).toBe('interrupted');
    expect(await readJson(join(second.inboxDir, 'results', 'job-i.json'))).toMatchObject({ status: 'interrupted', entries: [{ status: 'interrupted' }] });
    expect(await readJson(join(second.inboxDir, 'dead_letter', 'job-i.json'))).toMatchObject({ reason: 'INTERRUPTED', batch_id: batchId, original: { id: 'job-i' } });
    expect(await listDir(join(second.inboxDir, 'archive'))).toEqual([]);
    expect(await listDir(join(second.inboxDir, 'meta', 'accepted'))).toEqual([]);
    expect((await readJson(join(second.inboxDir, 'meta', 'inflight.json'))).commands).toEqual({});
    await second.settle();
    expect(second.harness.service.list().items).toHaveLength(1);
    expect(await readFile(marker, 'utf8')).toBe('started\n');
  });

  it('dead-letters as INTERRUPTED, without a new batch, a command whose recorded batch has vanished', async () => {
    const root = await tempDir();
    roots.push(root);
    const first = await rigAt(root);
    await dropCommand(first.inboxDir, 'job.json', signed(unsignedCommand('job-v')));
    await first.settle();
    const batchId = batchFor(first.harness, 'job-v')?.id as string;
    await stopRig(first);
    await rm(join(root, 'leash', 'batches', `${batchId}.json`));

    const second = await rigAt(root);
    expect(second.harness.service.list().items).toEqual([]);
    expect(await readJson(join(second.inboxDir, 'dead_letter', 'job-v.json'))).toMatchObject({ reason: 'INTERRUPTED', batch_id: batchId });
    expect((await readJson(join(second.inboxDir, 'meta', 'inflight.json'))).commands).toEqual({});
  });
});
