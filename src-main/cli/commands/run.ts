import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { BatchError, type Batch, type BatchEntry, type DryRunReport } from '../../core/batch/index.js';
import { openLeash, type Leash } from '../../core/leash.js';
import { dataDirectory } from '../../core/paths.js';
import { revealSuspiciousCharacters } from '../../core/policy/index.js';
import { describeSandbox, isChoosableProfile, type EntrySandbox } from '../../core/sandbox/profiles.js';
import type { SandboxChoice } from '../../core/sandbox/entrySandbox.js';
import { describeSupport } from '../../core/sandbox/support.js';
import { parseArgs, stringFlag } from '../args.js';
import { EXIT, write, type CliIO } from '../io.js';

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
Ctrl+C stops after the running entry; a second Ctrl+C kills it (emergency stop).
Exit: 0 all completed, 1 an entry failed, was blocked or skipped, 2 bad input, 130 stopped.`;

const LABEL = { allow: 'SAFE   ', ask: 'REVIEW ', deny: 'BLOCKED' } as const;
const MARK: Record<BatchEntry['status'], string> = {
  completed: 'ok     ', error: 'FAILED ', timed_out: 'TIMEOUT', cancelled: 'KILLED ', skipped: 'skipped', blocked: 'BLOCKED',
  interrupted: 'INTERR.', pending: 'pending', running: 'running',
};

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

function describeEntries(batch: Batch, sandboxOf: (entry: BatchEntry) => EntrySandbox | undefined): string {
  return batch.entries
    .map((entry, index) => {
      const head = `  ${index + 1}. [${LABEL[entry.classification.verdict]}] ${revealSuspiciousCharacters(entry.command)}`;
      const reasons = entry.classification.reasons
        .filter((r) => entry.classification.verdict === 'allow' || !r.code.startsWith('ALLOWED'))
        .map((r) => `       - ${r.code}: ${r.message}`);
      const sandbox = entry.classification.verdict === 'deny' ? undefined : sandboxOf(entry);
      return [head, ...reasons, ...(sandbox ? describeSandboxLines(sandbox) : [])].join('\n');
    })
    .join('\n');
}

function describeSandboxLines(sandbox: EntrySandbox): string[] {
  const lines = [`       sandbox: ${describeSandbox(sandbox)}`];
  if (sandbox.problem) lines.push(`       CANNOT RUN: ${sandbox.problem}`);
  if (sandbox.gitConfig.length > 0) lines.push(`       git forced: ${sandbox.gitConfig.join(' ')}`);
  return lines;
}

function describeDryRun(report: DryRunReport): string {
  return report.entries
    .map((entry, index) => {
      const programs = entry.executables.map((e) => `${e.program} → ${e.resolved ?? 'not found'}`).join(', ') || '(none)';
      return [
        `  ${index + 1}. ${entry.ok ? 'would start' : 'WOULD FAIL '} [${entry.verdict}] ${entry.command.split('\n')[0]}`,
        `       programs: ${programs}`,
        `       cwd: ${entry.cwd} (${entry.cwdExists ? 'exists' : 'MISSING'})`,
        `       syntax: ${entry.syntax.ok ? 'ok' : entry.syntax.message}`,
        ...(entry.sandbox ? describeSandboxLines(entry.sandbox) : []),
      ].join('\n');
    })
    .join('\n');
}

function summary(batch: Batch): string {
  const rows = batch.entries.map((e, i) => {
    const detail = e.status === 'completed' || e.status === 'error' ? `exit ${e.exitCode ?? e.signal ?? '?'}` : (e.note ?? '');
    const time = e.durationMs === null ? '' : ` ${Math.round(e.durationMs)} ms`;
    const where = e.sandbox && e.status !== 'blocked' ? ` [${describeSandbox(e.sandbox)}]` : '';
    const hint = e.sandboxHint ? `\n       ${e.sandboxHint}` : '';
    return `  ${i + 1}. ${MARK[e.status]} ${detail}${time}${where}  ${e.command.split('\n')[0]}${hint}`;
  });
  return `batch ${batch.id}: ${batch.status}\n${rows.join('\n')}\n`;
}

async function confirm(io: CliIO, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function exitCodeFor(batch: Batch, stopped: boolean): number {
  if (stopped) return EXIT.stopped;
  return batch.status === 'completed' && batch.entries.every((e) => e.status === 'completed') ? EXIT.ok : EXIT.failed;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
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
    await write(io.stderr, `leash run: --sandbox must be read-only, workspace or full, not ${JSON.stringify(profile)}\n`);
    return EXIT.usage;
  }
  const choice: SandboxChoice = { profile, network: profile === 'full' || (profile === 'workspace' && args.flags.has('network')) };
  const yes = args.flags.has('yes');
  const json = args.flags.has('json');
  const human = json ? io.stderr : io.stdout;
  const dryRun = args.flags.has('dry-run');
  if (!yes && !dryRun && !io.stdin.isTTY) {
    await write(io.stderr, 'leash run: standard input is not a terminal, so Leash cannot ask you; pass --yes to run allowed entries without asking\n');
    return EXIT.usage;
  }
  const auditFlag = stringFlag(args, 'audit');
  let leash: Leash;
  let input: unknown;
  try {
    input = await readBatchFile(resolve(io.cwd, file), io.cwd);
    leash = await openLeash({ dataDir: dataDirectory(io.env), auditPath: auditFlag ? resolve(io.cwd, auditFlag) : undefined, env: io.env, mode: 'cli' });
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'ERROR';
    await write(io.stderr, `leash run: ${code}: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  for (const problem of leash.problems) await write(io.stderr, `leash run: warning: ${problem}\n`);

  let stopped = false;
  const onSigint = (): void => {
    if (!current) return;
    if (!stopped) {
      stopped = true;
      void write(io.stderr, '\nleash: stopping after the running entry (Ctrl+C again to kill it now)\n');
      void leash.batches.stop(current.id).catch(() => undefined);
    } else {
      void write(io.stderr, '\nleash: emergency stop\n');
      void leash.batches.emergencyStop();
    }
  };
  let current: Batch | undefined;
  process.on('SIGINT', onSigint);
  try {
    try {
      current = await leash.batches.create(input as never);
    } catch (error) {
      if (error instanceof BatchError) {
        await write(io.stderr, `leash run: ${error.code}: ${error.message}\n`);
        return EXIT.usage;
      }
      throw error;
    }
    const sandboxOf = (entry: BatchEntry): EntrySandbox => leash.sandbox.choose(entry, choice);
    await write(human, `batch ${current.id}: ${current.entries.length} entr${current.entries.length === 1 ? 'y' : 'ies'}\n${describeEntries(current, sandboxOf)}\n`);
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
      return finish(current);
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
    if (!yes && !(await confirm(io, `Run ${chosen.length} of ${current.entries.length} entries? [y/N] `))) {
      current = await leash.batches.reject(current.id, 'declined at the prompt');
      await write(human, 'not run.\n');
      return finish(current);
    }
    try {
      await leash.batches.approve(current.id, { entryIds: chosen.map((e) => e.id), sandbox: choice });
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      current = await leash.batches.reject(current.id, `not approved: ${error.message}`);
      await write(io.stderr, `leash run: ${error.code}: ${error.message}\n`);
      return EXIT.usage;
    }
    const off = leash.batches.on((event) => {
      if (event.type === 'entry-output' && event.batchId === current?.id) {
        void write(json ? io.stderr : event.stream === 'stdout' ? io.stdout : io.stderr, event.text);
      } else if (event.type === 'batch-updated' && event.batch.id === current?.id) {
        const started = event.batch.entries.find((e, i) => e.status === 'running' && current?.entries[i]?.status !== 'running');
        if (started) void write(human, `\n$ ${revealSuspiciousCharacters(started.command)}\n`);
        current = event.batch;
      }
    });
    await leash.batches.run(current.id);
    current = await leash.batches.whenSettled(current.id);
    off();
    return finish(current);
  } finally {
    process.off('SIGINT', onSigint);
    await leash.close();
  }

  async function finish(batch: Batch): Promise<number> {
    await write(human, `\n${summary(batch)}`);
    if (json) await write(io.stdout, `${JSON.stringify(batch, null, 2)}\n`);
    return exitCodeFor(batch, stopped || batch.status === 'cancelled');
  }
}
