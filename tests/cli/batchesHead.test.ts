import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBatchStore, type Batch } from '../../src-main/core/batch/index.js';
import { sandboxTestRoot } from '../support/sandboxTestRoot.js';
import { killMarked, leashHome, runningAs, spawnLeash, waitFor } from './support/leashProcess.js';

const markers: string[] = [];
afterEach(async () => {
  for (const marker of markers.splice(0)) await killMarked(marker);
});

async function batchJson(home: string, id: string): Promise<Batch> {
  const shown = spawnLeash(['batches', id, '--json'], home);
  const { code } = await shown.exited;
  if (code !== 0) throw new Error(`leash batches ${id} failed: ${shown.output()}`);
  return JSON.parse(shown.output()) as Batch;
}

describe('a start from the index head after a crash', () => {
  it('recovers the batch that was running when leash run was killed: interrupted, the rest cancelled, nothing left running', async () => {
    const { dir, home, marker } = await leashHome('leash-head-crash-');
    markers.push(marker);
    const project = await mkdtemp(join(sandboxTestRoot(), 'leash-head-project-'));
    const file = join(dir, 'batch.json');
    await writeFile(file, JSON.stringify({ entries: [{ command: `exec -a ${marker} sleep 300` }, { command: 'echo never' }], cwd: project }));
    const run = spawnLeash(['run', file, '--yes', '--allow-ask'], home);
    // Until the head names the running batch and nothing in the batches directory changed after it.
    const headFile = join(home, 'batches', 'head', 'index.json');
    let id = '';
    await waitFor(async () => {
      const text = await readFile(headFile, 'utf8').catch(() => '');
      if (!text) return false;
      const head = JSON.parse(text) as { open: [string, string][]; dirMtimeMs: number };
      // Approved and then running: the index is not told of the second (the file is, and a start reads it in full).
      id = head.open.find(([, mark]) => mark === 'approved' || mark === 'running')?.[0] ?? '';
      return id !== '' && (await stat(join(home, 'batches'))).mtimeMs === head.dirMtimeMs && (await runningAs(marker)).length > 0;
    }, 30_000);
    run.child.kill('SIGKILL');
    await run.exited;

    // Read-only, from the head: shown as stored.
    expect((await batchJson(home, id)).status).toBe('running');
    // The next start takes the head (not the whole index) and finds the batch in it.
    const fromHead = await createBatchStore(join(home, 'batches')).loadHead();
    expect(fromHead?.active.map((b) => [b.id, b.status])).toEqual([[id, 'running']]);

    const next = join(dir, 'next.json');
    await writeFile(next, JSON.stringify({ entries: [{ command: 'true' }], cwd: project }));
    const recovery = spawnLeash(['run', next, '--yes'], home);
    expect((await recovery.exited).code).toBe(0);
    const recovered = await batchJson(home, id);
    expect([recovered.status, ...recovered.entries.map((e) => e.status)]).toEqual(['interrupted', 'interrupted', 'cancelled']);
    expect(await runningAs(marker)).toEqual([]);
    // And the list agrees: two batches, the recovered one second.
    const list = spawnLeash(['batches', '--json'], home);
    await list.exited;
    expect((JSON.parse(list.output()) as { id: string; status: string }[]).map((s) => s.status)).toEqual(['completed', 'interrupted']);
  }, 60_000);
});
