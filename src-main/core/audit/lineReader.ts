import type { FileHandle } from 'node:fs/promises';

export interface LogLine {
  /** The line without its `\n`, decoded as Latin-1 (see below); empty when `tooLong`. */
  text: string;
  /** 1-based line number. */
  number: number;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just past the line (past its `\n` when terminated). */
  end: number;
  /** False only for a last line that has no `\n`. */
  terminated: boolean;
  /** The line exceeded {@link MAX_LINE_BYTES}; its text was dropped to bound memory. */
  tooLong: boolean;
}

/** Far above any real record; a longer "line" is damage, and must not exhaust memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

const CHUNK_BYTES = 1024 * 1024;

/**
 * Streams the lines of `handle` from byte `from` (a line start) up to `size` (a snapshot taken by
 * the caller, so a writer appending meanwhile does not move the goal posts). Line numbers count
 * from 1 at `from`.
 *
 * Lines are decoded as Latin-1 rather than UTF-8 because canonical records are pure ASCII: the
 * decoding is one byte to one character, string offsets are byte offsets, and any non-ASCII byte
 * survives as a character that makes the canonical-form check fail instead of being silently
 * replaced by U+FFFD.
 */
export async function* readLogLines(handle: FileHandle, from: number, size: number): AsyncGenerator<LogLine> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let position = from;
  let pending = '';
  let pendingStart = from;
  let tooLong = false;
  let number = 0;
  while (position < size) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, size - position), position);
    if (bytesRead === 0) break;
    const chunk = buffer.toString('latin1', 0, bytesRead);
    const chunkStart = position;
    position += bytesRead;
    let from = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', from)) {
      const text = tooLong ? '' : pending + chunk.slice(from, newline);
      const end = chunkStart + newline + 1;
      yield { text, number: ++number, start: pendingStart, end, terminated: true, tooLong };
      pending = '';
      pendingStart = end;
      tooLong = false;
      from = newline + 1;
    }
    if (!tooLong) pending += chunk.slice(from);
    if (position - pendingStart > MAX_LINE_BYTES) {
      tooLong = true;
      pending = '';
    }
  }
  if (position > pendingStart) {
    yield { text: pending, number: ++number, start: pendingStart, end: position, terminated: false, tooLong };
  }
}
