import { readFileSync } from 'node:fs';
import { killProcessTree } from './killTree.js';
import { defaultProcessTable, parseProcStat, type ProcessTable } from './processTable.js';

/**
 * An entry's process group, identified well enough to find it again after Leash itself died:
 * the group leader's pid plus its start time (clock ticks since boot), so a reused pid is never
 * mistaken for it. Only Linux tells start times; elsewhere nothing is recorded and nothing is
 * reaped (killing by a bare pid could hit an unrelated process).
 */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

export function identifyProcess(pid: number): ProcessIdentity | undefined {
  try {
    const info = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    return info?.startTime === undefined ? undefined : { pid, startTime: info.startTime };
  } catch {
    return undefined;
  }
}

/**
 * Kills what is left of an entry's process group after a crash of Leash (entries run detached,
 * so they outlive it). Returns how many processes were found.
 *
 * "Still ours" is decided exactly, never by "started no earlier than": a live process with the
 * recorded pid counts only with the recorded start time; with any other start time the pid was
 * reused and nothing is touched (its group is someone else's). With no process at that pid the
 * leader has exited, and the group's remaining members are what the entry left behind: Linux
 * does not hand out a pid again while a process group of that id has members. (Residual: if
 * the whole group ended, the pid was reused by a process that led a new group and exited,
 * and that group's members still run, they would be taken for ours.)
 */
export async function reapLeftovers(group: ProcessIdentity, table: ProcessTable = defaultProcessTable): Promise<number> {
  const snapshot = await table.list();
  const leader = snapshot.find((row) => row.pid === group.pid);
  if (leader && leader.startTime !== group.startTime) return 0;
  const members = snapshot.filter(
    (row) => !row.zombie && row.pgid === group.pid && row.startTime !== undefined && row.startTime >= group.startTime,
  );
  if (members.length === 0) return 0;
  await killProcessTree(group.pid, { processTable: table });
  return members.length;
}
