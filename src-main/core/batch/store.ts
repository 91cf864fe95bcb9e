import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomicallyAsync } from '../json/atomicFile.js';
import type { CapturedStream } from '../runner/types.js';
import { createIndexAppender, INDEX_FILE, indexText, readIndex } from './batchIndex.js';
import { cloneHead, dropBatch, foldHead, HEAD_DIR, headOf, headPath, headText, placeSummary, readHead, TAIL_CHECK_BYTES, type HeadState, type OpenMark, type Prefix } from './indexHead.js';
import { BatchError } from './errors.js';
import { captureFileSchema, describeIssues, parseBatchFile, type FileStamp, type IndexLine } from './fileSchema.js';
import { searchableText } from './listing.js';
import { summarize, type BatchSummary, type IndexedBatch } from './summary.js';

export type { IndexedBatch } from './summary.js';
import { isTerminal, type Batch, type BatchEntry, type BatchStatus } from './types.js';

/** A batch file that did not load: renamed out of the way so it neither blocks nor is lost. */
export interface SetAsideBatchFile {
  /** The file's name in the batches directory (`x.json`, or `x.json.bad-<time>` when found set aside earlier). */
  file: string;
  /** Set aside at this load, or found set aside by an earlier one. */
  when: 'now' | 'earlier';
  /** Where it is now (`x.json.bad-<time>`); null when the rename failed (the file was skipped). */
  movedTo: string | null;
  /** What is wrong with it (`is not JSON (…)`); empty for files set aside earlier. */
  message: string;
}

export interface LoadedBatches {
  /** Every stored batch, summarised, from the index (and from the files the index could not vouch for). */
  listed: IndexedBatch[];
  /** In full: the batches that were approved or running when the last process stopped (recovery takes them). */
  active: Batch[];
  setAside: SetAsideBatchFile[];
  /** The index rebuilt or out of step with the files, one line each for a person. */
  problems: string[];
}

/** A start from the index's head (indexHead.ts): the newest summaries and the batches recovery needs, not the whole list. */
export interface HeadLoad {
  /** Listed batches. */
  total: number;
  /** The newest batches' summaries, newest first (up to NEWEST_KEPT; every listed batch when `complete`). */
  newest: BatchSummary[];
  complete: boolean;
  /** Pending batches (null when not known: the first status query reads the whole list). */
  pendingTotal: number | null;
  /** The newest pending batches' summaries, newest first (up to PENDING_KEPT; all when `pendingComplete`). */
  pending: BatchSummary[];
  pendingComplete: boolean;
  /** In full: the batches that were approved or running when the last process stopped. */
  active: Batch[];
  setAside: SetAsideBatchFile[];
}

interface Scan {
  /** Oldest first. */
  ordered: (IndexedBatch & { file?: FileStamp })[];
  active: Batch[];
  earlier: string[];
  bad: { file: string; message: string }[];
  leftovers: string[];
  problems: string[];
  rewrite: boolean;
  lines: number;
}

export type ReadBatch = { ok: true; batch: Batch } | { ok: false; missing: boolean; message: string };

/**
 * Batches on disk. Each batch's state is one JSON file (`<id>.json`, without captured output),
 * rewritten atomically on each change; each finished entry's captured output is written once, to
 * `captures/<batch id>/<entry id>.json`; and `index.jsonl` holds the summaries the list shows,
 * so a start reads one file rather than every batch. Bytes written per batch are its output plus
 * a small state file per change. Files of the earlier layout (captures inside the batch file)
 * load as they are and move their captures out when next saved.
 *
 * The index is trusted only where a wrong answer is harmless: before a batch file is touched,
 * its id is marked `unsettled` (fsync'd), and the summary follows the file, so a crash at any
 * point leaves either a summary that matches the file or a mark that says "read the file". A
 * batch approved or running per the index is always read in full at start (recovery needs it).
 */
