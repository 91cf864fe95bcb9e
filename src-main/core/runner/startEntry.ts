import { execa } from 'execa';
import { systemClock, type Clock } from './clock.js';
import { DEFAULT_CAPTURE_LIMITS, StreamCapture, type CaptureLimits } from './capturedStream.js';
import { processEntryRegistry, type EntryRegistry } from './entryRegistry.js';
import { DEFAULT_KILL_GRACE_MS, killProcessTree } from './killTree.js';
import { DEFAULT_THROTTLE_LIMITS, OutputThrottle, type ThrottleLimits } from './outputThrottle.js';
import type { ProcessTable } from './processTable.js';
import { classifySpawnFailure } from './spawnFailure.js';
import { gatedCommand, isExecutableFile, openGate } from './startGate.js';
import type { EntryError, EntryHooks, EntryRequest, EntryRunResult, KillReason, OutputStreamName, RunningEntry } from './types.js';

export const DEFAULT_SHELL = '/bin/bash';

/** Everything a caller may swap; all optional, with production defaults. */
export interface RunnerOptions {
  registry?: EntryRegistry;
  clock?: Clock;
  capture?: CaptureLimits;
  throttle?: ThrottleLimits;
  /** SIGTERM→SIGKILL grace of the kill path (default 400 ms, at most 500 ms). */
  killGraceMs?: number;
  processTable?: ProcessTable;
  /**
   * After a kill, how long to keep reading pipes that are still open before destroying them.
   * A process we could not find (orphaned before the kill) may hold them for ever; the wait
   * only lets bytes already in the pipe arrive.
   */
  pipeDrainMs?: number;
}

/** setTimeout fires at once for delays above this (2^31-1 ms), so longer limits mean "none". */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs `shell -c command` (inside `request.wrapper` when given: the sandbox) behind the start
 * gate (startGate.ts) in a new process group (pgid = pid) with stdin from /dev/null, in
 * `request.cwd`, with exactly `request.env`. Output goes to `hooks.onOutput` live (coalesced)
 * and into bounded captures. After `request.timeoutMs` the kill path runs with reason
 * `timed_out`. The entry is in `options.registry` until its result settles.
 *
 * Never throws and `result` never rejects: a failure to spawn comes back (at once, with
 * `pid: null`) as outcome `error` with code CWD_NOT_FOUND, SHELL_NOT_FOUND or SPAWN_FAILED.
 * The result settles when the shell has exited and its output pipes closed; if a leftover
 * background process keeps them open, the entry is still running until it is killed or times out.
 */
export function startEntry(request: EntryRequest, hooks: EntryHooks = {}, options: RunnerOptions = {}): RunningEntry {
  return launch(request, options, false).begin(hooks);
}

/**
 * A sandboxed entry whose sandbox is set up ahead of its turn (see `prepareEntry`): bubblewrap
 * has made its namespaces and mounts and waits, with nothing of the command run, at a start
 * gate *inside* the sandbox. `start` lets it go exactly as `startEntry` would have started it.
 */
export interface PreparedEntry {
  /** What it was prepared to run; the caller compares it with what the entry needs at its turn. */
  readonly request: EntryRequest;
  /** True while `start` would run it: the process lives, has said nothing, was not killed or started. */
  usable(): boolean;
  /** Starts the held process (once), as `startEntry(request, hooks)` would; the timeout runs from now. */
  start(hooks?: EntryHooks): RunningEntry;
  /** Kills the held process tree (nothing of the command ran) and resolves once it is gone. Idempotent. */
  discard(): Promise<void>;
}

/**
 * Spawns `request` held, for a caller that will run it next: the wrapper (the sandbox) starts
 * now and the start gate sits inside it, so the sandbox's set-up happens while something else
 * runs. Until `start`, the process is registered (an emergency stop kills it) but has no timer
 * and runs nothing: the gate waits for a line on standard input, and if Leash dies first the
 * sandbox dies with it (`--die-with-parent`) and the gate sees end of file. Any output or exit
 * before `start` means the sandbox could not be set up: `usable()` turns false.
 * Only for requests with a wrapper (a sandbox whose set-up is worth hiding).
 */
export function prepareEntry(request: EntryRequest, options: RunnerOptions = {}): PreparedEntry {
  if (!request.wrapper) throw new Error('only a sandboxed entry can be prepared ahead');
  const launched = launch(request, options, true);
  let started = false;
  return {
    request,
    usable: () => !started && launched.intact(),
    start(hooks = {}) {
      if (started) throw new Error('a prepared entry starts once');
      started = true;
      return launched.begin(hooks);
    },
    discard() {
      started = true;
      return launched.discard();
    },
  };
}

