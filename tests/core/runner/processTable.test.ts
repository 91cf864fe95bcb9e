import { describe, expect, it } from 'vitest';
import { killProcessTree, procfsProcessTable, psProcessTable, type ProcessInfo } from '../../../src-main/core/runner/index.js';
import { parseProcStat, processKey, treeMembers } from '../../../src-main/core/runner/processTable.js';

const row = (pid: number, ppid: number, pgid: number, zombie = false): ProcessInfo => ({ pid, ppid, pgid, zombie, startTime: pid * 10 });

describe('parseProcStat', () => {
  it('counts fields from the last parenthesis, so a command name with spaces and parentheses parses', () => {
    const line = '4242 (evil) (name) S 4200 4242 100 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 987654 1000 10\n';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 4200, pgid: 4242, zombie: false, startTime: 987654 });
  });

  it('marks zombies', () => {
    expect(parseProcStat('7 (sh) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0')?.zombie).toBe(true);
  });

  it('rejects text that is not a stat line', () => {
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});

describe('treeMembers', () => {
  // 100 is the entry's shell and group; 103 left the group with setsid; 104 is its child;
  // 105 is a zombie; 200 is unrelated; 300 is an orphan from an earlier snapshot.
  const snapshot = [
    row(1, 0, 1), row(100, 1, 100), row(101, 100, 100), row(102, 1, 100), row(103, 101, 103), row(104, 103, 103),
    row(105, 100, 100, true), row(200, 1, 200), row(201, 200, 200), row(300, 1, 300),
  ];

  it('takes the group, the descendants that left it, and no zombies or strangers', () => {
    expect(treeMembers(snapshot, 100).map((info) => info.pid).sort()).toEqual([100, 101, 102, 103, 104]);
  });

  it('keeps following processes it already knew after they were orphaned', () => {
    const known = new Set([processKey(row(300, 1, 300))]);
    expect(treeMembers(snapshot, 100, known).map((info) => info.pid)).toContain(300);
  });

  it('does not mistake a new process that reused a known pid for the old one', () => {
    const known = new Set([processKey({ ...row(200, 1, 200), startTime: 1 })]);
    expect(treeMembers(snapshot, 100, known).map((info) => info.pid)).not.toContain(200);
  });
});

describe('process tables', () => {
  it('find this process with its parent and group, through /proc and through ps alike', async () => {
    const expected = { pid: process.pid, ppid: process.ppid, pgid: expect.any(Number), zombie: false };
    const fromProc = (await procfsProcessTable.list()).find((info) => info.pid === process.pid);
    const fromPs = (await psProcessTable.list()).find((info) => info.pid === process.pid);
    expect(fromProc).toMatchObject(expected);
    expect(fromPs).toMatchObject({ ...expected, pgid: fromProc?.pgid });
  });
});

describe('killProcessTree', () => {
  it.each([0, 1, -5, process.pid])('refuses to signal group %i, which would reach far more than one entry', async (groupId) => {
    await expect(killProcessTree(groupId)).rejects.toThrow(/refusing/);
  });

  it('resolves with nothing to do for a group that no longer exists', async () => {
    const gone = (await procfsProcessTable.list()).reduce((max, info) => Math.max(max, info.pid), 0) + 100_000;
    expect(await killProcessTree(gone)).toEqual({ terminated: [], forceKilled: [], survivors: [] });
  });
});
