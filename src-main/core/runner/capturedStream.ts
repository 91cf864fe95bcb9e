import { createHash, type Hash } from 'node:crypto';
import { TextDecoder } from 'node:util';
import type { CapturedStream } from './types.js';

export interface CaptureLimits {
  /** Bytes kept from the start of the stream. */
  headBytes: number;
  /** Bytes kept from the end of the stream. */
  tailBytes: number;
}

export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = { headBytes: 64 * 1024, tailBytes: 64 * 1024 };

/**
 * Records one output stream in bounded memory: the first `headBytes`, the last `tailBytes`, and
 * the byte count and SHA-256 of everything, however much the command prints.
 */
export class StreamCapture {
  private readonly head: Buffer;
  private headLength = 0;
  /** Chunks after the head; trimmed from the front but always covering the last `tailBytes`. */
  private tailChunks: Buffer[] = [];
  private tailLength = 0;
  private total = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(private readonly limits: CaptureLimits = DEFAULT_CAPTURE_LIMITS) {
    this.head = Buffer.alloc(limits.headBytes);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.hash.update(chunk);
    let rest = chunk;
    if (this.headLength < this.limits.headBytes) {
      const taken = Math.min(rest.length, this.limits.headBytes - this.headLength);
      rest.copy(this.head, this.headLength, 0, taken);
      this.headLength += taken;
      rest = rest.subarray(taken);
    }
    if (rest.length === 0 || this.limits.tailBytes === 0) return;
    // Pipe chunks are fresh buffers nobody else writes to, so keeping a reference is safe.
    this.tailChunks.push(rest);
    this.tailLength += rest.length;
    while (this.tailChunks.length > 1 && this.tailLength - (this.tailChunks[0] as Buffer).length >= this.limits.tailBytes) {
      this.tailLength -= (this.tailChunks.shift() as Buffer).length;
    }
  }

  /** The record so far. Call once, after the stream ended: it finalises the hash. */
  finish(): CapturedStream {
    const sha256 = this.hash.digest('hex');
    const head = this.head.subarray(0, this.headLength);
    const afterHead = this.total - this.headLength;
    if (afterHead <= this.limits.tailBytes) {
      // Nothing was dropped, so the text is decoded whole and no cut can split a character.
      const whole = Buffer.concat([head, ...this.tailChunks]);
      return { head: decodeUtf8(whole), tail: '', truncated: false, bytes: this.total, sha256 };
    }
    const kept = Buffer.concat(this.tailChunks);
    const tail = kept.subarray(kept.length - this.limits.tailBytes);
    return {
      head: decodeUtf8(withoutTrailingPartialCharacter(head)),
      tail: decodeUtf8(withoutLeadingPartialCharacter(tail)),
      truncated: true,
      bytes: this.total,
      sha256,
    };
  }
}

function decodeUtf8(bytes: Buffer): string {
  // Not fatal: a command may print bytes that are not UTF-8; those become U+FFFD, as in a terminal.
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** Length of the UTF-8 sequence a lead byte starts, or 1 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1;
  if (lead >= 0xc0) return 2;
  return 1;
}

const isContinuation = (byte: number): boolean => (byte & 0xc0) === 0x80;

/**
 * Drops an incomplete character at the end of the head cut. A character split by the cut is
 * dropped whole (on both sides), rather than shown as replacement characters: `truncated`
 * already tells the reader that bytes are missing there.
 */
export function withoutTrailingPartialCharacter(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const index = bytes.length - back;
    const byte = bytes[index] as number;
    if (isContinuation(byte)) continue;
    return sequenceLength(byte) > back ? bytes.subarray(0, index) : bytes;
  }
  return bytes;
}

/** Drops the continuation bytes of a character whose start fell before the tail cut. */
export function withoutLeadingPartialCharacter(bytes: Buffer): Buffer {
  let skip = 0;
  while (skip < 3 && skip < bytes.length && isContinuation(bytes[skip] as number)) skip++;
  return bytes.subarray(skip);
}
