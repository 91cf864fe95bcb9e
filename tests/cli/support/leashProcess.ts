import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { livePidsWith, waitFor } from '../../core/batch/procfs.js';

/** Helpers for tests that drive the real, built `leash` binary as a separate process. */
/** LEASH_TEST_BIN runs another build (e.g. main's, for a before/after figure). */
export const BIN = process.env.LEASH_TEST_BIN ?? join(process.cwd(), 'bin/leash.js');

export interface LeashHome {
  dir: string;
  home: string;
  /** A unique name to run `sleep` under (`exec -a MARKER sleep N`), found in /proc by it. */
  marker: string;
}

export async function leashHome(prefix = 'leash-proc-'): Promise<LeashHome> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, home: join(dir, 'home'), marker: `leash-probe-${randomUUID()}` };
}

export interface Spawned {
  child: ChildProcess;
  /** Everything read from its output so far (stdout and stderr merged when `merged`). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `leash ARGS` with LEASH_HOME set. With `merged`, stderr goes into the stdout pipe
 * (`2>&1 | tee`): bash dup2s it and then execs node, so the pid is Leash's own.
 */
export function spawnLeash(args: string[], home: string, options: { merged?: boolean; cwd?: string; stdin?: 'ignore' | 'pipe' } = {}): Spawned {
  const command = options.merged
    ? spawn('/bin/bash', ['-c', 'exec "$0" "$@" 2>&1', process.execPath, BIN, ...args], { env: { ...process.env, LEASH_HOME: home }, stdio: [options.stdin ?? 'ignore', 'pipe', 'ignore'], cwd: options.cwd })
    : spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LEASH_HOME: home }, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'], cwd: options.cwd });
  let text = '';
  command.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  command.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  command.stdout?.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => command.on('exit', (code, signal) => resolve({ code, signal })));
  return { child: command, output: () => text, exited };
}

/** Closes the reading end of the child's output pipe, as `tee` does when Ctrl+C kills it. */
export function closeReader(spawned: Spawned): void {
  spawned.child.stdout?.destroy();
  spawned.child.stderr?.destroy();
}

export async function waitForOutput(spawned: Spawned, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  await waitFor(() => pattern.test(spawned.output()), timeoutMs);
  return spawned.output().match(pattern) as RegExpMatchArray;
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export interface AuditLine {
  event: string;
  reason?: string;
  details?: Record<string, unknown>;
}

export async function auditRecords(home: string): Promise<AuditLine[]> {
  const text = await readFile(join(home, 'audit.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditLine);
}

export async function auditEvents(home: string): Promise<string[]> {
  return (await auditRecords(home)).map((record) => record.event);
}

/** SIGKILLs whatever still runs under `marker` (cleanup after a failing test). */
export async function killMarked(marker: string): Promise<void> {
  for (const pid of await livePidsWith(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

/**
 * Pids of live processes running *as* `marker` (`exec -a MARKER ...`: argv[0] is the marker).
 * Unlike livePidsWith, a shell or start gate that only carries the marker in its arguments,
 * before its command runs, does not count.
 */
export async function runningAs(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await livePidsWith(marker)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.startsWith(`${marker}\0`)) pids.push(pid);
  }
  return pids;
}

export { livePidsWith, waitFor };
