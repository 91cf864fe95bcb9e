import { join } from 'node:path';
import { readArchivedBatches } from '../../core/batch/archive.js';
import { shortBatchId } from '../../core/batch/shortId.js';
import { MAX_PAGE_SIZE, type BatchSummary } from '../../core/batch/summary.js';
import { BATCH_STATUSES, type Batch, type BatchStatus } from '../../core/batch/types.js';
import { readLeashSnapshot } from '../../core/leash.js';
import { dataDirectory } from '../../core/paths.js';
import { parseArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, write, type CliIO } from '../io.js';

export const usage = `Usage: leash batches [ID] [--archived] [--search TEXT] [--status S[,S...]] [--limit N] [--json]
Without ID: the stored batches, newest first (--limit, default 50, at most ${MAX_PAGE_SIZE}), each with
its first command. --search matches an id prefix, or text in the source, working directory or any
command (plain text, case-insensitive); --status keeps only ${BATCH_STATUSES.join(', ')}.
With ID (a whole id, or a unique prefix of at least 4 characters such as the 8 the app shows): that
batch in full, its entries with verdicts, statuses and exit codes (--json: the stored batch).
--archived: the batches retention moved out of the list (setting archiveBatchesAfterDays), the
same way; what they did is in the audit trail either way.
Read-only: it works while the desktop app, \`leash serve\` or \`leash run\` is running, and writes
nothing (not even to the audit trail). A batch a crash left "running" is recovered (shown as
interrupted) by the next Leash that opens the data directory.`;

function statuses(value: string | undefined): BatchStatus[] | undefined {
  if (value === undefined) return undefined;
  const named = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = named.filter((s) => !(BATCH_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new UsageError(`unknown status ${unknown.join(', ')} (one of ${BATCH_STATUSES.join(', ')})`);
  return named as BatchStatus[];
}

function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > MAX_PAGE_SIZE) throw new UsageError(`--limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  return limit;
}

function counts(summary: BatchSummary): string {
  const { allow, ask, deny } = summary.verdicts;
  const verdicts = [allow && `${allow} allow`, ask && `${ask} ask`, deny && `${deny} deny`].filter(Boolean).join(' ');
  const entries = Object.entries(summary.entryStatuses).map(([status, n]) => `${n} ${status}`).join(', ');
  return `${entries} [${verdicts}]`;
}

/** One line per batch; the command last, with control characters shown escaped (a terminal must not interpret them). */
function row(summary: BatchSummary): string {
  const command = JSON.stringify(summary.firstCommand).slice(1, -1);
  const more = summary.entryCount > 1 ? ` (+${summary.entryCount - 1})` : '';
  return `${summary.id}  ${summary.createdAt}  ${summary.status.padEnd(11)} ${summary.source.padEnd(10)} ${counts(summary)}  ${command}${more}`;
}

/** Where an approved batch stands in the run queue (as of the snapshot). */
function queueLine(batch: Batch): string {
  if (!batch.queuedAt) return 'not queued: waiting for a person to run it';
  return batch.queuedBehind ? `queued behind batch ${shortBatchId(batch.queuedBehind)} since ${batch.queuedAt}` : `queued since ${batch.queuedAt}, next to run`;
}

function details(batch: Batch): string {
  const lines = [
    `batch ${batch.id}`,
    `  status   ${batch.status}${batch.note ? ` (${batch.note})` : ''}`,
    `  source   ${batch.source}`,
    `  cwd      ${batch.cwd}`,
    `  created  ${batch.createdAt}`,
    ...(batch.approvedBy ? [`  approved ${batch.approvedAt} by ${batch.approvedBy}`] : []),
    ...(batch.reason ? [`  reason   ${JSON.stringify(batch.reason)}`] : []),
    ...(batch.status === 'approved' ? [`  queue    ${queueLine(batch)}`] : []),
    // Escaped like the commands: the person's words, never interpreted by the terminal.
    ...(batch.rejectionMessage ? [`  message  ${JSON.stringify(batch.rejectionMessage)} (the person's words for the agent)`] : []),
  ];
  batch.entries.forEach((entry, index) => {
    const exit = entry.exitCode !== null ? ` exit ${entry.exitCode}` : entry.signal ? ` ${entry.signal}` : '';
    lines.push(`  ${index + 1}. [${entry.classification.verdict}] ${entry.status}${exit}  ${JSON.stringify(entry.command).slice(1, -1)}`);
  });
  return lines.join('\n');
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { valued: ['search', 'status', 'limit'], boolean: ['json', 'help', 'archived'], aliases: { h: 'help', n: 'limit' } });
  if (args.flags.has('help')) {
    await write(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  if (args.positionals.length > 1) throw new UsageError('give at most one batch id');
  const [wanted] = args.positionals;
  const query = { search: stringFlag(args, 'search'), status: statuses(stringFlag(args, 'status')), limit: limitOf(stringFlag(args, 'limit')) };
  let snapshot;
  try {
    const dataDir = dataDirectory(io.env);
    snapshot = args.flags.has('archived') ? { dataDir, ...(await readArchivedBatches(join(dataDir, 'batches'))) } : await readLeashSnapshot(dataDir);
  } catch (error) {
    await write(io.stderr, `leash batches: ${(error as { code?: string }).code ?? 'ERROR'}: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
  // One line per problem (a batch file set aside, an invalid settings field), even with --json;
  // after the answer is found, which may read the whole list and find more.
  const warn = async (): Promise<void> => {
    for (const problem of snapshot.problems) await write(io.stderr, `leash batches: warning: ${problem}\n`);
  };
  const listing = snapshot.batches;
  if (wanted !== undefined) {
    let batch: Batch;
    try {
      batch = snapshot.read(listing.resolve(wanted));
    } catch (error) {
      await warn();
      await write(io.stderr, `leash batches: ${(error as { code: string }).code}: ${(error as Error).message}\n`);
      return EXIT.failed;
    }
    await warn();
    await write(io.stdout, args.flags.has('json') ? `${JSON.stringify(batch, null, 2)}\n` : `${details(batch)}\n`);
    return EXIT.ok;
  }
  let page;
  try {
    page = listing.list(query);
  } finally {
    await warn();
  }
  if (args.flags.has('json')) {
    await write(io.stdout, `${JSON.stringify(page.items, null, 2)}\n`);
  } else if (page.total === 0) {
    await write(io.stdout, listing.size === 0 ? (args.flags.has('archived') ? 'no archived batches\n' : 'no batches\n') : 'no batches match\n');
  } else {
    const rest = page.total - page.items.length;
    const footer = rest > 0 ? `\n… ${rest} more (--limit N shows up to ${MAX_PAGE_SIZE}; --search and --status narrow the list)` : '';
    await write(io.stdout, `${page.items.map(row).join('\n')}${footer}\n`);
  }
  return EXIT.ok;
}
