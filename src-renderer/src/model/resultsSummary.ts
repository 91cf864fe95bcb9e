import { capturedTail } from './capturedText';
import type { Batch, BatchEntry, CapturedStream } from './contract';
import { formatDuration, plural } from './format';
import { reasonMessage } from './reasonText';
import { statusLabel } from './verdict';

/**
 * The text a person pastes back to the AI after a batch ran: every command, what became of it,
 * and a bounded tail of its output, in Markdown an assistant reads reliably.
 */
export interface SummaryLimits {
  /** Lines of each stream's tail. */
  tailLines: number;
  /** Characters of each stream's tail. */
  tailChars: number;
}

export const DEFAULT_SUMMARY_LIMITS: SummaryLimits = { tailLines: 40, tailChars: 4000 };

/** A fence longer than any run of backticks inside `text`, so the block cannot be closed early. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const match of text.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function block(language: string, text: string): string {
  const fence = fenceFor(text);
  return `${fence}${language}\n${text}\n${fence}`;
}

function outcome(entry: BatchEntry): string {
  const parts = [statusLabel(entry.status).toUpperCase()];
  if (entry.exitCode !== null) parts.push(`exit code ${entry.exitCode}`);
  if (entry.signal) parts.push(`signal ${entry.signal}`);
  if (entry.durationMs !== null) parts.push(formatDuration(entry.durationMs));
  return parts.join(', ');
}

function streamSection(name: 'stdout' | 'stderr', stream: CapturedStream | null, limits: SummaryLimits): string[] {
  if (!stream || stream.bytes === 0) return [];
  const { text, cut } = capturedTail(stream, limits.tailLines, limits.tailChars);
  const heading = cut ? `${name} (last lines of ${plural(stream.bytes, 'byte')}):` : `${name}:`;
  return [heading, block('text', text)];
}

function entrySection(entry: BatchEntry, index: number, limits: SummaryLimits): string {
  const lines = [`### ${index + 1}. ${outcome(entry)}`, block('sh', entry.command)];
  if (entry.note) lines.push(`Note: ${entry.note}`);
  if (entry.error) lines.push(`Error: ${entry.error.code}: ${entry.error.message}`);
  if (entry.status === 'blocked') {
    const reasons = entry.classification.reasons.filter((r) => r.code !== 'ALLOWED_COMMAND');
    for (const reason of reasons) lines.push(`- ${reason.code}: ${reasonMessage(reason)}`);
  }
  lines.push(...streamSection('stdout', entry.stdout, limits), ...streamSection('stderr', entry.stderr, limits));
  if (entry.status !== 'pending' && !entry.stdout?.bytes && !entry.stderr?.bytes && entry.startedAt) lines.push('(no output)');
  return lines.join('\n\n');
}

/** The results of `batch` as Markdown. Pure: the same batch always gives the same text. */
export function resultsSummary(batch: Batch, limits: SummaryLimits = DEFAULT_SUMMARY_LIMITS): string {
  const counts = new Map<string, number>();
  for (const entry of batch.entries) counts.set(entry.status, (counts.get(entry.status) ?? 0) + 1);
  const tally = [...counts].map(([status, count]) => `${count} ${statusLabel(status as BatchEntry['status'])}`).join(', ');
  const header = [
    `## Leash results: batch ${batch.id} (${statusLabel(batch.status)})`,
    `Working directory: \`${batch.cwd}\`  \n${plural(batch.entries.length, 'command')}: ${tally}`,
  ];
  if (batch.note) header.push(`Note: ${batch.note}`);
  return [...header, ...batch.entries.map((entry, index) => entrySection(entry, index, limits))].join('\n\n') + '\n';
}
