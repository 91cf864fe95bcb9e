import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/** Pids of live (non-zombie) processes whose command line contains `marker`. */
export async function livePidsWith(marker: string): Promise<number[]> {
  return livePids((cmdline) => cmdline.includes(marker));
}

/**
 * Pids of live processes whose program name (argv[0], as `exec -a` sets it) is exactly `name`:
 * the command itself, not the sandbox's or a shell's processes that carry it in their arguments.
 */
export async function livePidsNamed(name: string): Promise<number[]> {
  return livePids((cmdline) => cmdline.split(' ')[0] === name);
}

async function livePids(matches: (cmdline: string) => boolean): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (!matches(cmdline)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && state !== 'X') pids.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The same, read synchronously (for checks polled in a loop): pids of live processes other
 * than this one whose command line (NULs as read from /proc) satisfies `matches`.
 */
export function livePidsSync(matches: (cmdline: string) => boolean): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (!matches(readFileSync(`/proc/${name}/cmdline`, 'latin1'))) continue;
      const state = readFileSync(`/proc/${name}/stat`, 'latin1').replace(/^.*\) /s, '')[0];
      if (state !== 'Z' && state !== 'X') found.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Polls `check` until it holds; fails naming `what` after `limitMs`. */
export async function until(check: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
