/**
 * A bounded, line-oriented record of one entry's live output. It keeps the last `maxLines` lines
 * (and at most about `maxChars` characters), counts what it dropped, and holds each stream's
 * unfinished last line apart so interleaved stdout and stderr never splice into one line.
 * Plain data on purpose: it is never made reactive (see the output store).
 */
export interface OutputLine {
  text: string;
  stderr: boolean;
}

export interface OutputLimits {
  maxLines: number;
  maxChars: number;
  /** Longer lines are cut into pieces of this length so one line can never be unbounded. */
  maxLineChars: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = { maxLines: 50_000, maxChars: 8_000_000, maxLineChars: 8_192 };

// CSI sequences (colours, cursor moves) and OSC titles: shown raw they are noise, not output.
// eslint-disable-next-line no-control-regex
const TERMINAL_CODES = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?/g;

/** What a terminal would leave of a line: escape codes removed, text before a lone `\r` overwritten. */
export function displayLine(raw: string): string {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const cut = line.lastIndexOf('\r');
  return (cut >= 0 ? line.slice(cut + 1) : line).replace(TERMINAL_CODES, '');
}

export class OutputBuffer {
  readonly limits: OutputLimits;
  /** Lines before `start` are dropped; compacted now and then so eviction stays O(1) amortized. */
  private lines: OutputLine[] = [];
  private start = 0;
  private chars = 0;
  private partial = { stdout: '', stderr: '' };
  /** Lines dropped from the front to stay within the limits. */
  droppedLines = 0;
  /** Characters received in total, dropped or not. */
  receivedChars = 0;

  constructor(limits: Partial<OutputLimits> = {}) {
    this.limits = { ...DEFAULT_OUTPUT_LIMITS, ...limits };
  }

  append(stream: 'stdout' | 'stderr', text: string): void {
    if (text.length === 0) return;
    this.receivedChars += text.length;
    const pieces = (this.partial[stream] + text).split('\n');
    const rest = pieces.pop() ?? '';
    for (const piece of pieces) this.pushLine(piece, stream === 'stderr');
    this.partial[stream] = this.cutLong(rest, stream === 'stderr');
    this.evict();
  }

  /** Completed lines plus the unfinished last line of each stream. */
  get lineCount(): number {
    return this.lines.length - this.start + this.pendingLines().length;
  }

  /** Line `index` (0 = oldest kept), ready to display. */
  line(index: number): OutputLine | undefined {
    const kept = this.lines.length - this.start;
    if (index < kept) {
      const line = this.lines[this.start + index];
      return line && { text: displayLine(line.text), stderr: line.stderr };
    }
    const pending = this.pendingLines()[index - kept];
    return pending && { text: displayLine(pending.text), stderr: pending.stderr };
  }

  /** Everything kept, as text, with a note at the top when earlier lines were dropped. */
  toText(): string {
    const parts: string[] = [];
    if (this.droppedLines > 0) parts.push(`… ${this.droppedLines} earlier lines dropped …`);
    for (let i = 0; i < this.lineCount; i += 1) parts.push(this.line(i)?.text ?? '');
    return parts.join('\n');
  }

  /** The last `count` lines as text (for summaries). */
  tail(count: number): string[] {
    const total = this.lineCount;
    const lines: string[] = [];
    for (let i = Math.max(0, total - count); i < total; i += 1) lines.push(this.line(i)?.text ?? '');
    return lines;
  }

  private pendingLines(): OutputLine[] {
    const pending: OutputLine[] = [];
    if (this.partial.stdout) pending.push({ text: this.partial.stdout, stderr: false });
    if (this.partial.stderr) pending.push({ text: this.partial.stderr, stderr: true });
    return pending;
  }

  private pushLine(text: string, stderr: boolean): void {
    const rest = this.cutLong(text, stderr);
    this.lines.push({ text: rest, stderr });
    this.chars += rest.length;
  }

  /** Pushes whole `maxLineChars` pieces of `text` and returns what is left. */
  private cutLong(text: string, stderr: boolean): string {
    const max = this.limits.maxLineChars;
    let rest = text;
    while (rest.length > max) {
      this.lines.push({ text: rest.slice(0, max), stderr });
      this.chars += max;
      rest = rest.slice(max);
    }
    return rest;
  }

  private evict(): void {
    const { maxLines, maxChars } = this.limits;
    while (this.lines.length - this.start > maxLines || (this.chars > maxChars && this.lines.length - this.start > 1)) {
      const dropped = this.lines[this.start];
      this.start += 1;
      this.droppedLines += 1;
      this.chars -= dropped?.text.length ?? 0;
    }
    if (this.start > 4096 && this.start * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.start);
      this.start = 0;
    }
  }
}
