import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { identifyProcess, reapLeftovers } from '../../../src-main/core/runner/leftovers.js';
import { livePidsWith, waitFor } from '../batch/procfs.js';

function detachedTree(marker: string): number {
  const child = spawn('/bin/bash', ['-c', `(exec -a ${marker}-child sleep 300) & exec -a ${marker}-leader sleep 300`], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid as number;
}

describe('reaping what a crashed Leash left running', () => {
  it('kills the whole group of a recorded entry process', async () => {
    const marker = `leash-leftover-${randomUUID()}`;
    const pid = detachedTree(marker);
    await waitFor(async () => (await livePidsWith(marker)).length === 2);
    const identity = identifyProcess(pid);
    expect(identity?.pid).toBe(pid);
    expect(await reapLeftovers(identity!)).toBe(2);
    expect(await livePidsWith(marker)).toEqual([]);
  });

  it('leaves alone a process whose pid matches but which started before the recorded one (a reused pid)', async () => {
    const marker = `leash-reused-${randomUUID()}`;
    const pid = detachedTree(marker);
    await waitFor(async () => (await livePidsWith(marker)).length === 2);
    const identity = identifyProcess(pid)!;
    expect(await reapLeftovers({ pid, startTime: identity.startTime + 1_000_000 })).toBe(0);
    expect((await livePidsWith(marker)).length).toBe(2);
    process.kill(-pid, 'SIGKILL');
    await waitFor(async () => (await livePidsWith(marker)).length === 0);
  });

  it('finds nothing for a process that is gone', async () => {
    expect(identifyProcess(2 ** 22 + 12345)).toBeUndefined();
    expect(await reapLeftovers({ pid: 2 ** 22 + 12345, startTime: 1 })).toBe(0);
  });
});
