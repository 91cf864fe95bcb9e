import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutputThrottle } from '../../../src-main/core/runner/outputThrottle.js';
import { startEntry } from '../../../src-main/core/runner/index.js';
import type { OutputStreamName } from '../../../src-main/core/runner/index.js';
import { createSandbox, testEnv, type ProbeSandbox } from './processProbe.js';

type Call = [OutputStreamName, string];

describe('OutputThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('coalesces small chunks into one delivery after the interval', () => {
    const calls: Call[] = [];
    const throttle = new OutputThrottle((stream, text) => calls.push([stream, text]), { intervalMs: 50, maxPendingBytes: 1024 });
    for (let i = 0; i < 100; i++) throttle.push('stdout', Buffer.from(`${i}\n`));
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[1]).toBe(Array.from({ length: 100 }, (_, i) => `${i}\n`).join(''));
  });

  it('delivers at once when the pending bytes reach the limit', () => {
    const calls: Call[] = [];
    const throttle = new OutputThrottle((stream, text) => calls.push([stream, text]), { intervalMs: 50, maxPendingBytes: 1024 });
    throttle.push('stdout', Buffer.alloc(600, 'a'));
    throttle.push('stdout', Buffer.alloc(600, 'b'));
    expect(calls).toEqual([['stdout', 'a'.repeat(600) + 'b'.repeat(600)]]);
  });

  it('keeps the order of stdout and stderr pieces', () => {
    const calls: Call[] = [];
    const throttle = new OutputThrottle((stream, text) => calls.push([stream, text]));
    throttle.push('stdout', Buffer.from('a'));
    throttle.push('stdout', Buffer.from('b'));
    throttle.push('stderr', Buffer.from('c'));
    throttle.push('stdout', Buffer.from('d'));
    throttle.close();
    expect(calls).toEqual([['stdout', 'ab'], ['stderr', 'c'], ['stdout', 'd']]);
  });

  it('decodes a character split across chunks and deliveries whole', () => {
    const calls: Call[] = [];
    const throttle = new OutputThrottle((stream, text) => calls.push([stream, text]));
    const euro = Buffer.from('€'); // e2 82 ac
    throttle.push('stdout', euro.subarray(0, 1));
    vi.advanceTimersByTime(50);
    throttle.push('stdout', euro.subarray(1, 2));
    vi.advanceTimersByTime(50);
    throttle.push('stdout', Buffer.concat([euro.subarray(2), Buffer.from('!')]));
    throttle.close();
    expect(calls).toEqual([['stdout', '€!']]);
  });

  it('decodes every two-way split of mixed text exactly as one whole decode would', () => {
    const whole = Buffer.concat([Buffer.from('aé€😀b'), Buffer.from([0xff]), Buffer.from('c€')]);
    for (let first = 1; first < whole.length; first++) {
      for (let second = first + 1; second < whole.length; second++) {
        let text = '';
        const throttle = new OutputThrottle((_stream, piece) => (text += piece), { intervalMs: 50, maxPendingBytes: 1 });
        for (const piece of [whole.subarray(0, first), whole.subarray(first, second), whole.subarray(second)]) throttle.push('stdout', piece);
        throttle.close();
        expect(text).toBe(new TextDecoder().decode(whole));
      }
    }
  });

  it('turns an incomplete final character into one replacement character on close', () => {
    const calls: Call[] = [];
    const throttle = new OutputThrottle((stream, text) => calls.push([stream, text]));
    throttle.push('stderr', Buffer.from([0x61, 0xe2, 0x82]));
    throttle.close();
    expect(calls.map(([, text]) => text).join('')).toBe('a\uFFFD');
  });
});

describe('live output of a real entry', () => {
  let sandbox: ProbeSandbox;
  beforeEach(async () => {
    sandbox = await createSandbox();
  });
  afterEach(async () => {
    await sandbox.dispose();
  });

  it('delivers every byte of a large output in order', async () => {
    let text = '';
    const entry = startEntry(
      { command: 'seq 1 300000', cwd: sandbox.dir, timeoutMs: 60_000, env: testEnv() },
      { onOutput: (stream, piece) => (text += stream === 'stdout' ? piece : '') },
    );
    const result = await entry.result;
    const expected = Array.from({ length: 300_000 }, (_, i) => `${i + 1}\n`).join('');
    expect(text).toBe(expected);
    expect(result.stdout.bytes).toBe(Buffer.byteLength(expected));
  });

  it('decodes a UTF-8 character the command wrote in two halves', async () => {
    const pieces: string[] = [];
    const entry = startEntry(
      { command: "printf '\\342\\202'; sleep 0.2; printf '\\254\\n'", cwd: sandbox.dir, timeoutMs: 60_000, env: testEnv() },
      { onOutput: (_stream, piece) => pieces.push(piece) },
    );
    const result = await entry.result;
    expect(pieces.join('')).toBe('€\n');
    expect(result.stdout.head).toBe('€\n');
  });
});
