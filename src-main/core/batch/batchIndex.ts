import { readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { writeFileAtomicallyAsync } from '../json/atomicFile.js';
import { parseIndexLine, type FileStamp, type IndexLine } from './fileSchema.js';
import type { BatchSummary } from './summary.js';

/** The summaries index's file name, in the batches directory. */
export const INDEX_FILE = 'index.jsonl';

/** What the index knows of one batch, after folding its lines. */
export interface IndexedState {
  /** The batch as last stored; null while its file was being rewritten (read the file instead). */
  summary: BatchSummary | null;
  /** Source, cwd and commands for the list search (see listing.ts); undefined when no line carried it. */
  text: string | undefined;
  /** The batch file as it was when the summary was written, if known. */
  file: FileStamp | undefined;
}

export interface ReadIndex {
  /** Null when there is no index file. */
  batches: Map<string, IndexedState> | null;
  lines: number;
  /** Why the index cannot be trusted (a line that is not JSON or not an index line); null when it can. */
  bad: string | null;
  /** The last line was cut short (a crash mid-append, or a reader racing the writer): ignored. */
  tornTail: boolean;
}

/**
 * Reads and folds the index: later lines win, `unsettled` voids the summary, `removed` forgets
 * the batch. A torn last line is dropped (its append never completed, so nothing depended on
 * it); any other bad line makes the whole index untrusted, and the caller rebuilds it.
 */
export function readIndex(path: string): ReadIndex {
  let text: string;
  try {
    // Synchronous: the listing is read whole when it is first needed, from a synchronous call.
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { batches: null, lines: 0, bad: null, tornTail: false };
    return { batches: null, lines: 0, bad: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, tornTail: false };
  }
  const batches = new Map<string, IndexedState>();
  const rows = text.split('\n');
  // Everything after the last newline is an append that did not finish.
  const tornTail = rows.pop() !== '';
  let lines = 0;
  for (const row of rows) {
    lines += 1;
    let json: unknown;
    try {
      json = JSON.parse(row);
    } catch {
      return { batches, lines, bad: `line ${lines} is not JSON`, tornTail };
    }
    const parsed = parseIndexLine(json);
    if (!parsed.ok) return { batches, lines, bad: `line ${lines}: ${parsed.message}`, tornTail };
    fold(batches, parsed.line);
  }
  return { batches, lines, bad: null, tornTail };
}

function fold(batches: Map<string, IndexedState>, line: IndexLine): void {
  if ('removed' in line) {
    batches.delete(line.id);
    return;
  }
  const known = batches.get(line.id);
  if ('unsettled' in line) batches.set(line.id, { summary: null, text: known?.text, file: undefined });
  else batches.set(line.id, { summary: line.summary, text: line.text ?? known?.text, file: line.file });
}

/** One line per batch, as a compacted index holds it. */
export function indexText(entries: Iterable<{ summary: BatchSummary; text: string; file?: FileStamp }>): string {
  let out = '';
  for (const { summary, text, file } of entries) out += `${JSON.stringify({ id: summary.id, summary, text, ...(file ? { file } : {}) } satisfies IndexLine)}\n`;
  return out;
}

/** Where the index stands after everything queued before: what a head written now covers. */
export interface IndexPosition {
  size: number;
  ino: number;
  /** The last bytes of the index (up to TAIL_CHECK_BYTES). */
  tail: Buffer;
}

/**
 * Appends index lines, one at a time in call order, through one handle. `durable` lines are
 * fsync'd before the returned promise resolves (an `unsettled` line must be on disk before the
 * batch file it announces is touched); the others need not be: if one is lost, the index still
 * says `unsettled` and the next start reads the batch file.
 */
export interface IndexAppender {
  append(line: IndexLine, options?: { durable?: boolean }): Promise<number>;
  /** Replaces the whole index (compaction, rebuild) atomically; later appends go to the new file. */
  replace(text: string): Promise<number>;
  /**
   * Runs `step` after everything queued before it, with the index's position then; null when an
   * append or replace before it failed (what is on disk is then not known exactly).
   */
  at<T>(step: (position: IndexPosition | null) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createIndexAppender(path: string, tailBytes: number): IndexAppender {
  let handle: Promise<FileHandle> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  /** Known once the file is open: its size, inode and last bytes. */
  let position: IndexPosition | null = null;
  let failed = false;
  const opened = (): Promise<FileHandle> =>
    (handle ??= (async () => {
      const file = await open(path, 'a+', 0o600);
      const stats = await file.stat();
      const tail = Buffer.alloc(Math.min(stats.size, tailBytes));
      if (tail.length > 0) await file.read(tail, 0, tail.length, stats.size - tail.length);
      position = { size: stats.size, ino: stats.ino, tail };
      return file;
    })());
  const serialized = <T>(step: () => Promise<T>): Promise<T> => {
    const next = queue.catch(() => undefined).then(step);
    queue = next;
    return next;
  };
  const closeHandle = async (): Promise<void> => {
    const current = handle;
    handle = undefined;
    position = null;
    if (current) await (await current).close().catch(() => undefined);
  };
  const failing = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  return {
    append: (line, options = {}) =>
      serialized(() =>
        failing(async () => {
          const bytes = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
          const file = await opened();
          await file.write(bytes);
          if (options.durable) await file.sync();
          const known = position!;
          position = { size: known.size + bytes.length, ino: known.ino, tail: Buffer.concat([known.tail, bytes]).subarray(-tailBytes) };
          return bytes.length;
        }),
      ),
    replace: (text) =>
      serialized(() =>
        failing(async () => {
          await closeHandle();
          const written = await writeFileAtomicallyAsync(path, text);
          failed = false;
          return written;
        }),
      ),
    at: (step) =>
      serialized(async () => {
        if (failed) return step(null);
        try {
          await opened();
        } catch {
          return step(null);
        }
        return step(position);
      }),
    close: () => serialized(closeHandle),
  };
}
