import type { Batch, BatchEntry, DryRunReport } from '../core/batch/index.js';
import { revealSuspiciousCharacters } from '../core/policy/index.js';
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

/** The approval listing: every entry with its verdict and reasons, and where it runs. */
export function describeEntries(batch: Batch): string {
  const head = `batch ${batch.id}: ${plural(batch.entries.length, 'entry', 'entries')}, in ${batch.cwd}`;
  const rows = batch.entries.map((entry, index) => {
    const line = `  ${index + 1}. [${LABEL[entry.classification.verdict]}] ${revealSuspiciousCharacters(entry.command)}`;
    const where = entry.cwd === batch.cwd ? [] : [`       in ${entry.cwd}`];
    const reasons = entry.classification.reasons
      .filter((r) => entry.classification.verdict === 'allow' || !r.code.startsWith('ALLOWED'))
      .map((r) => `       - ${r.code}: ${r.message}`);
    return [line, ...where, ...reasons].join('\n');
  });
  return [head, ...rows].join('\n');
}

/** The question asked before anything runs; it names the directory the commands run in. */
export function approvalQuestion(batch: Batch, chosen: readonly BatchEntry[]): string {
  const dirs = [...new Set(chosen.map((e) => e.cwd))];
  const where = dirs.length === 1 ? `in ${dirs[0]}` : `in ${dirs.length} directories (listed above)`;
  return `Run ${chosen.length} of ${plural(batch.entries.length, 'entry', 'entries')} ${where}? [y/N] `;
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
    return `  ${i + 1}. ${mark(e)} ${detail}${time}  ${revealSuspiciousCharacters(e.command.split('\n')[0] ?? '')}`;
  });
  return `batch ${batch.id}: ${batch.status}${batch.note ? ` (${batch.note})` : ''}\n${rows.join('\n')}\n`;
}
