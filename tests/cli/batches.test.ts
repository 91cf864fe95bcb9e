import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHarness } from '../core/batch/harness.js';

const BIN = join(process.cwd(), 'bin/leash.js');

function leash(args: string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LEASH_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('leash batches', () => {
  it('lists the good batches and prints a warning line naming each batch file it set aside', async () => {
    const home = await mkdtemp(join(tmpdir(), 'leash-cli-batches-'));
    const h = await createHarness({ dir: home });
    const good = await h.service.create({ cwd: tmpdir(), entries: [{ command: 'echo ok' }] });
    await h.close();
    await writeFile(join(home, 'batches', 'x.json'), '{"id":"x","entries":[]}');
    await writeFile(join(home, 'batches', 'torn.json'), '{"id":"torn","entr');

    const result = await leash(['batches'], home);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(good.id);
    const warnings = result.stderr.trim().split('\n');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^leash batches: warning: batch file .*torn\.json is not JSON .*; it was set aside as torn\.json\.bad-\S+ and is not listed$/);
    expect(warnings[1]).toMatch(/^leash batches: warning: batch file .*x\.json is not a valid batch \(.*\); it was set aside as x\.json\.bad-\S+ and is not listed$/);
    expect((await readdir(join(home, 'batches'))).filter((f) => f.includes('.bad-'))).toHaveLength(2);

    // The next listing still names them, so they are not forgotten.
    const again = await leash(['batches', '--json'], home);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).map((b: { id: string }) => b.id)).toEqual([good.id]);
    expect(again.stderr).toMatch(/x\.json\.bad-\S+ was set aside at an earlier start/);
  });
});
