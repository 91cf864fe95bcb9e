import type { CapturedStream } from './contract';
import { plural, utf8Length } from './format';

/** Bytes of the stream that are in neither the head nor the tail. */
export function omittedBytes(stream: CapturedStream): number {
  if (!stream.truncated) return 0;
  return Math.max(0, stream.bytes - utf8Length(stream.head) - utf8Length(stream.tail));
}

/** The marker shown between head and tail. */
export function omittedMarker(stream: CapturedStream): string {
  return `… ${plural(omittedBytes(stream), 'byte')} not shown …`;
}

/** At most the last `maxLines` lines and `maxChars` characters of a captured stream. */
export function capturedTail(stream: CapturedStream, maxLines: number, maxChars: number): { text: string; cut: boolean } {
  const source = stream.truncated ? stream.tail : stream.head;
  const trimmed = source.endsWith('\n') ? source.slice(0, -1) : source;
  const lines = trimmed.split('\n');
  let text = lines.slice(-maxLines).join('\n');
  let cut = stream.truncated || lines.length > maxLines;
  if (text.length > maxChars) {
    text = text.slice(text.length - maxChars);
    cut = true;
  }
  return { text, cut };
}
