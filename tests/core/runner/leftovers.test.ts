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

  it('leaves alone a group whose leader started after the recorded one (the pid was reused by a later process)', async () => {
    const marker = `leash-reused-later-${randomUUID()}`;
    const pid = detachedTree(marker);
    await waitFor(async () => (await livePidsWith(marker)).length === 2);
    const identity = identifyProcess(pid)!;
    // What Leash recorded was an earlier process with this pid; the live one is someone else's.
    expect(await reapLeftovers({ pid, startTime: identity.startTime - 1 })).toBe(0);
    expect((await livePidsWith(marker)).length).toBe(2);
    process.kill(-pid, 'SIGKILL');
    await waitFor(async () => (await livePidsWith(marker)).length === 0);
  });

  it('kills what is left of the group, and its descendants, once the recorded leader has exited', async () => {
    const marker = `leash-leaderless-${randomUUID()}`;
    // The leader exits at once; its background child stays in the group, its grandchild leaves it.
    const child = spawn('/bin/bash', ['-c', `(exec -a ${marker}-child sleep 300) & (setsid bash -c 'exec -a ${marker}-escaped sleep 300' &) ; sleep 0.3`], { detached: true, stdio: 'ignore' });
    child.unref();
    const pid = child.pid as number;
    const identity = identifyProcess(pid)!;
    await waitFor(async () => (await livePidsWith(`${marker}-child`)).length === 1);
    await waitFor(() => identifyProcess(pid) === undefined);
    expect(await reapLeftovers(identity)).toBeGreaterThanOrEqual(1);
    expect(await livePidsWith(`${marker}-child`)).toEqual([]);
    for (const survivor of await livePidsWith(marker)) process.kill(survivor, 'SIGKILL');
  });

  it('finds nothing for a process that is gone', async () => {
    expect(identifyProcess(2 ** 22 + 12345)).toBeUndefined();
    expect(await reapLeftovers({ pid: 2 ** 22 + 12345, startTime: 1 })).toBe(0);
  });
});
