import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/index.js';
import type { BatchSummary } from '../../src-main/core/batch/summary.js';
import { createHarness, projectDirectory } from '../core/batch/harness.js';

async function leash(home: string, ...argv: string[]): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const stdout = new PassThrough();
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  const code = await main(argv, { stdin: Readable.from([]), stdout, stderr: new PassThrough(), env: { LEASH_HOME: home }, cwd: home });
  return { code, stdout: out.join('') };
}

describe('leash batches --archived', () => {
  it('lists and shows the archived batches, which the plain list no longer has', async () => {
    let now = Date.now();
    const h = await createHarness({ now: () => new Date(now) });
    const cwd = projectDirectory();
    const kept = await h.service.create({ source: 'cli', cwd, entries: [{ command: 'ls' }] });
    const old = await h.service.reject((await h.service.create({ source: 'cli', cwd, entries: [{ command: 'echo archived-one' }] })).id, 'old');
    now += 3 * 24 * 60 * 60 * 1000;
    expect(await h.service.archiveFinished(2)).toEqual([old.id]);
    await h.close();

    const listed = JSON.parse((await leash(h.dir, 'batches', '--json')).stdout) as BatchSummary[];
    expect(listed.map((s) => s.id)).toEqual([kept.id]);
    const archived = await leash(h.dir, 'batches', '--archived', '--json');
    expect(archived.code).toBe(0);
    expect((JSON.parse(archived.stdout) as BatchSummary[]).map((s) => [s.id, s.status, s.firstCommand])).toEqual([[old.id, 'rejected', 'echo archived-one']]);
    const shown = await leash(h.dir, 'batches', '--archived', old.id.slice(0, 8));
    expect(shown.stdout).toContain(`batch ${old.id}`);
    expect(shown.stdout).toContain('echo archived-one');
  });
});
