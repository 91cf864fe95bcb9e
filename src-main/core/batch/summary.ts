import type { Batch, BatchStatus, EntryStatus } from './types.js';

/**
 * What a list of batches shows about one batch, without its entries' captures: small, so that a
 * page of summaries costs the same whatever the batches printed. Shared by the batch list (IPC,
 * CLI) and the store's summaries index.
 */
export interface BatchSummary {
  id: string;
  source: Batch['source'];
  createdAt: string;
  updatedAt: string;
  status: BatchStatus;
  /** The batch's working directory. */
  cwd: string;
  /** The first entry's command, at most `FIRST_COMMAND_CHARS` characters. */
  firstCommand: string;
  entryCount: number;
  verdicts: { allow: number; ask: number; deny: number };
  entryStatuses: Partial<Record<EntryStatus, number>>;
}

/** A batch as the list and the store's index know it: its summary, and the text the list search looks in. */
export interface IndexedBatch {
  summary: BatchSummary;
  /** Source, cwd and every entry's command, lower-cased, NUL-separated (so no match spans two fields). */
  text: string;
}

/** What `list` is asked: all filters optional, combined with AND. */
export interface BatchListQuery {
  /** Case-insensitive plain text (never a pattern): an id prefix, or part of the source, cwd or any entry's command. */
  search?: string;
  /** Only batches in one of these statuses (none or empty: every status). */
  status?: BatchStatus[];
  /** The `nextCursor` of the previous page: items after it, in the same order. */
  before?: string;
  /** Items per page (1..`MAX_PAGE_SIZE`, default `DEFAULT_PAGE_SIZE`). */
  limit?: number;
}

/** One page, newest first (`createdAt`, then id, descending). */
export interface BatchPage {
  items: BatchSummary[];
  /** Pass as `before` for the next page; null on the last page. */
  nextCursor: string | null;
  /** How many batches match the search and status filters (all pages). */
  total: number;
}

export const FIRST_COMMAND_CHARS = 200;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** The summary of a batch. Pure; O(entries), never reads captures. */
export function summarize(batch: Batch): BatchSummary {
  const verdicts = { allow: 0, ask: 0, deny: 0 };
  const entryStatuses: Partial<Record<EntryStatus, number>> = {};
  for (const entry of batch.entries) {
    verdicts[entry.classification.verdict] += 1;
    entryStatuses[entry.status] = (entryStatuses[entry.status] ?? 0) + 1;
  }
  return {
    id: batch.id,
    source: batch.source,
    createdAt: batch.createdAt,
    updatedAt: batch.updatedAt,
    status: batch.status,
    cwd: batch.cwd,
    firstCommand: truncateCommand(batch.entries[0]?.command ?? ''),
    entryCount: batch.entries.length,
    verdicts,
    entryStatuses,
  };
}

/** At most FIRST_COMMAND_CHARS characters, never splitting a surrogate pair (a cut emoji would render as garbage). */
function truncateCommand(command: string): string {
  if (command.length <= FIRST_COMMAND_CHARS) return command;
  let end = FIRST_COMMAND_CHARS;
  const last = command.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return command.slice(0, end);
}
