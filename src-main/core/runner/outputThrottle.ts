import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import type { OutputStreamName } from './types.js';

export interface ThrottleLimits {
  /** Longest a chunk waits before it is delivered. */
  intervalMs: number;
  /** Pending bytes that trigger delivery at once, so a flood is passed on in large pieces. */
  maxPendingBytes: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = { intervalMs: 50, maxPendingBytes: 64 * 1024 };

interface PendingSegment {
  stream: OutputStreamName;
  chunks: Buffer[];
}

type Deliver = (stream: OutputStreamName, text: string) => void;

/**
 * Coalesces live output so a consumer (IPC to the renderer, a terminal) receives a few large
 * pieces rather than one call per pipe read: delivery happens when `intervalMs` has passed since
 * the first pending byte, or at once when `maxPendingBytes` are pending. The order of stdout and
 * stderr pieces is kept. Bytes are decoded at delivery with one streaming decoder per stream, so
 * a character split across pipe reads (or deliveries) arrives whole.
 */
export class OutputThrottle {
  private segments: PendingSegment[] = [];
  private pendingBytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly decoders: Record<OutputStreamName, TextDecoder> = {
    stdout: new TextDecoder('utf-8', { fatal: false }),
    stderr: new TextDecoder('utf-8', { fatal: false }),
  };
  /** Whether the decoder may hold part of a character: true when the last byte it saw was not ASCII. */
  private readonly midCharacter: Record<OutputStreamName, boolean> = { stdout: false, stderr: false };

  constructor(
    private readonly deliver: Deliver,
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS,
  ) {}

  push(stream: OutputStreamName, chunk: Buffer): void {
    if (this.closed || chunk.length === 0) return;
    const last = this.segments[this.segments.length - 1];
    if (last && last.stream === stream) last.chunks.push(chunk);
    else this.segments.push({ stream, chunks: [chunk] });
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.limits.maxPendingBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.intervalMs);
  }

  /** Delivers everything pending now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const segments = this.segments;
    this.segments = [];
    this.pendingBytes = 0;
    for (const { stream, chunks } of segments) {
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      this.emit(stream, this.decode(stream, bytes));
    }
  }

  /**
   * Most output is ASCII, and TextDecoder is several times slower than a plain copy for it
   * (it decided whether a 512 MB flood stayed above 300 MB/s with a live consumer). When the
   * decoder holds nothing and the bytes are all ASCII, both give the same text, so copy.
   */
  private decode(stream: OutputStreamName, bytes: Buffer): string {
    if (!this.midCharacter[stream] && isAscii(bytes)) return bytes.toString('latin1');
    // After an ASCII byte no sequence can be pending: it either ended one or broke it.
    this.midCharacter[stream] = (bytes[bytes.length - 1] as number) >= 0x80;
    return this.decoders[stream].decode(bytes, { stream: true });
  }

  /** Delivers what is pending, ends both decoders (an incomplete final character becomes U+FFFD) and stops. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    for (const stream of ['stdout', 'stderr'] as const) this.emit(stream, this.decoders[stream].decode());
  }

  private emit(stream: OutputStreamName, text: string): void {
    if (text === '') return;
    try {
      this.deliver(stream, text);
    } catch {
      // A consumer's bug must not stop capture or leave a process unsupervised; the full
      // output is still in the result.
    }
  }
}
