import { createHash } from 'node:crypto';
import { realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEntry, type EntryRequest } from '../../../src-main/core/runner/index.js';
import { createSandbox, testEnv, type ProbeSandbox } from './processProbe.js';

let sandbox: ProbeSandbox;
beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(async () => {
  await sandbox.dispose();
});

const request = (command: string, extra: Partial<EntryRequest> = {}): EntryRequest => ({
  command,
  cwd: sandbox.dir,
  timeoutMs: 20_000,
  env: testEnv(),
  ...extra,
});

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

describe('startEntry outcomes', () => {
  it('reports a command that exits 0 as completed', async () => {
    const result = await startEntry(request('true')).result;
    expect(result).toMatchObject({ outcome: 'completed', exitCode: 0, signal: null });
    expect(result.error).toBeUndefined();
  });

  it('reports a non-zero exit as error with its exit code', async () => {
    const result = await startEntry(request('exit 7')).result;
    expect(result).toMatchObject({ outcome: 'error', exitCode: 7, signal: null });
  });

  it('reports a shell killed by a signal it sent itself as error with that signal', async () => {
    const result = await startEntry(request('kill -KILL $$')).result;
    expect(result).toMatchObject({ outcome: 'error', exitCode: null, signal: 'SIGKILL' });
  });

  it('records start and end times and a non-negative duration', async () => {
    const result = await startEntry(request('true')).result;
    expect(Date.parse(result.endedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('runs in its own process group whose id is the pid', async () => {
    const entry = startEntry(request('cut -d" " -f5 /proc/$$/stat'));
    const result = await entry.result;
    expect(result.stdout.head).toBe(`${entry.pid}\n`);
  });

  it('runs in the requested working directory with exactly the given environment', async () => {
    const result = await startEntry(request('pwd; echo "$FOO"; echo "${HOME-unset}"', { env: { ...testEnv(), FOO: 'bar' } })).result;
    expect(result.stdout.head).toBe(`${await realpath(sandbox.dir)}\nbar\nunset\n`);
  });

  it('closes stdin so a command reading it sees end of file instead of hanging', async () => {
    const result = await startEntry(request('cat; echo done')).result;
    expect(result).toMatchObject({ outcome: 'completed', stdout: { head: 'done\n' } });
  });

  it('runs with the shell it is given', async () => {
    const result = await startEntry(request('echo "$0"', { shell: '/bin/sh' })).result;
    expect(result.stdout.head).toBe('/bin/sh\n');
  });

  it('calls onStart with the pid before any output', async () => {
    const calls: string[] = [];
    const entry = startEntry(request('echo hi'), {
      onStart: (pid) => void calls.push(`start ${pid}`),
      onOutput: (stream, text) => calls.push(`${stream} ${text}`),
    });
    await entry.result;
    expect(calls).toEqual([`start ${entry.pid}`, 'stdout hi\n']);
  });

  it('keeps running and capturing when a hook throws', async () => {
    const entry = startEntry(request('echo hi'), {
      onStart: () => {
        throw new Error('consumer bug');
      },
      onOutput: () => {
        throw new Error('consumer bug');
      },
    });
    expect(await entry.result).toMatchObject({ outcome: 'completed', stdout: { head: 'hi\n' } });
  });
});

describe('startEntry capture', () => {
  it('captures stdout and stderr separately and exactly, including NUL bytes', async () => {
    const result = await startEntry(request("printf 'out\\0put'; printf 'err\\n' >&2")).result;
    expect(result.stdout).toEqual({ head: 'out\0put', tail: '', truncated: false, bytes: 7, sha256: sha256('out\0put') });
    expect(result.stderr).toEqual({ head: 'err\n', tail: '', truncated: false, bytes: 4, sha256: sha256('err\n') });
  });

  it('records an empty stream as zero bytes with the hash of nothing', async () => {
    const result = await startEntry(request('true')).result;
    expect(result.stdout).toEqual({ head: '', tail: '', truncated: false, bytes: 0, sha256: sha256('') });
  });

  it('keeps the head and tail of large output with the byte count and hash of all of it', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `line ${String(i).padStart(6, '0')}\n`).join('');
    const file = join(sandbox.dir, 'big.txt');
    await writeFile(file, lines);
    const capture = { headBytes: 1000, tailBytes: 2000 };
    const result = await startEntry(request(`cat ${file}`), {}, { capture }).result;
    expect(result.stdout).toEqual({
      head: lines.slice(0, 1000),
      tail: lines.slice(lines.length - 2000),
      truncated: true,
      bytes: Buffer.byteLength(lines),
      sha256: sha256(lines),
    });
  });

  it('keeps output that fits head plus tail whole, untruncated', async () => {
    const text = 'x'.repeat(2500);
    const result = await startEntry(request(`printf '%s' ${text}`), {}, { capture: { headBytes: 1000, tailBytes: 2000 } }).result;
    expect(result.stdout).toMatchObject({ head: text, tail: '', truncated: false, bytes: 2500 });
  });

  it('drops a character split by a head or tail cut whole, never showing a broken one', async () => {
    // '€' is 3 bytes, so a 64 KiB cut lands one byte into a character at both ends.
    const text = '€'.repeat(50_000);
    const file = join(sandbox.dir, 'euro.txt');
    await writeFile(file, text);
    const result = await startEntry(request(`cat ${file}`)).result;
    expect(result.stdout).toEqual({
      head: '€'.repeat(21_845),
      tail: '€'.repeat(21_845),
      truncated: true,
      bytes: 150_000,
      sha256: sha256(text),
    });
  });

  it('hashes and counts a stream far larger than its caps', async () => {
    const result = await startEntry(request('head -c 20000000 /dev/zero')).result;
    expect(result.stdout).toMatchObject({ bytes: 20_000_000, truncated: true, sha256: sha256(Buffer.alloc(20_000_000)) });
    expect(result.stdout.head).toBe('\0'.repeat(64 * 1024));
  });
});

describe('startEntry spawn failures', () => {
  it('returns CWD_NOT_FOUND as a value when the working directory is missing', async () => {
    const entry = startEntry(request('true', { cwd: join(sandbox.dir, 'missing') }));
    expect(entry.pid).toBeNull();
    const result = await entry.result;
    expect(result).toMatchObject({ outcome: 'error', exitCode: null, signal: null, error: { code: 'CWD_NOT_FOUND' } });
    expect(result.stdout.bytes).toBe(0);
  });

  it('returns CWD_NOT_FOUND when the working directory is a file', async () => {
    const file = join(sandbox.dir, 'file');
    await writeFile(file, '');
    expect(await startEntry(request('true', { cwd: file })).result).toMatchObject({ error: { code: 'CWD_NOT_FOUND' } });
  });

  it('returns SHELL_NOT_FOUND when the shell is missing or not executable', async () => {
    const notExecutable = join(sandbox.dir, 'shell');
    await writeFile(notExecutable, '');
    for (const shell of [join(sandbox.dir, 'no-such-shell'), notExecutable]) {
      expect(await startEntry(request('true', { shell })).result).toMatchObject({ outcome: 'error', error: { code: 'SHELL_NOT_FOUND' } });
    }
  });

  it('returns SPAWN_FAILED for a command no process can take', async () => {
    const tooLong = startEntry(request(`echo ${'x'.repeat(200_000)}`));
    const withNul = startEntry(request('echo a\0b'));
    expect(await tooLong.result).toMatchObject({ outcome: 'error', error: { code: 'SPAWN_FAILED' } });
    expect(await withNul.result).toMatchObject({ outcome: 'error', error: { code: 'SPAWN_FAILED' } });
  });

  it('lets a failed entry be killed harmlessly', async () => {
    const entry = startEntry(request('true', { cwd: join(sandbox.dir, 'missing') }));
    await entry.kill('cancelled');
    expect((await entry.result).outcome).toBe('error');
  });
});
