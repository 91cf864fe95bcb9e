import type { Batch, BatchEntry, DryRunReport } from '../core/batch/index.js';
import { revealSuspiciousCharacters } from '../core/policy/index.js';
import { describeSandbox, type EntrySandbox } from '../core/sandbox/profiles.js';
import { plural } from '../shared/plural.js';

/** What `leash run` prints about a batch: the approval listing, the dry run, the final summary. */

const LABEL = { allow: 'SAFE   ', ask: 'REVIEW ', deny: 'BLOCKED' } as const;

/** Seven columns each; `cancelled` splits by whether the entry ever started (see `mark`). */
const MARK: Record<Exclude<BatchEntry['status'], 'cancelled'>, string> = {
  completed: 'ok     ', error: 'FAILED ', timed_out: 'TIMEOUT', skipped: 'skipped', blocked: 'BLOCKED',
  interrupted: 'INTERR.', pending: 'pending', running: 'running',
};

/** KILLED only for an entry whose process was running when it was stopped. */
export function mark(entry: Pick<BatchEntry, 'status' | 'startedAt'>): string {
  if (entry.status === 'cancelled') return entry.startedAt ? 'KILLED ' : 'not run';
  return MARK[entry.status];
}

/**
 * The approval listing: every entry with its verdict and reasons, where it runs and in which
 * sandbox (`sandboxOf`: what it would get if approved now; by default what is recorded).
 */
export function describeEntries(batch: Batch, sandboxOf: (entry: BatchEntry) => EntrySandbox | undefined = (entry) => entry.sandbox): string {
  const head = `batch ${batch.id}: ${plural(batch.entries.length, 'entry', 'entries')}, in ${batch.cwd}`;
  const rows = batch.entries.map((entry, index) => {
    const line = `  ${index + 1}. [${LABEL[entry.classification.verdict]}] ${revealSuspiciousCharacters(entry.command)}`;
    const where = entry.cwd === batch.cwd ? [] : [`       in ${entry.cwd}`];
    const reasons = entry.classification.reasons
      .filter((r) => entry.classification.verdict === 'allow' || !r.code.startsWith('ALLOWED'))
      .map((r) => `       - ${r.code}: ${r.message}`);
    const sandbox = entry.tool === 'patch' ? [PATCH_LINE] : entry.classification.verdict === 'deny' ? [] : sandboxLines(sandboxOf(entry));
    return [line, ...where, ...reasons, ...sandbox].join('\n');
  });
  return [head, ...rows].join('\n');
}

/** The question asked before anything runs; it names the directory the commands run in. */
export function approvalQuestion(batch: Batch, chosen: readonly BatchEntry[]): string {
  const dirs = [...new Set(chosen.map((e) => e.cwd))];
  const where = dirs.length === 1 ? `in ${dirs[0]}` : `in ${dirs.length} directories (listed above)`;
  return `Run ${chosen.length} of ${plural(batch.entries.length, 'entry', 'entries')} ${where}? [y/N] `;
}

/** A patch is applied by Leash itself, not run as a command: no sandbox, and none needed. */
const PATCH_LINE = '       sandbox: none needed (Leash applies the file changes itself; no command runs)';

function sandboxLines(sandbox: EntrySandbox | undefined): string[] {
  if (!sandbox) return [];
  const lines = [`       sandbox: ${describeSandbox(sandbox)}`];
  if (sandbox.profile === 'unsandboxed') lines.push(`       UNSANDBOXED: ${sandbox.reason}`);
  if (sandbox.problem) lines.push(`       CANNOT RUN: ${sandbox.problem}`);
  if (sandbox.gitConfig.length > 0) lines.push(`       git forced: ${sandbox.gitConfig.join(' ')}`);
  return lines;
}

export function describeDryRun(report: DryRunReport): string {
  return report.entries
    .map((entry, index) => {
      const programs = entry.executables.map((e) => `${e.program} → ${e.resolved ?? 'not found'}`).join(', ') || '(none)';
      return [
        `  ${index + 1}. ${entry.ok ? 'would start' : 'WOULD FAIL '} [${entry.verdict}] ${entry.command.split('\n')[0]}`,
        `       programs: ${programs}`,
        `       cwd: ${entry.cwd} (${entry.cwdExists ? 'exists' : 'MISSING'})`,
        `       syntax: ${entry.syntax.ok ? 'ok' : entry.syntax.message}`,
        ...(entry.sandbox ? sandboxLines(entry.sandbox) : entry.tool === 'patch' ? [PATCH_LINE] : []),
      ].join('\n');
    })
    .join('\n');
}

/** One line per entry: its outcome, why (exit code, signal, error or note) and how long it took. */
export function summary(batch: Batch): string {
  const rows = batch.entries.map((e, i) => {
    const detail =
      e.status === 'completed' || (e.status === 'error' && e.error === null)
        ? `exit ${e.exitCode ?? e.signal ?? '?'}`
        : e.error
          ? `${e.error.code}: ${e.error.message}`
          : (e.note ?? '');
    const time = e.durationMs === null ? '' : ` ${Math.round(e.durationMs)} ms`;
    const where = e.tool === 'patch' ? ' [applied by Leash]' : e.sandbox && e.status !== 'blocked' ? ` [${describeSandbox(e.sandbox)}]` : '';
    const hint = e.sandboxHint ? `\n       ${e.sandboxHint}` : '';
    return `  ${i + 1}. ${mark(e)} ${detail}${time}${where}  ${revealSuspiciousCharacters(e.command.split('\n')[0] ?? '')}${hint}`;
  });
  return `batch ${batch.id}: ${batch.status}${batch.note ? ` (${batch.note})` : ''}\n${rows.join('\n')}\n`;
}
