import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Writable } from 'node:stream';
import { BatchError, type Batch } from '../../core/batch/index.js';
import { validateNewBatch, type ValidNewBatch } from '../../core/batch/input.js';
import { openLeash, type Leash } from '../../core/leash.js';
import { dataDirectory } from '../../core/paths.js';
import { revealSuspiciousCharacters } from '../../core/policy/index.js';
import type { SandboxChoice } from '../../core/sandbox/entrySandbox.js';
import { isChoosableProfile } from '../../core/sandbox/profiles.js';
import { describeSupport } from '../../core/sandbox/support.js';
import { HARD_MAX_BATCH_SIZE } from '../../core/settings/schema.js';
import { shutdownReason } from '../../core/shutdown.js';
import { parseArgs, stringFlag } from '../args.js';
import { handOff, runningLeash } from '../handoff.js';
import { EXIT, write, type CliIO } from '../io.js';
import { approvalQuestion, describeDryRun, describeEntries, summary } from '../runReport.js';
import { onTerminationSignal, type TerminationSignal } from '../terminationSignals.js';

export const usage = `Usage: leash run BATCH.json [--yes] [--allow-ask] [--sandbox PROFILE] [--network] [--unsandboxed]
                 [--dry-run] [--audit FILE] [--json]

BATCH.json: {"entries":[{"command":"...","cwd":"...","timeoutMs":N}], "cwd":"...", "stopOnFailure":true}
  --yes        run without asking (never runs a denied entry; asked-for entries need --allow-ask)
  --allow-ask  with --yes, also run entries the policy marks for review
  --sandbox P  the sandbox of the entries you approve that the policy did not allow:
               workspace (default: writes only inside the project), read-only, or full (no limits)
               Entries the policy allowed always run read-only (package installs: where they install).
  --network    let workspace entries use the network (read-only never has it, full always does)
  --unsandboxed  with --yes, run even where no sandbox works (Windows, no bubblewrap): the
               entries then run with all your permissions; without it --yes refuses
  --dry-run    run nothing: show each entry's verdict, the programs it would run (or "not found"),
               whether its cwd exists, whether bash can parse it and its sandbox (audited as DRY_RUN)
  --audit FILE write the audit trail to FILE instead of the data directory's
  --json       print the final batch as JSON on stdout (progress goes to stderr)
Relative working directories are resolved against the directory leash run starts in; a missing
one is refused (CWD_NOT_FOUND) before anything runs.
With the desktop app or \`leash serve\` running on the same data directory (and no --audit), the
batch is handed to it: a person approves it there (and chooses its sandbox: --sandbox and
--network do not apply), and leash run waits for and prints the result.
With autonomy on, a batch of only allowed entries runs without asking.
Ctrl+C stops after the running entry; a second Ctrl+C kills it (emergency stop). SIGTERM and a
closed terminal (SIGHUP) kill it at once (emergency stop, audited as a shutdown).
Exit: 0 all completed, 1 an entry failed, was blocked or skipped, 2 bad input, 130 stopped.`;

