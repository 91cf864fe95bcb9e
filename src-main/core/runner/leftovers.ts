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
 * so they outlive it). Only members that started no earlier than the recorded leader count.
 * Returns how many processes were found.
 */
export async function reapLeftovers(group: ProcessIdentity, table: ProcessTable = defaultProcessTable): Promise<number> {
  const members = (await table.list()).filter(
    (row) => !row.zombie && row.pgid === group.pid && row.startTime !== undefined && row.startTime >= group.startTime,
  );
  if (members.length === 0) return 0;
  await killProcessTree(group.pid, { processTable: table });
  return members.length;
}
