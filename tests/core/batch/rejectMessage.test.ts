import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REJECTION_MESSAGE_CHARS } from '../../../src-main/core/batch/rejection.js';
import { createHarness, projectDirectory, type Harness } from './harness.js';

/** Rejecting with a message for the agent: checked, trimmed, stored, audited; refused messages change nothing. */
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const cwd = projectDirectory();

async function pendingBatch(): Promise<{ h: Harness; id: string }> {
  harness = await createHarness();
  const batch = await harness.service.create({ cwd, entries: [{ command: 'echo x' }] });
  return { h: harness, id: batch.id };
}

describe('rejecting with a message for the agent', () => {
  it('stores the trimmed message on the batch, on disk, and in the BATCH_REJECTED record', async () => {
    const { h, id } = await pendingBatch();
    const rejected = await h.service.reject(id, undefined, { message: '\n  Use `npm test -- unit` instead;\r\n\tthe full suite takes an hour.  \n' });
    const expected = 'Use `npm test -- unit` instead;\n\tthe full suite takes an hour.';
    expect(rejected).toMatchObject({ status: 'rejected', note: 'rejected by a person', rejectionMessage: expected });
    expect(JSON.parse(await readFile(join(h.dir, 'batches', `${id}.json`), 'utf8')).rejectionMessage).toBe(expected);
    const records = (await h.records()).filter((r) => r.event === 'BATCH_REJECTED');
    expect(records).toEqual([expect.objectContaining({ batchId: id, reason: 'rejected by a person', details: { message: expected } })]);
  });

  it.each(['', '   ', '\n\t\n', undefined])('takes %j as no message: nothing stored, no details recorded', async (message) => {
    const { h, id } = await pendingBatch();
    expect((await h.service.reject(id, undefined, { message })).rejectionMessage).toBeNull();
    const record = (await h.records()).find((r) => r.event === 'BATCH_REJECTED');
    expect(record?.details).toBeUndefined();
  });

  it('counts characters as people do: an emoji is one', async () => {
    const { h, id } = await pendingBatch();
    const message = '🙂'.repeat(MAX_REJECTION_MESSAGE_CHARS);
    expect((await h.service.reject(id, undefined, { message })).rejectionMessage).toBe(message);
  });

  it.each<[string, string, string, RegExp]>([
    ['one character too long', 'x'.repeat(MAX_REJECTION_MESSAGE_CHARS + 1), 'REJECTION_MESSAGE_TOO_LONG', /is 2001 characters long; at most 2000/],
    ['an escape sequence', 'fine \u001b[31mred', 'REJECTION_MESSAGE_INVALID', /U\+001B \(escape\) at character 6/],
    ['a NUL', 'a\u0000b', 'REJECTION_MESSAGE_INVALID', /U\+0000 \(NUL\) at character 2/],
    ['a right-to-left override', 'run \u202etset mpn', 'REJECTION_MESSAGE_INVALID', /U\+202E \(right-to-left override\)/],
    ['a C1 control', 'a\u0085b', 'REJECTION_MESSAGE_INVALID', /U\+0085/],
    ['a line separator', 'a\u2028b', 'REJECTION_MESSAGE_INVALID', /U\+2028/],
  ])('refuses %s with a stable code, and the batch stays pending and unaudited', async (_name, message, code, why) => {
    const { h, id } = await pendingBatch();
    await expect(h.service.reject(id, undefined, { message })).rejects.toMatchObject({ code, message: expect.stringMatching(why) });
    expect(h.service.get(id)).toMatchObject({ status: 'pending', rejectionMessage: null });
    expect((await h.records()).some((r) => r.event === 'BATCH_REJECTED')).toBe(false);
  });

  it('rejects an approved batch that has not started with a message too', async () => {
    const { h, id } = await pendingBatch();
    await h.service.approve(id);
    expect(await h.service.reject(id, undefined, { message: 'wrong directory' })).toMatchObject({ status: 'rejected', rejectionMessage: 'wrong directory' });
  });
});
