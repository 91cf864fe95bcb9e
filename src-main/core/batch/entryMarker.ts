import { readdir, readFile } from 'node:fs/promises';

/**
 * Every entry's processes carry `LEASH_ENTRY_ID=<entry id>` in their environment (children
 * inherit it). Recovery after a crash uses it to find what an entry left running even when Leash
 * died before it could record the process group (the moment between the spawn and that write),
 * so nothing of an interrupted entry outlives the restart. Entry ids are unique (a UUID plus the
 * index), so no other process matches. Linux only (/proc); elsewhere nothing is found.
 */
export const ENTRY_MARKER_VARIABLE = 'LEASH_ENTRY_ID';

/** Pids of live processes whose environment names `entryId`. */
export async function processesOfEntry(entryId: string, proc = '/proc'): Promise<number[]> {
  const wanted = `${ENTRY_MARKER_VARIABLE}=${entryId}`;
  let names: string[];
  try {
    names = await readdir(proc);
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = (await readFile(`${proc}/${name}/environ`, 'latin1')).split('\0');
      if (environ.includes(wanted)) found.push(Number(name));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/** Kills (SIGKILL) every live process of an entry; returns how many there were. */
export async function killProcessesOfEntry(entryId: string): Promise<number> {
  const pids = await processesOfEntry(entryId);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // It ended meanwhile.
    }
  }
  return pids.length;
}