async function readBatchFile(path: string, cwd: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BatchError('INVALID_BATCH', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BatchError('INVALID_BATCH', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new BatchError('INVALID_BATCH', `${path} must hold a JSON object with "entries"`);
  const input = json as { cwd?: unknown; entries?: unknown };
  // Relative working directories are relative to where `leash run` was started.
  const entries = Array.isArray(input.entries)
    ? input.entries.map((e: unknown) => (e && typeof e === 'object' && typeof (e as { cwd?: unknown }).cwd === 'string' ? { ...e, cwd: resolve(cwd, (e as { cwd: string }).cwd) } : e))
    : input.entries;
  return { ...input, entries, cwd: typeof input.cwd === 'string' ? resolve(cwd, input.cwd) : cwd, source: 'cli' };
}


/** Asks on the terminal; false for anything but y/yes, and when `abort` fires (a signal). */
async function confirm(io: CliIO, question: string, abort: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  // Ctrl+C at the prompt is a no (readline turns it into its own event in raw mode).
  const answered = new Promise<boolean>((resolve) => {
    rl.once('SIGINT', () => resolve(false));
    rl.once('close', () => resolve(false));
  });
  try {
    return await Promise.race([rl.question(question, { signal: abort }).then((answer) => /^y(es)?$/i.test(answer.trim()), () => false), answered]);
  } finally {
    rl.close();
  }
}

function exitCodeFor(batch: Batch, stopped: boolean): number {
  if (stopped) return EXIT.stopped;
  return batch.status === 'completed' && batch.entries.every((e) => e.status === 'completed') ? EXIT.ok : EXIT.failed;
}

async function fail(io: CliIO, error: unknown): Promise<number> {
  const code = (error as { code?: string }).code ?? 'ERROR';
  await write(io.stderr, `leash run: ${code}: ${(error as Error).message}\n`);
  if (code === 'AUDIT_LOCKED') {
    await write(
      io.stderr,
      'leash run: another Leash process holds the audit trail and takes no batches from the CLI (no control socket answers: a `leash run` or a Leash that is starting or stopping). Wait for it to end, or pass --audit FILE to keep a separate trail.\n',
    );
  }
  return EXIT.usage;
}

export async function run(argv: string[], io: CliIO, signals: NodeJS.EventEmitter = process): Promise<number> {
  const args = parseArgs(argv, {
    valued: ['audit', 'sandbox'],
    boolean: ['yes', 'allow-ask', 'dry-run', 'json', 'help', 'network', 'unsandboxed'],
    aliases: { y: 'yes', h: 'help' },
  });
  if (args.flags.has('help')) {
    await write(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) {
    await write(io.stderr, `leash run: give exactly one batch file\n${usage}\n`);
    return EXIT.usage;
  }
  const profile = stringFlag(args, 'sandbox') ?? 'workspace';
  if (!isChoosableProfile(profile)) {
    await write(io.stderr, `leash run: INVALID_SANDBOX_CHOICE: --sandbox must be read-only, workspace or full, not ${JSON.stringify(profile)}\n`);
    return EXIT.usage;
  }
  const choice: SandboxChoice = { profile, network: profile === 'full' || (profile === 'workspace' && args.flags.has('network')) };
  const yes = args.flags.has('yes');
  const json = args.flags.has('json');
  const human = json ? io.stderr : io.stdout;
  const dryRun = args.flags.has('dry-run');
  const auditFlag = stringFlag(args, 'audit');
  const dataDir = dataDirectory(io.env);

  let input: ValidNewBatch;
  try {
    input = validateNewBatch(await readBatchFile(resolve(io.cwd, file), io.cwd), HARD_MAX_BATCH_SIZE);
  } catch (error) {
    return fail(io, error);
  }
  // Beside a running app or `leash serve`, the batch goes to it (it owns the trail): a person
  // approves it there. --audit asks for a separate trail, so the batch stays here.
  if (auditFlag === undefined) {
    let control;
    try {
      control = await runningLeash(dataDir);
    } catch (error) {
      return fail(io, error);
    }
    if (control && dryRun) {
      control.close();
      await write(io.stderr, 'leash run: Leash is running for this data directory; a dry run writes its own audit record, so pass --audit FILE for it, or use Dry run in Leash.\n');
      return EXIT.usage;
    }
    if (control) {
      if (args.flags.has('sandbox') || args.flags.has('network')) {
        await write(io.stderr, 'leash run: Leash is running for this data directory: the person approving there chooses the sandbox, so --sandbox and --network are ignored\n');
      }
      // A batch file holds shell entries only: patch entries come from the signed inbox alone.
      if (input.entries.some((entry) => !('command' in entry))) return fail(io, new BatchError('INVALID_BATCH', 'patch entries come only from the signed command inbox'));
      const entries = input.entries.flatMap((entry) => ('command' in entry ? [{ command: entry.command, cwd: entry.cwd, timeoutMs: entry.timeoutMs }] : []));
      return handOff(control, { entries, cwd: input.cwd, stopOnFailure: input.stopOnFailure, reason: input.reason }, { io, human, json, yes, file, signals });
    }
  }

  if (!yes && !dryRun && !io.stdin.isTTY) {
    await write(io.stderr, 'leash run: standard input is not a terminal, so Leash cannot ask you; pass --yes to run allowed entries without asking\n');
    return EXIT.usage;
  }
  let leash: Leash;
  try {
    leash = await openLeash({ dataDir, auditPath: auditFlag ? resolve(io.cwd, auditFlag) : undefined, env: io.env, mode: 'cli' });
  } catch (error) {
    return fail(io, error);
  }
  for (const problem of leash.problems) await write(io.stderr, `leash run: warning: ${problem}\n`);

  let current: Batch | undefined;
  let stopped = false;
  let killing = false;
  /** A signal that came before there was anything to stop (while creating, or at the prompt). */
  let early: TerminationSignal | undefined;
  const question = new AbortController();
  let phase: 'preparing' | 'asking' | 'running' | 'done' = 'preparing';

  const stopOn = (signal: TerminationSignal): void => {
    if (!current || killing) return;
    if (signal === 'SIGINT' && !stopped) {
      stopped = true;
      void write(io.stderr, '\nleash: stopping after the running entry (Ctrl+C again to kill it now)\n');
      void leash.batches.stop(current.id).catch(() => undefined);
      return;
    }
    stopped = true;
    killing = true;
    void write(io.stderr, `\nleash: emergency stop${signal === 'SIGINT' ? '' : ` (${signal})`}\n`);
    void leash.batches.emergencyStop(signal === 'SIGINT' ? {} : { reason: shutdownReason(`leash run received ${signal}`) }).catch(() => undefined);
  };
  // Installed until Leash is closed: with no listener of ours a second signal would kill this
  // process mid-stop (the default action), leaving the entry running detached.
  const removeSignals = onTerminationSignal(signals, (signal) => {
    if (phase === 'running') return stopOn(signal);
    early ??= signal;
    if (phase === 'asking') question.abort();
  });

  // Live output keeps pace with its reader: when a stream's buffer is full (`leash run | less`,
  // a slow pipe), the entry's pipes stop being read until it drains, so the command waits
  // instead of Leash holding gigabytes for it.
  const releases = new Map<Writable, () => void>();
  const follow = (stream: Writable, text: string): void => {
    if (stream.destroyed || stream.writableEnded) return;
    let flowing: boolean;
    try {
      flowing = stream.write(text);
    } catch {
      return;
    }
    if (flowing || releases.has(stream)) return;
    releases.set(stream, leash.batches.holdOutput());
    const drained = (): void => {
      stream.off('drain', drained);
      stream.off('close', drained);
      releases.get(stream)?.();
      releases.delete(stream);
    };
    stream.on('drain', drained);
    stream.on('close', drained); // a reader that went away: nothing more to wait for
  };
  const announced = new Set<string>();
  const off = leash.batches.on((event) => {
    // Only this process's batch exists to follow; before create returns, its id is not known yet.
    if (event.type === 'entry-output' && (current === undefined || event.batchId === current.id)) {
      follow(json ? io.stderr : event.stream === 'stdout' ? io.stdout : io.stderr, event.text);
    } else if (event.type === 'batch-updated' && (current === undefined || event.batch.id === current.id)) {
      for (const entry of event.batch.entries) {
        if (entry.status !== 'running' || announced.has(entry.id)) continue;
        announced.add(entry.id);
        void write(human, `\n$ ${revealSuspiciousCharacters(entry.command)}\n`);
      }
      if (current) current = event.batch;
    }
  });
  try {
    try {
      current = await leash.batches.create(input);
    } catch (error) {
      if (error instanceof BatchError) return await fail(io, error);
      throw error;
    }
    await write(human, `${describeEntries(current, (entry) => leash.sandbox.choose(entry, choice))}\n`);
    if (current.status !== 'pending') {
      // Autonomy approved it as it was created (every entry allowed): it is already queued.
      phase = 'running';
      await write(human, `approved by ${current.approvedBy ?? 'autonomy'}: every entry is allowed and autonomy is on, so it runs without asking\n`);
      if (early) stopOn(early);
      return await finish(await leash.batches.whenSettled(current.id));
    }
    if (early) return await finish(await leash.batches.reject(current.id, `stopped before it ran (${early})`), true);
    if (dryRun) {
      const report = await leash.batches.dryRun(current.id, choice);
      current = await leash.batches.reject(current.id, 'dry run only');
      await write(human, `\ndry run (nothing ran):\n${describeDryRun(report)}\n`);
      if (json) await write(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
      return report.entries.every((e) => e.ok) ? EXIT.ok : EXIT.failed;
    }
    const allowAsk = args.flags.has('allow-ask') || !yes;
    const chosen = current.entries.filter((e) => e.classification.verdict === 'allow' || (allowAsk && e.classification.verdict === 'ask'));
    if (chosen.length === 0) {
      current = await leash.batches.reject(current.id, 'nothing could be approved: every entry is blocked or needs review (--allow-ask)');
      await write(human, `nothing to run: ${current.note}\n`);
      return await finish(current);
    }
    if (yes && !leash.sandbox.available && !args.flags.has('unsandboxed')) {
      current = await leash.batches.reject(current.id, 'no sandbox works here and --unsandboxed was not given');
      await write(
        io.stderr,
        `leash run: SANDBOX_UNAVAILABLE: ${describeSupport(leash.sandbox.support)}\n` +
          'leash run: --yes runs commands unattended, and without a sandbox they would run with all your permissions; nothing ran.\n' +
          'leash run: pass --unsandboxed to run them anyway, or run without --yes to approve each one.\n',
      );
      return EXIT.usage;
    }
    if (!yes) {
      phase = 'asking';
      const go = await confirm(io, approvalQuestion(current, chosen), question.signal);
      phase = 'preparing';
      if (!go || early) {
        current = await leash.batches.reject(current.id, early ? `stopped at the prompt (${early})` : 'declined at the prompt');
        await write(human, 'not run.\n');
        return await finish(current, early !== undefined);
      }
    }
    try {
      await leash.batches.approve(current.id, { entryIds: chosen.map((e) => e.id), sandbox: choice });
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      current = await leash.batches.reject(current.id, `not approved: ${error.message}`);
      await write(io.stderr, `leash run: ${error.code}: ${error.message}\n`);
      return EXIT.usage;
    }
    phase = 'running';
    await leash.batches.run(current.id);
    if (early) stopOn(early);
    return await finish(await leash.batches.whenSettled(current.id));
  } finally {
    phase = 'done';
    off();
    for (const release of releases.values()) release();
    await leash.close();
    removeSignals();
  }

  async function finish(batch: Batch, interrupted = false): Promise<number> {
    await write(human, `\n${summary(batch)}`);
    if (json) await write(io.stdout, `${JSON.stringify(batch, null, 2)}\n`);
    return exitCodeFor(batch, interrupted || stopped || batch.status === 'cancelled');
  }
}
