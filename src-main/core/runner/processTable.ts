import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { execa } from 'execa';

/** One row of the system's process table. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** True for a zombie: it has exited and only waits to be reaped, so it holds nothing open. */
  zombie: boolean;
  /**
   * Start time in clock ticks since boot (Linux), which with the pid identifies a process even
   * if its pid is reused. Undefined where the platform does not tell.
   */
  startTime?: number;
}

/** Reads a snapshot of all processes. Injectable so the kill path can be tested or ported. */
export interface ProcessTable {
  list(): Promise<ProcessInfo[]>;
}

/**
 * Parses the text of `/proc/<pid>/stat`. The command name sits in parentheses and may itself
 * contain spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // After ")": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
  // stime cutime cstime priority nice num_threads itrealvalue starttime ...
  const fields = text.slice(close + 2).split(' ');
  const state = fields[0];
  const ppid = Number(fields[1]);
  const pgid = Number(fields[2]);
  const startTime = Number(fields[19]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isInteger(pgid) || state === undefined) return undefined;
  return { pid, ppid, pgid, zombie: state === 'Z' || state === 'X', startTime: Number.isFinite(startTime) ? startTime : undefined };
}

/** Files read between yields to the event loop, so a big process table never stalls it for long. */
const SCAN_SLICE = 64;

/**
 * Linux: reads `/proc/<pid>/stat` for every process. Reads are synchronous on purpose: through
 * the thread pool each tiny file costs a round trip (a scan of 80 processes took 8–25 ms here,
 * against about 1 ms synchronously), and the kill path re-scans every few milliseconds. It
 * yields every SCAN_SLICE files. Processes that exit while we read are skipped.
 */
export const procfsProcessTable: ProcessTable = {
  async list() {
    const rows: ProcessInfo[] = [];
    const buffer = Buffer.alloc(1024); // a stat line is ~300 bytes; the comm field is at most 64
    const names = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
    for (let index = 0; index < names.length; index++) {
      if (index > 0 && index % SCAN_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      const row = readStat(`/proc/${names[index]}/stat`, buffer);
      if (row) rows.push(row);
    }
    return rows;
  },
};

function readStat(path: string, buffer: Buffer): ProcessInfo | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return parseProcStat(buffer.toString('latin1', 0, length));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Elsewhere (macOS, BSD): asks `ps`, which every POSIX system has. */
export const psProcessTable: ProcessTable = {
  async list() {
    const result = await execa('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], { reject: false });
    if (result.failed) return [];
    const rows: ProcessInfo[] = [];
    for (const line of result.stdout.split('\n')) {
      const [pid, ppid, pgid, stat] = line.trim().split(/\s+/);
      if (pid === undefined || ppid === undefined || pgid === undefined) continue;
      rows.push({ pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), zombie: (stat ?? '').startsWith('Z') });
    }
    return rows;
  },
};

export const defaultProcessTable: ProcessTable = process.platform === 'linux' ? procfsProcessTable : psProcessTable;

/** Identity of a process across snapshots: pid plus start time where known. */
export function processKey(info: ProcessInfo): string {
  return `${info.pid}:${info.startTime ?? ''}`;
}

/**
 * The live (non-zombie) members of an entry's tree in one snapshot: every process in the
 * entry's process group, every process already known as a member (`known`, by `processKey`),
 * and every descendant of any of those by parent links. Descendants are what catches a process
 * that left the group (`setsid`, `setpgid`) while its parent still lives.
 */
export function treeMembers(snapshot: readonly ProcessInfo[], groupId: number, known: ReadonlySet<string> = new Set()): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const info of snapshot) {
    const siblings = children.get(info.ppid);
    if (siblings) siblings.push(info);
    else children.set(info.ppid, [info]);
  }
  const members = new Map<number, ProcessInfo>();
  const queue = snapshot.filter((info) => info.pid === groupId || info.pgid === groupId || known.has(processKey(info)));
  while (queue.length > 0) {
    const info = queue.pop() as ProcessInfo;
    if (members.has(info.pid)) continue;
    members.set(info.pid, info);
    queue.push(...(children.get(info.pid) ?? []));
  }
  // A zombie has exited and holds nothing open: nothing to signal, nothing to wait for.
  return [...members.values()].filter((info) => !info.zombie);
}
