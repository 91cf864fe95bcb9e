// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { displayLine, OutputBuffer } from '../../src-renderer/src/model/outputBuffer';
import { useOutputStore } from '../../src-renderer/src/stores/output';

function lines(buffer: OutputBuffer): { text: string; stderr: boolean }[] {
  return Array.from({ length: buffer.lineCount }, (_, i) => buffer.line(i)!);
}

describe('OutputBuffer', () => {
  it('joins chunks into lines and keeps stdout and stderr lines apart', () => {
    const buffer = new OutputBuffer();
    buffer.append('stdout', 'hel');
    buffer.append('stderr', 'warn');
    buffer.append('stdout', 'lo\nwor');
    buffer.append('stderr', 'ing\n');
    expect(lines(buffer)).toEqual([
      { text: 'hello', stderr: false },
      { text: 'warning', stderr: true },
      { text: 'wor', stderr: false },
    ]);
  });

  it('stays bounded with 200,000 lines and counts what it dropped', () => {
    const buffer = new OutputBuffer();
    for (let chunk = 0; chunk < 200; chunk += 1) {
      buffer.append('stdout', Array.from({ length: 1000 }, (_, i) => `line ${chunk * 1000 + i}`).join('\n') + '\n');
    }
    expect(buffer.lineCount).toBe(50_000);
    expect(buffer.droppedLines).toBe(150_000);
    expect(buffer.line(0)?.text).toBe('line 150000');
    expect(buffer.line(49_999)?.text).toBe('line 199999');
    expect(buffer.toText().startsWith('… 150000 earlier lines dropped …\nline 150000\n')).toBe(true);
  });

  it('stays within its character budget when lines are long', () => {
    const buffer = new OutputBuffer({ maxChars: 100_000 });
    for (let i = 0; i < 100; i += 1) buffer.append('stdout', `${'x'.repeat(5000)}\n`);
    expect(buffer.lineCount).toBe(20);
    expect(buffer.droppedLines).toBe(80);
  });

  it('cuts a line without newlines into pieces instead of growing one string forever', () => {
    const buffer = new OutputBuffer({ maxLineChars: 10 });
    buffer.append('stdout', 'a'.repeat(25));
    expect(lines(buffer).map((l) => l.text)).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
  });

  it('shows lines the way a terminal would: colours removed, carriage-return overwrites applied', () => {
    expect(displayLine('\u001B[31mred\u001B[0m text')).toBe('red text');
    expect(displayLine('10%\r50%\r100%')).toBe('100%');
    expect(displayLine('windows line\r')).toBe('windows line');
  });
});

describe('the output store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('folds queued chunks once per frame and bumps the revision of each entry it touched', () => {
    const frames: (() => void)[] = [];
    const store = useOutputStore();
    store.configure({ scheduler: (callback) => frames.push(callback) });
    store.receive({ batchId: 'b', entryId: 'e1', stream: 'stdout', text: 'a\n' });
    store.receive({ batchId: 'b', entryId: 'e1', stream: 'stderr', text: 'b\n' });
    store.receive({ batchId: 'b', entryId: 'e2', stream: 'stdout', text: 'c\n' });
    expect(frames).toHaveLength(1);
    expect(store.revision('e1')).toBe(0);
    frames[0]!();
    expect(store.revision('e1')).toBe(1);
    expect(store.revision('e2')).toBe(1);
    expect(store.buffer('e1')?.lineCount).toBe(2);
  });
});
