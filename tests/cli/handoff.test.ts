import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { connectIpc, fullBatches, type IpcClient } from '../support/ipcClient.js';
import { leashHome, spawnLeash, waitFor, waitForOutput, type Spawned } from './support/leashProcess.js';

const started: Spawned[] = [];
afterEach(() => {
  for (const spawned of started.splice(0)) spawned.child.kill('SIGKILL');
});

async function servingLeash(): Promise<{ dir: string; home: string; ipc: IpcClient }> {
  const { dir, home } = await leashHome('leash-handoff-');
  const serve = spawnLeash(['serve', '--port', '0'], home);
  started.push(serve);
  const [url] = await waitForOutput(serve, /http:\/\/127\.0\.0\.1:\d+\/\S+/);
  return { dir, home, ipc: await connectIpc(url) };
}

async function handedBatch(ipc: IpcClient): Promise<Batch> {
  let found: Batch | undefined;
  await waitFor(async () => {
    found = (await fullBatches(ipc)).find((b) => b.source === 'cli');
    return found !== undefined;
  }, 20_000);
  return found as Batch;
}

describe('leash run beside a running Leash', () => {
  it('hands the batch to it, where a person approves it, and prints the result', async () => {
    const { dir, home, ipc } = await servingLeash();
    const file = join(dir, 'batch.json');
    await writeFile(file, JSON.stringify({ entries: [{ command: 'echo handed-over' }], cwd: dir }));
    const run = spawnLeash(['run', file], home);
    started.push(run);
    await waitForOutput(run, /handed to it/);
    const batch = await handedBatch(ipc);
    expect(batch.status).toBe('pending');
    expect(batch.cwd).toBe(dir);
    expect(run.output()).toContain(`in ${dir}`);
    expect((await ipc.call('batch:approve', { id: batch.id })).ok).toBe(true);
    expect((await ipc.call('batch:run', { id: batch.id })).ok).toBe(true);
    const { code } = await run.exited;
    expect(run.output()).toMatch(/handed-over/);
    expect(run.output()).toMatch(new RegExp(`Leash batch ${batch.id}: completed \\(approved by manual\\)`));
    expect(code).toBe(0);
    ipc.close();
  });

  it('exits 1 and says so when the person rejects it', async () => {
    const { dir, home, ipc } = await servingLeash();
    const file = join(dir, 'batch.json');
    await writeFile(file, JSON.stringify({ entries: [{ command: 'echo never' }], cwd: dir }));
    const run = spawnLeash(['run', file, '--yes'], home);
    started.push(run);
    const batch = await handedBatch(ipc);
    await waitForOutput(run, /--yes does not approve a handed-over batch/);
    expect((await ipc.call('batch:reject', { id: batch.id, reason: 'not now' })).ok).toBe(true);
    const { code } = await run.exited;
    expect(run.output()).toMatch(/rejected/);
    expect(code).toBe(1);
    ipc.close();
  });

  it('refuses a missing working directory before a person sees the batch (CWD_NOT_FOUND)', async () => {
    const { dir, home, ipc } = await servingLeash();
    const file = join(dir, 'batch.json');
    await writeFile(file, JSON.stringify({ entries: [{ command: 'echo never' }], cwd: join(dir, 'missing') }));
    const run = spawnLeash(['run', file], home);
    started.push(run);
    const { code } = await run.exited;
    expect(run.output()).toMatch(/CWD_NOT_FOUND: .*missing, does not exist/);
    expect(code).toBe(2);
    const list = await ipc.call('batch:list', {});
    expect(list.ok && list.value.total).toBe(0);
    ipc.close();
  });
});
