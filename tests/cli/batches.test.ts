import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { connectIpc } from '../support/ipcClient.js';
import { auditEvents, killMarked, leashHome, runningAs, spawnLeash, waitFor, waitForOutput, type Spawned } from './support/leashProcess.js';

const started: { spawned: Spawned; marker: string }[] = [];
afterEach(async () => {
  for (const { spawned, marker } of started.splice(0)) {
    spawned.child.kill('SIGKILL');
    await killMarked(marker);
  }
});

describe('leash batches', () => {
  it('lists the batches while leash serve runs, and writes nothing to the audit trail', async () => {
    const { home, marker } = await leashHome('leash-batches-serve-');
    const serve = spawnLeash(['serve', '--port', '0'], home);
    started.push({ spawned: serve, marker });
    const [url] = await waitForOutput(serve, /http:\/\/127\.0\.0\.1:\d+\/\S+/);
    const ipc = await connectIpc(url);
    const created = await ipc.call('batch:create', { entries: [{ command: 'echo listed' }], cwd: home });
    ipc.close();
    if (!created.ok) throw new Error(created.error.message);
    const before = await readFile(join(home, 'audit.jsonl'), 'utf8');

    const list = spawnLeash(['batches', '--json'], home);
    expect((await list.exited).code).toBe(0);
    const batches = JSON.parse(list.output()) as Batch[];
    expect(batches.map((b) => b.id)).toEqual([(created.value as Batch).id]);
    expect(await readFile(join(home, 'audit.jsonl'), 'utf8')).toBe(before);
    expect((await auditEvents(home)).filter((e) => e === 'APP_STARTED')).toHaveLength(1);
  });

  it('lists while a leash run holds the audit lock, showing the running batch as it is', async () => {
    const { dir, home, marker } = await leashHome('leash-batches-run-');
    const file = join(dir, 'batch.json');
    await writeFile(file, JSON.stringify({ entries: [{ command: `exec -a ${marker} sleep 30` }], cwd: dir }));
    const run = spawnLeash(['run', file, '--yes', '--allow-ask'], home);
    started.push({ spawned: run, marker });
    await waitFor(async () => (await runningAs(marker)).length > 0, 20_000);

    const list = spawnLeash(['batches'], home);
    expect((await list.exited).code).toBe(0);
    expect(list.output()).toMatch(/running +cli +1 running/);
    run.child.kill('SIGTERM');
    await run.exited;
  });

  it('says "no batches" for a data directory that does not exist yet, and creates nothing', async () => {
    const { home } = await leashHome('leash-batches-empty-');
    const list = spawnLeash(['batches'], home);
    expect((await list.exited).code).toBe(0);
    expect(list.output()).toBe('no batches\n');
    await expect(readFile(join(home, 'audit.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