interface Launched {
  /** Lets the held process run its command: the start gate opens once `hooks.onStart` settled. */
  begin(hooks: EntryHooks): RunningEntry;
  /** True while the process lives and has not written anything (only for a held one). */
  intact(): boolean;
  /** Kills the process unrun. */
  discard(): Promise<void>;
}

function launch(request: EntryRequest, options: RunnerOptions, gateInside: boolean): Launched {
  const clock = options.clock ?? systemClock;
  const shell = request.shell ?? DEFAULT_SHELL;
  let startedWall = clock.wallMs();
  let startedMono = clock.monotonicMs();
  const captures = {
    stdout: new StreamCapture(options.capture ?? DEFAULT_CAPTURE_LIMITS),
    stderr: new StreamCapture(options.capture ?? DEFAULT_CAPTURE_LIMITS),
  };
  const finish = (fields: Pick<EntryRunResult, 'outcome' | 'exitCode' | 'signal' | 'error'>): EntryRunResult => {
    const result: EntryRunResult = {
      ...fields,
      startedAt: new Date(startedWall).toISOString(),
      endedAt: new Date(clock.wallMs()).toISOString(),
      durationMs: Math.max(0, Math.round(clock.monotonicMs() - startedMono)),
      stdout: captures.stdout.finish(),
      stderr: captures.stderr.finish(),
    };
    if (result.error === undefined) delete result.error;
    return result;
  };
  const failed = (error: Promise<EntryError>): Launched => {
    const result = error.then((value) => finish({ outcome: 'error', exitCode: null, signal: null, error: value }));
    const entry: RunningEntry = { pid: null, result, kill: () => result.then(() => undefined), pause: () => undefined, resume: () => undefined };
    return { begin: () => entry, intact: () => false, discard: () => result.then(() => undefined) };
  };

  if (!isExecutableFile(shell)) {
    return failed(classifySpawnFailure(request, shell, `${shell} is not an executable file`));
  }
  if (request.wrapper && !isExecutableFile(request.wrapper.file)) {
    // Checked here for the same reason as the shell: behind the gate a missing program is exit 127.
    return failed(Promise.resolve({ code: 'SANDBOX_UNAVAILABLE', message: `the sandbox program ${request.wrapper.file} is not an executable file; nothing was run` }));
  }
  let subprocess: ShellProcess;
  try {
    subprocess = spawnShell(shell, request, gateInside);
  } catch (error) {
    // execa throws synchronously for arguments no process can take (a NUL byte in the command).
    return failed(Promise.resolve({ code: 'SPAWN_FAILED', message: (error as Error).message }));
  }
  const pid = subprocess.pid;
  if (pid === undefined) {
    return failed(subprocess.then((spawn) => classifySpawnFailure(request, shell, failureMessage(spawn))));
  }

  let throttle: OutputThrottle | undefined;
  let begun = false;
  let spoken = false;
  for (const name of ['stdout', 'stderr'] as const satisfies OutputStreamName[]) {
    subprocess[name].on('data', (chunk: Buffer) => {
      if (!begun) spoken = true;
      captures[name].push(chunk);
      throttle?.push(name, chunk);
    });
  }

  let exitedYet = false;
  const exited = new Promise<void>((resolve) =>
    subprocess.once('exit', () => {
      exitedYet = true;
      resolve();
    }),
  );
  let killReason: KillReason | undefined;
  let killing: Promise<void> | undefined;
  let settled = false;
  let holdFailed: EntryError | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const result: Promise<EntryRunResult> = subprocess.then((run) => {
    settled = true;
    clearTimeout(timer);
    throttle?.close();
    unregister();
    const exitCode = run.exitCode ?? null;
    const signal = run.signal ?? null;
    const broken: EntryError | undefined =
      holdFailed ?? (exitCode === null && signal === null ? { code: 'OUTPUT_FAILED', message: failureMessage(run) } : undefined);
    const outcome = holdFailed ? 'error' : killReason ?? (exitCode === 0 ? 'completed' : 'error');
    return finish({ outcome, exitCode, signal, error: broken });
  });

  const setReading = (reading: boolean): void => {
    for (const name of ['stdout', 'stderr'] as const) {
      if (reading) subprocess[name].resume();
      else subprocess[name].pause();
    }
  };
  const kill = (reason: KillReason): Promise<void> => {
    if (!settled && killing === undefined) {
      killReason = reason;
      // A paused pipe would never end: the tree's last bytes are read (bounded: what the pipes hold).
      setReading(true);
      // Nothing in it should reject; if it did, an unhandled rejection would take the whole
      // app down with it, and the result still settles through execa.
      killing = killTreeAndRelease(pid, subprocess, exited, options).catch(() => undefined);
    }
    return result.then(() => undefined);
  };
  // Registered from the spawn: an emergency stop reaches a held (prepared) process too.
  const unregister = (options.registry ?? processEntryRegistry).register({ pid, command: request.command, result, kill });

  const begin = (hooks: EntryHooks): RunningEntry => {
    begun = true;
    if (gateInside) {
      // A prepared entry's time starts at its turn, not when its sandbox was set up.
      startedWall = clock.wallMs();
      startedMono = clock.monotonicMs();
    }
    throttle = hooks.onOutput ? new OutputThrottle(hooks.onOutput, options.throttle ?? DEFAULT_THROTTLE_LIMITS) : undefined;
    // The command runs only once onStart's promise settled: its record of the process comes first.
    // If recording fails, the held process is killed and the command never runs.
    queueMicrotask(() => {
      let held: unknown;
      try {
        held = hooks.onStart?.(pid);
      } catch {
        // A consumer's bug must not break supervision of the process.
      }
      Promise.resolve(held).then(
        () => openGate(subprocess.stdin),
        (error: unknown) => {
          holdFailed = { code: 'SPAWN_FAILED', message: `the process could not be recorded before its command ran: ${(error as Error)?.message ?? String(error)}` };
          void kill('cancelled');
        },
      );
    });
    const timeoutMs = request.timeoutMs;
    if (!settled) timer = timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS ? setTimeout(() => void kill('timed_out'), timeoutMs) : undefined;
    return {
      pid,
      result,
      kill,
      pause: () => {
        if (!settled && killing === undefined) setReading(false);
      },
      resume: () => setReading(true),
    };
  };
  return {
    begin,
    intact: () => !begun && !spoken && !exitedYet && !settled && killing === undefined,
    discard: () => kill('cancelled'),
  };
}