export interface BatchStore {
  /**
   * The summaries of every batch, the full batches recovery needs, and what was wrong. A batch
   * file that is not JSON, not a batch, or whose id is not its name is renamed
   * `<name>.bad-<time>` and reported; files set aside at an earlier start are reported again
   * (with `when: 'earlier'`) until a person removes them. An index that is missing, unreadable or
   * out of step with the files is rebuilt from them (with a problem line, except on the first
   * start over the earlier layout, which had no index).
   *
   * `readOnly` changes nothing on disk (no directory created, no leftover removed, no index
   * repaired, a bad file reported but left where it is): for readers beside a running Leash.
   */
  load(options?: { readOnly?: boolean }): Promise<LoadedBatches>;
  /**
   * The start that reads the index's head and what was appended after it (indexHead.ts), not
   * the whole index nor the directory: null when the head cannot be trusted, or (for a writer)
   * the index needs repair or compaction; then `load` does everything. Unsettled and in-flight
   * batches, and the newest unfinished ones whose file changed, are read from their files.
   */
  loadHead(options?: { readOnly?: boolean }): Promise<HeadLoad | null>;
  /**
   * Every listed batch, summarised, read synchronously (the whole index and the directory),
   * changing no batch file: after `loadHead`, when a search, a filter or an older page needs
   * them. When the files are out of step with the index, the head is dropped so the next start
   * repairs it.
   */
  readListing(): { listed: IndexedBatch[]; setAside: SetAsideBatchFile[] };
  /** One batch in full, captures included (synchronous: one small set of files, read on demand). */
  read(id: string): ReadBatch;
  readonly dir: string;
  save(batch: Batch): Promise<void>;
  /** Deletes a batch's files and drops it from the index (retention, seeding). */
  remove(id: string): Promise<void>;
  /** Problems met reading batches on demand (a capture file set aside), one line each. */
  readonly problems: readonly string[];
  /** Bytes this store has written so far (batch files, capture files, index lines). */
  readonly bytesWritten: number;
  /** Closes the index file. */
  close(): Promise<void>;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The directory, inside the store's, that holds each batch's capture files. */
export const CAPTURES_DIR = 'captures';
/** Entry ids that can name a capture file; any other entry keeps its capture inline. */
const ENTRY_FILE_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** Read in full at every start: recovery turns them into interrupted or pending batches. */
const IN_FLIGHT: ReadonlySet<BatchStatus> = new Set(['approved', 'running']);

function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return a !== undefined && b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** `2025-01-02T03-04-05-678Z`: a timestamp that is safe in a file name on every platform. */
function fileTime(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

const SET_ASIDE = /\.json\.bad-[0-9TZ-]+$/;
/** The index is compacted at a start once it holds more lines than this many per batch (plus the slack). */
const COMPACT_FACTOR = 1.5;
const COMPACT_SLACK = 64;
/** How long a writer waits after its last index line before writing the head (a burst of saves writes one). */
const HEAD_DELAY_MS = 250;

/** The file's size and modification time, or undefined when it cannot be stat'd. */
function stampOf(path: string): FileStamp | undefined {
  try {
    const stats = statSync(path);
    return { size: stats.size, mtimeMs: stats.mtimeMs };
  } catch {
    return undefined;
  }
}

/** A kept prefix that removals shortened to under half its limit (it cannot grow back on its own). */
const worn = (prefix: Prefix): boolean => !prefix.complete && prefix.items.length < prefix.limit / 2;

/**
 * The pending count after a batch moved from `was` (null: not listed; undefined: listed, status
 * not known) to `is` (null: gone).
 */
function countPending(count: number | null, was: BatchStatus | null | undefined, is: BatchStatus | null): number | null {
  if (count === null || was === undefined) return null;
  return count - (was === 'pending' ? 1 : 0) + (is === 'pending' ? 1 : 0);
}

const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** Which captures an entry carries: changes only if its output changed (it never does once finished). */
function captureKey(entry: BatchEntry): string {
  const part = (stream: CapturedStream | null): string => (stream ? `${stream.sha256}:${stream.bytes}:${stream.truncated}` : '-');
  return `${part(entry.stdout)}|${part(entry.stderr)}`;
}

export function createBatchStore(dir: string, options: { now?: () => Date } = {}): BatchStore {
  const now = options.now ?? (() => new Date());
  const indexPath = join(dir, INDEX_FILE);
  const appender = createIndexAppender(indexPath, TAIL_CHECK_BYTES);
  let readOnly = false;
  let bytesWritten = 0;
  const problems: string[] = [];
  /** What the index holds for each batch this store knows: its status, and whether its search text was written. */
  const indexed = new Map<string, { status: BatchStatus; text: boolean }>();
  /** Entry id → the captures on disk in its capture file. */
  const captured = new Map<string, string>();
  const captureDirs = new Set<string>();
  let ready: Promise<unknown> | undefined;
  const ensureDir = (): Promise<unknown> => (ready ??= mkdir(dir, { recursive: true, mode: 0o700 }));
  const captureDir = (batchId: string): string => join(dir, CAPTURES_DIR, batchId);
  const capturePath = (batchId: string, entryId: string): string => join(captureDir(batchId), `${entryId}.json`);

  /** Fills in the captures of entries whose output is in capture files. */
  const readCaptures = (batch: Batch): void => {
    for (const entry of batch.entries as (BatchEntry & { capture?: 'file' })[]) {
      if (entry.capture !== 'file') continue;
      delete entry.capture;
      const path = capturePath(batch.id, entry.id);
      let problem: string;
      try {
        const parsed = captureFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
        if (parsed.success && parsed.data.batchId === batch.id && parsed.data.entryId === entry.id) {
          entry.stdout = parsed.data.stdout as CapturedStream | null;
          entry.stderr = parsed.data.stderr as CapturedStream | null;
          captured.set(entry.id, captureKey(entry));
          continue;
        }
        problem = parsed.success ? 'belongs to another entry' : `is not a valid capture file (${describeIssues(parsed.error)})`;
      } catch (error) {
        problem = error instanceof SyntaxError ? `is not JSON (${error.message})` : `cannot be read (${errorCode(error)})`;
      }
      let where = '';
      if (!readOnly && !problem.startsWith('cannot be read')) {
        const movedTo = `${path}.bad-${fileTime(now())}`;
        try {
          renameSync(path, movedTo);
          where = `; it was set aside as ${movedTo}`;
        } catch {
          // Left where it is: the output stays missing from the batch, and the file is not lost.
        }
      }
      problems.push(`capture file ${path} ${problem}${where}: entry ${entry.id} is shown without its output`);
    }
  };

  const readBatchFile = (file: string, withCaptures: boolean): { ok: true; batch: Batch } | { ok: false; missing: boolean; message: string } => {
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch (error) {
      return { ok: false, missing: errorCode(error) === 'ENOENT', message: `cannot be read (${errorCode(error)})` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { ok: false, missing: false, message: `is not JSON (${(error as Error).message})` };
    }
    const parsed = parseBatchFile(json);
    if (!parsed.ok) return { ok: false, missing: false, message: `is not a valid batch (${parsed.message})` };
    if (`${parsed.batch.id}.json` !== file) return { ok: false, missing: false, message: `holds batch id ${JSON.stringify(parsed.batch.id)}, not the one its name says` };
    if (withCaptures) readCaptures(parsed.batch);
    return parsed;
  };

  const setAside = async (file: string, message: string): Promise<SetAsideBatchFile> => {
    const movedTo = `${file}.bad-${fileTime(now())}`;
    try {
      await rename(join(dir, file), join(dir, movedTo));
      return { file, when: 'now', movedTo, message };
    } catch (error) {
      return { file, when: 'now', movedTo: null, message: `${message}; it could not be set aside (${errorCode(error)}) and was skipped` };
    }
  };

  /** Listed batches, as this store counts them (exact after a load; stamped on each line it appends as `n`). */
  let total = 0;
  /** Pending batches, as this store counts them (null: not known, after a change to a batch whose status before it is unknown). */
  let pendingCount: number | null = 0;
  /** The head as of the last line appended; null until a load (a store that did not load writes no head and no counts). */
  let head: HeadState | null = null;
  /** Set-aside batch files known (reported by readers of the head until a person removes them). */
  let asideNames: string[] = [];
  /** Ids whose `unsettled` line said `new` and whose summary has not followed yet. */
  const uncounted = new Set<string>();
  let saving = 0;
  let headTimer: ReturnType<typeof setTimeout> | undefined;
  let headDirty = false;

  /** Writes the head as of now, after the lines queued so far (a cache: no fsync; a lost or torn one is ignored). */
  const writeHead = (): Promise<void> => {
    if (readOnly || head === null) return Promise.resolve();
    const snapshot = cloneHead(head);
    const aside = [...asideNames];
    headDirty = false;
    return appender.at(async (position) => {
      if (position === null) return;
      try {
        // Removals (archiving the newest) shortened what it keeps below a page: no head, so the
        // next start reads everything once and writes a full one.
        if (worn(snapshot.newest) || worn(snapshot.pending)) {
          await rm(headPath(dir), { force: true });
          return;
        }
        await mkdir(join(dir, HEAD_DIR), { recursive: true, mode: 0o700 });
        const dirMtimeMs = (await stat(dir)).mtimeMs;
        const path = headPath(dir);
        const temp = `${path}.${process.pid}.tmp`;
        const text = headText(snapshot, position, dirMtimeMs, aside);
        await writeFile(temp, text, { mode: 0o600 });
        await rename(temp, path);
        bytesWritten += Buffer.byteLength(text);
      } catch {
        // No head: the next start reads the whole index.
      }
    });
  };
  /** A head once the writes of the moment are done (a burst of saves writes one head after it). */
  const scheduleHead = (): void => {
    headDirty = true;
    if (readOnly || head === null || headTimer) return;
    headTimer = setTimeout(() => {
      headTimer = undefined;
      if (saving > 0) scheduleHead();
      else void writeHead();
    }, HEAD_DELAY_MS);
    headTimer.unref();
  };

  const append = async (line: IndexLine, durable = false): Promise<void> => {
    let stamped = line;
    if (head !== null) {
      stamped = { ...line, n: total, ...(pendingCount === null ? {} : { p: pendingCount }) };
      foldHead(head, stamped);
      scheduleHead();
    }
    bytesWritten += await appender.append(stamped, { durable });
  };

  /**
   * Reads the batches directory and the whole index, synchronously, changing nothing: what is
   * listed, what recovery needs (with `active`), and what a writing load must repair.
   */
  const scan = (options: { active: boolean; report: boolean }): Scan => {
    const earlier: string[] = [];
    const found: string[] = [];
    const leftovers: string[] = [];
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      files = [];
    }
    for (const file of files.sort()) {
      if (file.startsWith('.') && file.endsWith('.tmp')) leftovers.push(file);
      else if (SET_ASIDE.test(file)) earlier.push(file);
      else if (file.endsWith('.json')) found.push(file);
    }
    const index = readIndex(indexPath);
    const trusted = index.batches !== null && index.bad === null ? index.batches : null;
    const listed = new Map<string, IndexedBatch & { file?: FileStamp }>();
    const active: Batch[] = [];
    const bad: { file: string; message: string }[] = [];
    const toRead: string[] = [];
    const onDisk = new Set<string>();
    for (const file of found) {
      const id = file.slice(0, -'.json'.length);
      onDisk.add(id);
      const known = trusted?.get(id);
      // A finished batch's file is written once more at most; an unfinished one may have been
      // changed behind the index's back (a copy, a hand edit), so its stamp must still match.
      const current = known?.summary && known.text !== undefined && !IN_FLIGHT.has(known.summary.status);
      const unchanged = current && (isTerminal(known.summary!.status) || sameStamp(known.file, stampOf(join(dir, file))));
      if (known?.summary && known.text !== undefined && unchanged) listed.set(id, { summary: known.summary, text: known.text, file: known.file });
      else toRead.push(file);
    }
    let unindexed = 0;
    let repaired = false;
    let newLayout = false;
    for (const file of toRead) {
      const id = file.slice(0, -'.json'.length);
      const known = trusted?.get(id);
      const read = readBatchFile(file, false);
      if (!read.ok) {
        bad.push({ file, message: read.message });
        onDisk.delete(id);
        if (known) repaired = true;
        continue;
      }
      const batch = read.batch;
      newLayout ||= batch.entries.some((e) => (e as { capture?: string }).capture === 'file');
      if (options.active && IN_FLIGHT.has(batch.status)) {
        readCaptures(batch);
        active.push(batch);
      }
      listed.set(id, { summary: summarize(batch), text: searchableText(batch), file: stampOf(join(dir, file)) });
      if (trusted && !known) unindexed += 1;
      // The index said "read the file", lacked the search text, or the file changed: the rewrite settles it.
      if (known && !IN_FLIGHT.has(batch.status)) repaired = true;
    }
    const vanished = trusted ? [...trusted].filter(([id, state]) => !onDisk.has(id) && state.summary !== null).length : 0;
    const problems: string[] = [];
    if (options.report) {
      const rebuilt = `rebuilt from the ${listed.size} batch file${listed.size === 1 ? '' : 's'}`;
      if (index.bad !== null) problems.push(`batch index ${indexPath} ${index.bad}: ${rebuilt}`);
      else if (index.batches === null && newLayout) problems.push(`batch index ${indexPath} was missing: ${rebuilt}`);
      if (unindexed > 0) problems.push(`${unindexed} batch file${unindexed === 1 ? ' was' : 's were'} not in the batch index ${indexPath}: added to it`);
      if (vanished > 0) problems.push(`${vanished} batch${vanished === 1 ? '' : 'es'} in the batch index ${indexPath} had no file any more: no longer listed`);
    }
    const ordered = [...listed.values()].sort((a, b) => a.summary.createdAt.localeCompare(b.summary.createdAt) || a.summary.id.localeCompare(b.summary.id));
    // A batch takes two lines per indexed change (about six in its life); compacted, one.
    const compact = index.lines > COMPACT_FACTOR * ordered.length + COMPACT_SLACK;
    const rewrite = (!trusted || index.tornTail || unindexed > 0 || vanished > 0 || repaired || compact) && (ordered.length > 0 || index.batches !== null);
    active.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    return { ordered, active, earlier, bad, leftovers, problems, rewrite, lines: index.lines };
  };

  return {
    dir,
    problems,
    get bytesWritten() {
      return bytesWritten;
    },
    async load(loadOptions = {}) {
      readOnly = loadOptions.readOnly === true;
      if (!readOnly) await ensureDir();
      const scanned = scan({ active: true, report: !readOnly });
      // A write that crashed before its rename: the batch file itself is intact.
      if (!readOnly) for (const file of scanned.leftovers) await rm(join(dir, file), { force: true });
      const aside: SetAsideBatchFile[] = scanned.earlier.map((file) => ({ file, when: 'earlier', movedTo: file, message: '' }));
      for (const { file, message } of scanned.bad) {
        if (readOnly) aside.push({ file, when: 'now', movedTo: null, message: `${message}; left as it is (read-only)` });
        else aside.push(await setAside(file, message));
      }
      const { ordered } = scanned;
      if (!readOnly && scanned.rewrite) bytesWritten += await appender.replace(indexText(ordered));
      for (const { summary } of ordered) indexed.set(summary.id, { status: summary.status, text: true });
      if (!readOnly) {
        total = ordered.length;
        pendingCount = ordered.filter((item) => item.summary.status === 'pending').length;
        asideNames = aside.flatMap((entry) => (entry.movedTo ? [entry.movedTo] : []));
        head = headOf(ordered, scanned.rewrite ? ordered.length : scanned.lines, scanned.active);
        await writeHead();
      }
      return { listed: ordered.map(({ summary, text }) => ({ summary, text })), active: scanned.active, setAside: aside, problems: scanned.problems };
    },
    async loadHead(loadOptions = {}) {
      readOnly = loadOptions.readOnly === true;
      const read = readHead(dir, INDEX_FILE);
      if (!read.ok) return null;
      const { state, tornTail } = read.head;
      // A writer goes on from a whole, compact index: the full load repairs and compacts.
      if (!readOnly && (tornTail || state.lines > COMPACT_FACTOR * state.total + COMPACT_SLACK)) return null;
      const active: Batch[] = [];
      const aside: SetAsideBatchFile[] = read.head.setAside.filter((name) => existsSync(join(dir, name))).map((file) => ({ file, when: 'earlier', movedTo: file, message: '' }));
      /** Reads one batch the index cannot vouch for; false when a writer must fall back to the full load. */
      const settle = (id: string, counted: boolean): boolean => {
        const file = `${id}.json`;
        const got = readBatchFile(file, false);
        if (!got.ok) {
          // Gone (a removal or a creation cut short) or bad: not listed. A writer leaves a bad file to the full load, which sets it aside.
          if (!got.missing) {
            if (!readOnly) return false;
            aside.push({ file, when: 'now', movedTo: null, message: `${got.message}; left as it is (read-only)` });
          }
          state.open.delete(id);
          dropBatch(state, id);
          if (counted) state.total -= 1;
          state.pendingTotal = null;
          return true;
        }
        const batch = got.batch;
        if (!counted) state.total += 1;
        // Whether it was counted pending before is not known.
        if (!IN_FLIGHT.has(batch.status)) state.pendingTotal = null;
        if (IN_FLIGHT.has(batch.status)) {
          readCaptures(batch);
          active.push(batch);
          state.open.set(id, batch.status as OpenMark);
        } else state.open.delete(id);
        placeSummary(state, { summary: summarize(batch), file: stampOf(join(dir, file)) });
        return true;
      };
      for (const [id, mark] of [...state.open]) if (!settle(id, mark !== 'new')) return null;
      // As in the full load: an unfinished batch's file may have changed behind the index's back.
      for (const item of [...state.newest.items, ...state.pending.items]) {
        const { id, status } = item.summary;
        if (isTerminal(status) || active.some((b) => b.id === id) || sameStamp(item.file, stampOf(join(dir, `${id}.json`)))) continue;
        if (!settle(id, true)) return null;
      }
      active.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      for (const { summary } of [...state.newest.items, ...state.pending.items]) indexed.set(summary.id, { status: summary.status, text: true });
      for (const batch of active) indexed.set(batch.id, { status: batch.status, text: true });
      if (!readOnly) {
        total = state.total;
        pendingCount = state.pendingTotal;
        head = state;
        asideNames = aside.flatMap((entry) => (entry.movedTo ? [entry.movedTo] : []));
      }
      return {
        total: state.total,
        newest: state.newest.items.map((item) => item.summary),
        complete: state.newest.complete,
        pendingTotal: state.pendingTotal,
        pending: state.pending.items.map((item) => item.summary),
        pendingComplete: state.pending.complete,
        active,
        setAside: aside,
      };
    },
    readListing() {
      const scanned = scan({ active: false, report: false });
      const aside: SetAsideBatchFile[] = [
        ...scanned.earlier.map((file): SetAsideBatchFile => ({ file, when: 'earlier', movedTo: file, message: '' })),
        ...scanned.bad.map(({ file, message }): SetAsideBatchFile => ({ file, when: 'now', movedTo: null, message: `${message}; left as it is until the next start` })),
      ];
      // What a later change or removal needs to keep the counts exact (as after a full load).
      for (const { summary } of scanned.ordered) if (!indexed.has(summary.id)) indexed.set(summary.id, { status: summary.status, text: true });
      // Out of step with the files: no head, so the next start reads everything and repairs it.
      if (!readOnly && (scanned.rewrite || scanned.bad.length > 0)) {
        head = null;
        rmSync(headPath(dir), { force: true });
      }
      return { listed: scanned.ordered.map(({ summary, text }) => ({ summary, text })), setAside: aside };
    },
    read(id) {
      if (!ID.test(id)) return { ok: false, missing: true, message: `no batch with id ${JSON.stringify(id)}` };
      const file = `${id}.json`;
      const read = readBatchFile(file, true);
      // Its status as stored: a change to it then keeps the pending count exact.
      if (read.ok && !indexed.has(id)) indexed.set(id, { status: read.batch.status, text: true });
      if (read.ok || read.missing || readOnly || read.message.startsWith('cannot be read')) return read;
      // Found bad on demand (changed on disk since the index vouched for it): set aside as at load.
      const movedTo = `${file}.bad-${fileTime(now())}`;
      let message = `${read.message}; it could not be set aside and is not shown`;
      try {
        renameSync(join(dir, file), join(dir, movedTo));
        message = `${read.message}; it was set aside as ${movedTo} and is not listed`;
        asideNames.push(movedTo);
        if (indexed.has(id)) total -= 1;
        indexed.delete(id);
        void append({ id, removed: true }).catch(() => undefined);
      } catch {
        // Left where it is; the next start tries again.
      }
      return { ok: false, missing: false, message: `batch file ${join(dir, file)} ${message}` };
    },
    async save(batch) {
      if (!ID.test(batch.id)) throw new BatchError('STORE_FAILED', `refusing to store a batch with id ${JSON.stringify(batch.id)}`);
      // Everything written is decided now, from the batch as it is at this moment: a change made
      // while the writes below are under way is the next save's (state.ts queues it).
      const before = indexed.get(batch.id);
      const indexIt = !(before && IN_FLIGHT.has(before.status) && IN_FLIGHT.has(batch.status));
      const newCaptures: { entry: BatchEntry; key: string; text: string }[] = [];
      const entries = batch.entries.map((entry) => {
        if ((!entry.stdout && !entry.stderr) || !ENTRY_FILE_ID.test(entry.id)) return entry;
        const key = captureKey(entry);
        if (captured.get(entry.id) !== key) newCaptures.push({ entry, key, text: JSON.stringify({ batchId: batch.id, entryId: entry.id, stdout: entry.stdout, stderr: entry.stderr }) });
        return { ...entry, stdout: null, stderr: null, capture: 'file' as const };
      });
      const state = JSON.stringify({ ...batch, entries });
      const summary: IndexLine = { id: batch.id, summary: summarize(batch), ...(before?.text ? {} : { text: searchableText(batch) }) };
      const status = batch.status;
      const path = join(dir, `${batch.id}.json`);
      // A batch this store has not indexed is new unless its file exists (a store that started from the head knows only some).
      const isNew = !before && !existsSync(path);
      saving += 1;
      try {
        await ensureDir();
        if (indexIt) {
          if (isNew) uncounted.add(batch.id);
          await append({ id: batch.id, unsettled: true, ...(isNew ? { new: true as const } : {}) }, true);
        }
        for (const { entry, key, text } of newCaptures) {
          if (!captureDirs.has(batch.id)) {
            await mkdir(captureDir(batch.id), { recursive: true, mode: 0o700 });
            captureDirs.add(batch.id);
          }
          bytesWritten += await writeFileAtomicallyAsync(capturePath(batch.id, entry.id), text);
          captured.set(entry.id, key);
        }
        bytesWritten += await writeFileAtomicallyAsync(path, state);
        if (indexIt) {
          const written = await stat(path);
          if (uncounted.delete(batch.id)) total += 1;
          pendingCount = countPending(pendingCount, isNew ? null : (before?.status ?? undefined), status);
          await append({ ...summary, file: { size: written.size, mtimeMs: written.mtimeMs } });
        }
        indexed.set(batch.id, { status, text: true });
      } catch (error) {
        throw new BatchError('STORE_FAILED', `could not save batch ${batch.id}: ${(error as Error).message}`);
      } finally {
        saving -= 1;
      }
    },
    async remove(id) {
      if (!ID.test(id)) throw new BatchError('STORE_FAILED', `refusing to remove a batch with id ${JSON.stringify(id)}`);
      const path = join(dir, `${id}.json`);
      const listed = indexed.has(id) || existsSync(path);
      try {
        // Marked before the file goes, like every change: a crash in between leaves "read the file" (gone: not listed).
        await append({ id, unsettled: true, ...(listed ? {} : { new: true as const }) }, true);
        await rm(path, { force: true });
        await rm(captureDir(id), { recursive: true, force: true });
        captureDirs.delete(id);
        if (listed) total -= 1;
        pendingCount = countPending(pendingCount, listed ? indexed.get(id)?.status : null, null);
        await append({ id, removed: true }, true);
        indexed.delete(id);
      } catch (error) {
        throw new BatchError('STORE_FAILED', `could not remove batch ${id}: ${(error as Error).message}`);
      }
    },
    async close() {
      clearTimeout(headTimer);
      headTimer = undefined;
      if (headDirty) await writeHead();
      await appender.close();
    },
  };
}

/** One line a person can act on, for the UI's problem notice and the CLI's warnings. */
export function describeSetAside(entry: SetAsideBatchFile, dir: string): string {
  if (entry.when === 'earlier') return `batch file ${join(dir, entry.file)} was set aside at an earlier start because it did not load; look at it, then delete it`;
  if (entry.movedTo === null) return `batch file ${join(dir, entry.file)} ${entry.message}`;
  return `batch file ${join(dir, entry.file)} ${entry.message}; it was set aside as ${entry.movedTo} and is not listed`;
}

