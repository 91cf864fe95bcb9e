import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseIndexLine, type FileStamp, type IndexLine } from './fileSchema.js';
import type { BatchSummary } from './summary.js';
import { BATCH_STATUSES } from './types.js';

/**
 * The index's head: what a start needs from the summaries index, folded up to a byte offset of
 * it, so that a start reads this small file and the lines appended after it instead of the
 * whole index. It holds the number of listed batches, the newest {@link NEWEST_KEPT} summaries
 * (an exact prefix of the newest-first order) and the batches recovery must read (approved,
 * running, or `unsettled`: their file may say more than the index). It lives in a directory of
 * its own, so writing it leaves the batches directory's modification time alone: a head is used
 * only while that time is the one it recorded, so a batch file added, removed or renamed behind
 * the writer's back sends the start to the whole index (which notices and repairs it).
 *
 * It is a cache: written without fsync, checked against the index (inode, size, a hash of the
 * bytes before its offset) and thrown away when anything disagrees; the index stays the record.
 */
export const HEAD_DIR = 'head';
export const HEAD_FILE = 'index.json';
/** Summaries a head keeps: the UI's first page (100) and the CLI's default (50) fit. */
export const NEWEST_KEPT = 100;
/** Pending batches' summaries a head keeps: the UI's list of what waits for a person (200) fits. */
export const PENDING_KEPT = 200;
/** Bytes before the head's offset whose hash it records. */
export const TAIL_CHECK_BYTES = 256;
/** The most index written after a head that a start replays; beyond it, the whole index is read. */
export const MAX_TAIL_BYTES = 2 * 1024 * 1024;

/** Why a batch must be read at start: in flight, or `unsettled` (counted in the total, or `new`: not yet). */
export type OpenMark = 'approved' | 'running' | 'unsettled' | 'new';

export interface HeadItem {
  summary: BatchSummary;
  file?: FileStamp;
}

/** An exact prefix of a newest-first list: every item newer than its last is in it. */
export interface Prefix {
  items: HeadItem[];
  /** It holds the whole list. */
  complete: boolean;
  readonly limit: number;
}

export interface HeadState {
  /** Listed batches. */
  total: number;
  /** Pending batches, or null when not known (a line without the count `p`, or a batch read again at start). */
  pendingTotal: number | null;
  /** The newest pending batches. */
  pending: Prefix;
  /** Lines of the index. */
  lines: number;
  /** The newest batches. */
  newest: Prefix;
  open: Map<string, OpenMark>;
}

interface HeadFile {
  version: 1;
  index: { size: number; ino: number; tail: string };
  dirMtimeMs: number;
  total: number;
  pendingTotal: number | null;
  lines: number;
  newest: { items: HeadItem[]; complete: boolean };
  pending: { items: HeadItem[]; complete: boolean };
  open: [string, OpenMark][];
  /** Batch files found set aside (`x.json.bad-<time>`), reported again by each reader until removed. */
  setAside: string[];
}

const IN_FLIGHT: ReadonlySet<string> = new Set(['approved', 'running']);
const MARKS: ReadonlySet<unknown> = new Set(['approved', 'running', 'unsettled', 'new']);
const STATUSES: ReadonlySet<unknown> = new Set(BATCH_STATUSES);

/** Newest first: createdAt descending, then id descending (as the listing orders them). */
export function newerThan(a: Pick<BatchSummary, 'createdAt' | 'id'>, b: Pick<BatchSummary, 'createdAt' | 'id'>): boolean {
  return a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
}

const prefixOf = (items: HeadItem[], limit: number): Prefix => ({ items: items.slice(0, limit), complete: items.length <= limit, limit });

/** The head of a whole listing (after a full load): `items` in any order. */
export function headOf(items: Iterable<HeadItem>, lines: number, active: Iterable<{ id: string; status: string }>): HeadState {
  const all = [...items].sort((a, b) => (newerThan(a.summary, b.summary) ? -1 : 1));
  const waiting = all.filter((item) => item.summary.status === 'pending');
  const open = new Map<string, OpenMark>();
  for (const batch of active) if (IN_FLIGHT.has(batch.status)) open.set(batch.id, batch.status as OpenMark);
  return { total: all.length, pendingTotal: waiting.length, lines, newest: prefixOf(all, NEWEST_KEPT), pending: prefixOf(waiting, PENDING_KEPT), open };
}

