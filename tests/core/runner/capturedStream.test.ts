import { describe, expect, it } from 'vitest';
import {
  StreamCapture,
  withoutLeadingPartialCharacter,
  withoutTrailingPartialCharacter,
} from '../../../src-main/core/runner/capturedStream.js';

const bytes = (...values: number[]): Buffer => Buffer.from(values);

describe('cutting UTF-8 at capture limits', () => {
  it.each([
    ['keeps ASCII', bytes(0x61, 0x62), bytes(0x61, 0x62)],
    ['keeps a complete 2-byte character', Buffer.from('aé'), Buffer.from('aé')],
    ['keeps a complete 4-byte character', Buffer.from('a😀'), Buffer.from('a😀')],
    ['drops the lead byte of a split character', bytes(0x61, 0xe2), bytes(0x61)],
    ['drops two bytes of a split 3-byte character', bytes(0x61, 0xe2, 0x82), bytes(0x61)],
    ['drops three bytes of a split 4-byte character', bytes(0x61, 0xf0, 0x9f, 0x98), bytes(0x61)],
    ['leaves bytes that are not UTF-8 to the decoder', bytes(0x61, 0x80, 0x80, 0x80, 0x80), bytes(0x61, 0x80, 0x80, 0x80, 0x80)],
  ])('at the end of the head it %s', (_name, input, expected) => {
    expect(withoutTrailingPartialCharacter(input)).toEqual(expected);
  });

  it.each([
    ['keeps ASCII', bytes(0x61), bytes(0x61)],
    ['drops the rest of a character begun before the cut', bytes(0x82, 0xac, 0x61), bytes(0x61)],
    ['drops at most three continuation bytes', bytes(0x80, 0x80, 0x80, 0x80), bytes(0x80)],
  ])('at the start of the tail it %s', (_name, input, expected) => {
    expect(withoutLeadingPartialCharacter(input)).toEqual(expected);
  });
});

describe('StreamCapture', () => {
  it('keeps the first and last bytes across many small chunks', () => {
    const capture = new StreamCapture({ headBytes: 4, tailBytes: 3 });
    for (const char of 'abcdefghij') capture.push(Buffer.from(char));
    expect(capture.finish()).toMatchObject({ head: 'abcd', tail: 'hij', truncated: true, bytes: 10 });
  });

  it('cuts inside a chunk larger than both limits', () => {
    const capture = new StreamCapture({ headBytes: 2, tailBytes: 2 });
    capture.push(Buffer.from('abcdef'));
    expect(capture.finish()).toMatchObject({ head: 'ab', tail: 'ef', truncated: true, bytes: 6 });
  });

  it('works with a zero tail', () => {
    const capture = new StreamCapture({ headBytes: 2, tailBytes: 0 });
    capture.push(Buffer.from('abc'));
    expect(capture.finish()).toMatchObject({ head: 'ab', tail: '', truncated: true, bytes: 3 });
  });

  it('shows bytes that are not UTF-8 as replacement characters', () => {
    const capture = new StreamCapture();
    capture.push(bytes(0x61, 0xff, 0x62));
    expect(capture.finish().head).toBe('a\uFFFDb');
  });
});
