import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditRecords, closeReader, exists, killMarked, leashHome, livePidsWith, runningAs, spawnLeash, waitFor, type Spawned } from './support/leashProcess.js';

const started: { spawned: Spawned; marker: string }[] = [];
afterEach(async () => {
  for (const { spawned, marker } of started.splice(0)) {
    spawned.child.kill('SIGKILL');
    await killMarked(marker);
  }
});

/** `leash run --yes` of a batch whose first entry sleeps 33 s, once that sleep runs. */
async function runningASleep(options: { merged?: boolean } = {}): Promise<{ spawned: Spawned; home: string; marker: string }> {
  const { dir, home, marker } = await leashHome('leash-run-signal-');
  const file = join(dir, 'batch.json');
  await writeFile(file, JSON.stringify({ entries: [{ command: `exec -a ${marker} sleep 33` }, { command: 'echo never' }], cwd: dir }));
  const spawned = spawnLeash(['run', file, '--yes', '--allow-ask'], home, options);
  started.push({ spawned, marker });
  await waitFor(async () => (await runningAs(marker)).length > 0, 20_000);
  return { spawned, home, marker };
}

describe('leash run asked to end while an entry runs', () => {
  it.each(['SIGTERM', 'SIGHUP'] as const)('%s kills the entry at once (an emergency stop recorded as a shutdown) and releases the lock, even with its output pipe closed', async (signal) => {
    const { spawned, home, marker } = await runningASleep({ merged: true });
    closeReader(spawned);
    spawned.child.kill(signal);
    const { code } = await spawned.exited;
    expect(await livePidsWith(marker)).toEqual([]);
    const records = await auditRecords(home);
    expect(records.find((r) => r.event === 'EMERGENCY_STOP')?.reason).toBe(`Leash shut down (leash run received ${signal})`);
    // The second entry never started: it is cancelled, not run.
    expect(records.filter((r) => r.event === 'ENTRY_STARTED')).toHaveLength(1);
    expect(await exists(join(home, 'audit.jsonl.lock'))).toBe(false);
    expect(code).toBe(130);
  });

  it('two Ctrl+C with its output pipe closed still kill the entry and release the lock', async () => {
    const { spawned, home, marker } = await runningASleep({ merged: true });
    closeReader(spawned);
    spawned.child.kill('SIGINT');
    // Two signals sent back to back can arrive as one (the kernel does not queue them).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    spawned.child.kill('SIGINT');
    await spawned.exited;
    expect(await livePidsWith(marker)).toEqual([]);
    expect((await auditRecords(home)).map((r) => r.event)).toContain('EMERGENCY_STOP');
    expect(await exists(join(home, 'audit.jsonl.lock'))).toBe(false);
  });

  it('names an entry that was killed KILLED and one that never started "not run"', async () => {
    const { spawned } = await runningASleep();
    spawned.child.kill('SIGTERM');
    await spawned.exited;
    expect(spawned.output()).toMatch(/1\. KILLED .*exec -a/);
    expect(spawned.output()).toMatch(/2\. not run .*echo never/);
  });
});