/** Puts an item's latest summary where it belongs in the prefix, if it belongs there at all. */
export function placeIn(prefix: Prefix, item: HeadItem): void {
  const { items } = prefix;
  const at = items.findIndex((known) => known.summary.id === item.summary.id);
  if (at !== -1) {
    items[at] = item;
    return;
  }
  const last = items.at(-1);
  // Older than everything kept, and something older may exist unkept: it is not in the prefix.
  if (!prefix.complete && (!last || !newerThan(item.summary, last.summary))) return;
  let index = items.length;
  while (index > 0 && newerThan(item.summary, items[index - 1]!.summary)) index -= 1;
  // Not cut to the limit here: a batch that passes through (pending, then approved) would push
  // one out for good. The head file keeps the limit (headText).
  items.splice(index, 0, item);
}

/** What a head file keeps of a prefix: at most its limit. */
const kept = (prefix: Prefix): { items: HeadItem[]; complete: boolean } => ({ items: prefix.items.slice(0, prefix.limit), complete: prefix.complete && prefix.items.length <= prefix.limit });

export function dropFrom(prefix: Prefix, id: string): void {
  const at = prefix.items.findIndex((known) => known.summary.id === id);
  if (at !== -1) prefix.items.splice(at, 1);
}

/** A batch's latest summary, into both prefixes (the pending one only while it is pending). */
export function placeSummary(state: HeadState, item: HeadItem): void {
  placeIn(state.newest, item);
  if (item.summary.status === 'pending') placeIn(state.pending, item);
  else dropFrom(state.pending, item.summary.id);
}

export function dropBatch(state: HeadState, id: string): void {
  dropFrom(state.newest, id);
  dropFrom(state.pending, id);
}

/** Applies one index line, as it was appended (with its counts: `n` listed and `p` pending after it). */
export function foldHead(state: HeadState, line: IndexLine): void {
  state.lines += 1;
  if (line.n !== undefined) state.total = line.n;
  state.pendingTotal = line.p ?? null;
  if ('removed' in line) {
    state.open.delete(line.id);
    dropBatch(state, line.id);
  } else if ('unsettled' in line) {
    state.open.set(line.id, line.new ? 'new' : 'unsettled');
  } else {
    if (IN_FLIGHT.has(line.summary.status)) state.open.set(line.id, line.summary.status as OpenMark);
    else state.open.delete(line.id);
    placeSummary(state, { summary: line.summary, ...(line.file ? { file: line.file } : {}) });
  }
}

const clonePrefix = (prefix: Prefix): Prefix => ({ ...prefix, items: [...prefix.items] });

export function cloneHead(state: HeadState): HeadState {
  return { ...state, newest: clonePrefix(state.newest), pending: clonePrefix(state.pending), open: new Map(state.open) };
}

export function headPath(dir: string): string {
  return join(dir, HEAD_DIR, HEAD_FILE);
}

/** The head file's text for `state`, valid for the index as it is up to `size` bytes. */
export function headText(state: HeadState, index: { size: number; ino: number; tail: Buffer }, dirMtimeMs: number, setAside: string[]): string {
  const file: HeadFile = {
    version: 1,
    index: { size: index.size, ino: index.ino, tail: hashOf(index.tail) },
    dirMtimeMs,
    total: state.total,
    pendingTotal: state.pendingTotal,
    lines: state.lines,
    newest: kept(state.newest),
    pending: kept(state.pending),
    open: [...state.open],
    setAside,
  };
  return `${JSON.stringify(file)}\n`;
}

const hashOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

/** A kept prefix: each item checked as an index line's summary is. */
function isPrefix(value: unknown): value is { items: HeadItem[]; complete: boolean } {
  if (!isRecord(value) || typeof value.complete !== 'boolean' || !Array.isArray(value.items)) return false;
  return value.items.every((item: unknown) => {
    if (!isRecord(item) || !isRecord(item.summary) || !STATUSES.has(item.summary.status)) return false;
    return parseIndexLine({ id: item.summary.id, summary: item.summary, ...(item.file === undefined ? {} : { file: item.file }) }).ok;
  });
}

