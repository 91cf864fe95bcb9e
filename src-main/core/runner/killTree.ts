import { defaultProcessTable, processKey, treeMembers, type ProcessInfo, type ProcessTable } from './processTable.js';

export const DEFAULT_KILL_GRACE_MS = 400;
/** The grace is for cleanup handlers, not a negotiation: an emergency stop must be prompt. */
export const MAX_KILL_GRACE_MS = 500;

export interface KillTreeOptions {
  /** Time between SIGTERM and SIGKILL; clamped to 0..MAX_KILL_GRACE_MS. */
  graceMs?: number;
  processTable?: ProcessTable;
  /** How often the process table is re-read while waiting for the tree to die. */
  pollMs?: number;
  /** Longest wait for processes to vanish after SIGKILL (e.g. stuck in uninterruptible I/O). */
  killWaitMs?: number;
  /** Sends a signal; `target` is negative for a process group, as in kill(2). Injectable for tests. */
  signal?: (target: number, signal: NodeJS.Signals) => void;
}

export interface KillTreeReport {
  /** Pids that received SIGTERM (the group, counted by its members, plus escaped descendants). */
  terminated: number[];
  /** Pids still alive after the grace, which received SIGKILL. */
  forceKilled: number[];
  /** Pids still alive when we gave up waiting (normally empty). */
  survivors: number[];
}

/**
 * kill(2) that shrugs off ESRCH (the process exited meanwhile) and EPERM (a member became
 * another user, e.g. via sudo): one unkillable process must not stop the rest being killed;
 * it shows up in `survivors` instead.
 */
function sendSignal(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ESRCH' && code !== 'EPERM') throw error;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Ends a whole process tree: the process group `groupId` (whose leader is the entry's shell) and
 * every descendant that left the group, found by walking parent links. Sends SIGTERM (and
 * SIGCONT, since a stopped process cannot act on SIGTERM), waits up to the grace for the tree
 * to vanish, then SIGKILLs whatever is left, including processes forked during the grace.
 *
 * The descendants are snapshotted *before* any signal: once a parent dies its children are
 * reparented to init and the parent links that lead to them are gone.
 *
 * Resolves once no live (non-zombie) member remains, or after `killWaitMs` past the SIGKILL.
 * Never rejects for processes that are already gone. A process that both left the group and
 * was orphaned before the kill (a double fork such as `setsid -f`) has no link left to follow.
 */
export async function killProcessTree(groupId: number, options: KillTreeOptions = {}): Promise<KillTreeReport> {
  // kill(-1) or kill(0) would signal every process we may signal, or our own group.
  if (!Number.isInteger(groupId) || groupId <= 1 || groupId === process.pid) throw new Error(`refusing to kill process group ${groupId}`);
  const graceMs = Math.min(Math.max(options.graceMs ?? DEFAULT_KILL_GRACE_MS, 0), MAX_KILL_GRACE_MS);
  const table = options.processTable ?? defaultProcessTable;
  const pollMs = options.pollMs ?? 10;
  const killWaitMs = options.killWaitMs ?? 2000;
  const signal = options.signal ?? sendSignal;

  const known = new Set<string>();
  const remember = (members: ProcessInfo[]): ProcessInfo[] => {
    const safe = members.filter((info) => info.pid !== process.pid && info.pid > 1);
    for (const info of safe) known.add(processKey(info));
    return safe;
  };
  const signalAll = (members: ProcessInfo[], name: NodeJS.Signals): void => {
    signal(-groupId, name);
    for (const info of members) if (info.pgid !== groupId) signal(info.pid, name);
  };

  const initial = remember(treeMembers(await table.list(), groupId));
  signalAll(initial, 'SIGTERM');
  signalAll(initial, 'SIGCONT');

  let alive = await waitForTree(table, groupId, known, remember, graceMs, pollMs);
  const report: KillTreeReport = { terminated: initial.map((info) => info.pid), forceKilled: [], survivors: [] };
  if (alive.length === 0) return report;

  const forced = new Set<number>();
  const giveUpAt = performance.now() + killWaitMs;
  while (alive.length > 0) {
    signalAll(alive, 'SIGKILL');
    for (const info of alive) forced.add(info.pid);
    if (performance.now() >= giveUpAt) break;
    await sleep(pollMs);
    alive = remember(treeMembers(await table.list(), groupId, known));
  }
  report.forceKilled = [...forced];
  report.survivors = alive.map((info) => info.pid);
  return report;
}

/** Polls until no live member remains or `waitMs` passed; returns the members still alive. */
async function waitForTree(
  table: ProcessTable,
  groupId: number,
  known: Set<string>,
  remember: (members: ProcessInfo[]) => ProcessInfo[],
  waitMs: number,
  pollMs: number,
): Promise<ProcessInfo[]> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    // Children forked during the grace join `known`, so the SIGKILL reaches them too.
    const alive = remember(treeMembers(await table.list(), groupId, known));
    if (alive.length === 0) return alive;
    const left = deadline - performance.now();
    if (left <= 0) return alive;
    await sleep(Math.min(pollMs, left));
  }
}
