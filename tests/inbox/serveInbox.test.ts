import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { waitFor } from '../core/batch/procfs.js';
import { serve, type Served } from '../e2e/harness.js';
import { connectIpc, fullBatches } from '../support/ipcClient.js';

const run = promisify(execFile);
const SECRET = 'leash-test-secret-0123456789abcdef';
let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

describe('the inbox inside a running Leash', () => {
  it('turns a signed command dropped into the folder into a batch that waits for a person, then writes its results', async () => {
    const home = await mkdtemp(join(tmpdir(), 'leash-inbox-serve-'));
    const inbox = join(home, 'inbox');
    await mkdir(join(inbox, 'commands'), { recursive: true });
    await writeFile(join(home, 'config.json'), JSON.stringify({ inbox: { enabled: true, dir: inbox, publish: false } }));
    served = await serve({ LEASH_HOME: home, LEASH_INBOX_HMAC_SECRET: SECRET });

    const unsigned = join(home, 'job.json');
    await writeFile(unsigned, JSON.stringify({ id: 'job-1', payload: { entries: [{ command: 'echo from-the-inbox' }], cwd: home }, constraints: { maxRuntimeMs: 60000 } }));
    await run(process.execPath, ['bin/leash.js', 'inbox', 'sign', unsigned, '--out', join(inbox, 'commands', 'job-1.json')], {
      env: { ...process.env, LEASH_HOME: home, LEASH_INBOX_HMAC_SECRET: SECRET },
    });

    const ipc = await connectIpc(served.url);
    let batch: Batch | undefined;
    await waitFor(async () => {
      batch = (await fullBatches(ipc)).find((b) => b.source === 'inbox:job-1');
      return batch !== undefined;
    }, 20_000);
    expect(batch?.status).toBe('pending');
    await ipc.call('batch:approve', { id: batch!.id });
    await ipc.call('batch:run', { id: batch!.id });

    const resultsFile = join(inbox, 'results', 'job-1.json');
    await waitFor(async () => (await readFile(resultsFile).catch(() => undefined)) !== undefined, 20_000);
    expect(await readFile(resultsFile, 'utf8')).toContain('from-the-inbox');
    await waitFor(async () => (await readFile(join(inbox, 'archive', 'job-1.json')).catch(() => undefined)) !== undefined, 10_000);
    const integrity = JSON.parse(await readFile(join(inbox, 'results', 'job-1.integrity.json'), 'utf8')) as Record<string, unknown>;
    expect(integrity).toMatchObject({ hmac_ok: true });
    ipc.close();
    const everything = await readFile(join(home, 'audit.jsonl'), 'utf8');
    expect(everything).toContain('INBOX_ACCEPTED');
    expect(everything).not.toContain(SECRET);
  });
});
