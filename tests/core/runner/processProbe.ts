import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real-process test helpers. Each test runs commands through a `sleep` symlinked under a unique
 * name, so every process it starts (and the shell, whose command line names it) can be found in
 * /proc by that name, whatever pid or process group it ended up in.
 */
export interface ProbeSandbox {
  dir: string;
  marker: string;
  /** Absolute path of a `sleep` whose command line carries the marker. */
  sleeper: string;
  /** Live (non-zombie) processes whose command line contains the marker, excluding this one. */
  survivors(): Promise<number[]>;
  /** Waits until at least `count` marked sleepers run (not counting shells) and returns their pids. */
  sleepersRunning(count: number): Promise<number[]>;
  /** SIGKILLs the survivors (cleanup after a failed test) and removes the directory. */
  dispose(): Promise<void>;
}

export async function createSandbox(): Promise<ProbeSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'leash-runner-'));
  const marker = `leash-probe-${randomBytes(6).toString('hex')}`;
  const sleeper = join(dir, marker);
  await symlink('/bin/sleep', sleeper);
  const survivors = () => processesMatching(marker);
  const sleepers = () => processesMatching(`${sleeper}\0`, true);
  return {
    dir,
    marker,
    sleeper,
    survivors,
    sleepersRunning: (count) => eventually(async () => {
      const pids = await sleepers();
      return pids.length >= count && pids;
    }),
    async dispose() {
      for (const pid of await survivors()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Live processes whose command line contains `text` (or, with `atStart`, begins with it). */
async function processesMatching(text: string, atStart = false): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8');
      if (atStart ? !cmdline.startsWith(text) : !cmdline.includes(text)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && state !== 'X') found.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Process group id of a live process, from /proc. */
export async function processGroupOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** Polls until `check` returns a truthy value; the test's own timeout bounds the wait. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A minimal environment for commands: enough PATH to find coreutils, nothing else inherited. */
export const testEnv = (): Record<string, string> => ({ PATH: '/usr/local/bin:/usr/bin:/bin' });