/** The head file, checked field by field; null when it is missing or not a head this Leash writes. */
function readHeadFile(dir: string): HeadFile | null {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(headPath(dir), 'utf8'));
  } catch {
    return null;
  }
  if (!isRecord(json) || json.version !== 1 || !isRecord(json.index)) return null;
  const { index } = json;
  if (!isCount(index.size) || !isCount(index.ino) || typeof index.tail !== 'string' || typeof json.dirMtimeMs !== 'number') return null;
  if (!isCount(json.total) || !isCount(json.lines) || (json.pendingTotal !== null && !isCount(json.pendingTotal))) return null;
  if (!Array.isArray(json.open) || !Array.isArray(json.setAside) || !isPrefix(json.newest) || !isPrefix(json.pending)) return null;
  for (const pair of json.open) if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || !MARKS.has(pair[1])) return null;
  if (!json.setAside.every((name) => typeof name === 'string' && /^[A-Za-z0-9_-]{1,64}\.json\.bad-[0-9TZ-]+$/.test(name))) return null;
  return json as unknown as HeadFile;
}

export interface ReadHead {
  state: HeadState;
  /** The index's last line was cut short (ignored here; a writer must repair the index first). */
  tornTail: boolean;
  setAside: string[];
  /** The index as read: its size and inode, and the bytes before its end (for the next head). */
  index: { size: number; ino: number; tail: Buffer };
}

/**
 * The head folded with the index lines appended after it, or null (with the reason) when the
 * head is missing, stale (the index was replaced or cut, the batches directory changed since,
 * or too much was appended since) or any line after it is not one this Leash writes. Reads the
 * head and the end of the index only.
 */
export function readHead(dir: string, indexFile: string): { ok: true; head: ReadHead } | { ok: false; reason: string } {
  const head = readHeadFile(dir);
  if (!head) return { ok: false, reason: 'no usable head' };
  let dirMtimeMs: number;
  try {
    dirMtimeMs = statSync(dir).mtimeMs;
  } catch {
    return { ok: false, reason: 'no batches directory' };
  }
  if (dirMtimeMs !== head.dirMtimeMs) return { ok: false, reason: 'the batches directory changed since the head was written' };
  let fd: number;
  try {
    fd = openSync(join(dir, indexFile), 'r');
  } catch {
    return { ok: false, reason: 'no index' };
  }
  try {
    const stats = fstatSync(fd);
    if (stats.ino !== head.index.ino || stats.size < head.index.size) return { ok: false, reason: 'the index was replaced or cut since the head was written' };
    if (stats.size - head.index.size > MAX_TAIL_BYTES) return { ok: false, reason: 'too much was appended since the head was written' };
    const from = Math.max(0, head.index.size - TAIL_CHECK_BYTES);
    const bytes = Buffer.alloc(stats.size - from);
    let read = 0;
    while (read < bytes.length) {
      const got = readSync(fd, bytes, read, bytes.length - read, from + read);
      if (got === 0) break;
      read += got;
    }
    if (read !== bytes.length) return { ok: false, reason: 'the index changed while it was read' };
    const checked = head.index.size - from;
    if (hashOf(bytes.subarray(0, checked)) !== head.index.tail) return { ok: false, reason: 'the index does not end where the head says' };
    const state: HeadState = {
      total: head.total,
      pendingTotal: head.pendingTotal,
      lines: head.lines,
      newest: { ...head.newest, limit: NEWEST_KEPT },
      pending: { ...head.pending, limit: PENDING_KEPT },
      open: new Map(head.open),
    };
    const rows = bytes.subarray(checked).toString('utf8').split('\n');
    const tornTail = rows.pop() !== '';
    for (const row of rows) {
      let json: unknown;
      try {
        json = JSON.parse(row);
      } catch {
        return { ok: false, reason: 'a line after the head is not JSON' };
      }
      const parsed = parseIndexLine(json);
      if (!parsed.ok || parsed.line.n === undefined) return { ok: false, reason: 'a line after the head is not one this Leash writes' };
      foldHead(state, parsed.line);
    }
    // A torn last line is not part of the index a writer goes on from: the next head ends before it.
    const end = tornTail ? from + bytes.lastIndexOf(0x0a) + 1 : stats.size;
    return { ok: true, head: { state, tornTail, setAside: head.setAside, index: { size: end, ino: stats.ino, tail: bytes.subarray(Math.max(0, end - from - TAIL_CHECK_BYTES), end - from) } } };
  } finally {
    closeSync(fd);
  }
}