/**
 * The kill path of one entry: the whole tree, then the pipes. Once every process we can find is
 * gone and the shell has exited, pipes still open can only be held by a process we could not
 * find; after a short drain they are destroyed so the result settles anyway.
 */
async function killTreeAndRelease(
  pid: number,
  subprocess: ShellProcess,
  exited: Promise<void>,
  options: RunnerOptions,
): Promise<void> {
  try {
    await killProcessTree(pid, { graceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS, processTable: options.processTable });
  } catch {
    // Reading the process table failed: fall back to what execa alone can do, the shell itself.
    subprocess.kill('SIGKILL');
  }
  await exited;
  const drained = subprocess.then(() => true);
  const timedOut = new Promise<false>((resolve) => setTimeout(() => resolve(false), options.pipeDrainMs ?? 100));
  if (!(await Promise.race([drained, timedOut]))) {
    subprocess.stdout.destroy();
    subprocess.stderr.destroy();
  }
}

function spawnShell(shell: string, request: EntryRequest, gateInside: boolean) {
  // The sandbox goes behind the gate: the gate execs the wrapper (bwrap keeps the gate's pid and
  // start time), so the identity recorded before the command ran is the sandbox's own process.
  // A prepared entry has the gate inside the sandbox instead (the sandbox is set up while held);
  // the spawned process, whose identity is recorded, is then the sandbox itself.
  const gated = !request.wrapper
    ? gatedCommand(shell, ['-c', request.command])
    : gateInside
      ? (() => {
          const inner = gatedCommand(shell, ['-c', request.command]);
          return { file: request.wrapper.file, args: [...request.wrapper.args, inner.file, ...inner.args] };
        })()
      : gatedCommand(request.wrapper.file, [...request.wrapper.args, shell, '-c', request.command]);
  return execa(gated.file, gated.args, {
    cwd: request.cwd,
    env: definedValues(request.env),
    extendEnv: false,
    detached: true, // its own process group, so one kill(-pgid) reaches the whole job
    stdin: 'pipe', // the start gate's; the command itself gets /dev/null (see startGate.ts)
    buffer: false, // we capture ourselves, in bounded memory
    encoding: 'buffer',
    reject: false,
    // Our kill path, not execa's, ends the process: execa signals only the shell, not its group.
    forceKillAfterDelay: false,
    cleanup: false,
  });
}

type ShellProcess = ReturnType<typeof spawnShell>;

function failureMessage(run: { originalMessage?: string; shortMessage?: string }): string {
  return run.originalMessage ?? run.shortMessage ?? 'the process could not be run';
}

function definedValues(env: Record<string, string | undefined>): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) defined[name] = value;
  return defined;
}
