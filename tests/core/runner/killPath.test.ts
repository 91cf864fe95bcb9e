import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killProcessTree, startEntry, type EntryRequest } from '../../../src-main/core/runner/index.js';
import { createSandbox, eventually, processGroupOf, testEnv, type ProbeSandbox } from './processProbe.js';

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
  timeoutMs: 60_000,
  env: { ...testEnv(), S: sandbox.sleeper },
  ...extra,
});

const sleepersRunning = (count: number): Promise<number[]> => sandbox.sleepersRunning(count);

describe('timeout and cancel', () => {
  it('kills a tree with a background child when the timeout passes', async () => {
    const entry = startEntry(request('"$S" 300 & "$S" 300', { timeoutMs: 1_000 }));
    const result = await entry.result;
    expect(result.outcome).toBe('timed_out');
    expect(await sandbox.survivors()).toEqual([]);
  });

  it('cancels a command that started a nohup job in the background', async () => {
    const entry = startEntry(request('nohup "$S" 300 & "$S" 301'));
    await sleepersRunning(2);
    await entry.kill('cancelled');
    expect((await entry.result).outcome).toBe('cancelled');
    expect(await sandbox.survivors()).toEqual([]);
  });

  it('kills every stage of a pipeline', async () => {
    const entry = startEntry(request('"$S" 300 | "$S" 301 | cat'));
    await sleepersRunning(2);
    await entry.kill('cancelled');
    expect((await entry.result).outcome).toBe('cancelled');
    expect(await sandbox.survivors()).toEqual([]);
  });

  it('SIGKILLs a shell that ignores SIGTERM once the grace has passed', async () => {
    const entry = startEntry(request(`trap '' TERM; "$S" 300 & "$S" 301`));
    await sleepersRunning(2);
    await entry.kill('cancelled');
    expect(await entry.result).toMatchObject({ outcome: 'cancelled', signal: 'SIGKILL' });
    expect(await sandbox.survivors()).toEqual([]);
  });

  it('SIGKILLs a grandchild that ignores SIGTERM after its parent died', async () => {
    const seen = { text: '' };
    const entry = startEntry(request(`(trap '' TERM; exec "$S" 300) & echo "child $!"; "$S" 301`), {
      onOutput: (_stream, text) => (seen.text += text),
    });
    await sleepersRunning(2);
    const grandchild = Number((await eventually(() => /child (\d+)\n/.exec(seen.text)))[1]);
    const report = await killProcessTree(entry.pid as number);
    expect(report.forceKilled).toContain(grandchild);
    expect(report.survivors).toEqual([]);
    expect(await entry.result).toMatchObject({ outcome: 'error', signal: 'SIGTERM' });
    expect(await sandbox.survivors()).toEqual([]);
  });

  it('kills a descendant that left the process group with setsid', async () => {
    const entry = startEntry(request('setsid "$S" 300 & "$S" 301'));
    const sleepers = await sleepersRunning(2);
    const groups = await Promise.all(sleepers.map(processGroupOf));
    expect(groups.some((group) => group !== entry.pid)).toBe(true);
    await entry.kill('cancelled');
    expect((await entry.result).outcome).toBe('cancelled');
    expect(await sandbox.survivors()).toEqual([]);
  });

  it('settles when a background grandchild holds the output pipe after the shell exited', async () => {
    const entry = startEntry(request('"$S" 300 & echo started', { timeoutMs: 1_500 }));
    const result = await entry.result;
    expect(result).toMatchObject({ outcome: 'timed_out', exitCode: 0, stdout: { head: 'started\n' } });
    expect(await sandbox.survivors()).toEqual([]);
  });

  it('settles a cancel even when a pipe-holding child escaped beyond reach before the kill', async () => {
    // The child left the group (setsid) and lost its parent link when the shell exited, so no
    // walk can find it: a known limit. What matters here is that the result still settles.
    const entry = startEntry(request('setsid "$S" 300 & echo started'));
    await sleepersRunning(1);
    await eventually(async () => (await sandbox.survivors()).length === 1);
    await entry.kill('cancelled');
    expect(await entry.result).toMatchObject({ outcome: 'cancelled', exitCode: 0, stdout: { head: 'started\n' } });
    expect(await sandbox.survivors()).toHaveLength(1);
  });

  it('lets the first kill reason win and ignores kills after the entry finished', async () => {
    const entry = startEntry(request('"$S" 300'));
    await sleepersRunning(1);
    await Promise.all([entry.kill('cancelled'), entry.kill('timed_out')]);
    expect((await entry.result).outcome).toBe('cancelled');

    const done = startEntry(request('true'));
    await done.result;
    await done.kill('cancelled');
    expect((await done.result).outcome).toBe('completed');
  });

  it('delivers the output written before the kill', async () => {
    const seen = { text: '' };
    const entry = startEntry(request('echo before; "$S" 300'), { onOutput: (_stream, text) => (seen.text += text) });
    await sleepersRunning(1);
    await entry.kill('cancelled');
    const result = await entry.result;
    expect(result.stdout.head).toBe('before\n');
    expect(seen.text).toBe('before\n');
  });
});
