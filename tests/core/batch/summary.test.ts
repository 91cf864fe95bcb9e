import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_COMMAND_CHARS, summarize } from '../../../src-main/core/batch/summary.js';
import { createHarness, type Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('summarize', () => {
  it('counts verdicts and entry statuses of a batch the service created, and keeps its first command', async () => {
    harness = await createHarness();
    const batch = await harness.service.create({
      entries: [{ command: 'ls -la' }, { command: 'make build' }, { command: 'rm -rf /' }],
      cwd: harness.dir,
      source: 'agent:test',
    });
    expect(summarize(batch)).toEqual({
      id: batch.id,
      source: 'agent:test',
      createdAt: batch.createdAt,
      updatedAt: batch.updatedAt,
      status: 'pending',
      cwd: harness.dir,
      firstCommand: 'ls -la',
      entryCount: 3,
      verdicts: { allow: 1, ask: 1, deny: 1 },
      entryStatuses: { pending: 3 },
    });
  });

  it('follows the entries through approval: a denied entry is counted blocked, the others still pending', async () => {
    harness = await createHarness();
    const batch = await harness.service.create({ entries: [{ command: 'ls' }, { command: 'rm -rf /' }], cwd: harness.dir, source: 'paste' });
    const approved = await harness.service.approve(batch.id);
    expect(summarize(approved)).toMatchObject({ status: 'approved', entryStatuses: { pending: 1, blocked: 1 } });
  });

  it('cuts a long first command to its limit without splitting a surrogate pair', async () => {
    harness = await createHarness();
    const long = `echo ${'a'.repeat(FIRST_COMMAND_CHARS - 6)}😀 and more`;
    const batch = await harness.service.create({ entries: [{ command: long }], cwd: harness.dir, source: 'paste' });
    const { firstCommand } = summarize(batch);
    expect(firstCommand.length).toBe(FIRST_COMMAND_CHARS - 1);
    expect(long.startsWith(firstCommand)).toBe(true);
    expect(firstCommand.endsWith('a')).toBe(true);
  });
});
