import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/index.js';
import { listSegments } from '../../src-main/core/audit/segments.js';
import { writeLog } from '../core/audit/auditFixtures.js';
import { sandboxTestRoot } from '../support/sandboxTestRoot.js';

const root = await mkdtemp(join(sandboxTestRoot(), 'cli-audit-segments-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function leash(home: string, cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString('utf8')));
  const code = await main(argv, { stdin: Readable.from([]), stdout, stderr, env: { ...process.env, LEASH_HOME: home }, cwd });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('leash audit verify over a rotated trail', () => {
  it('rotates by the setting, verifies every segment in order, and names the segment an edit broke', async () => {
    const home = join(root, 'home');
    const project = join(root, 'project');
    await mkdir(home, { recursive: true });
    await mkdir(project, { recursive: true });
    const log = join(home, 'audit.jsonl');
    // Over a megabyte of history, then a run with rotation at 1 MB: its first seal rotates the log.
    await writeLog(log, Array.from({ length: 20 }, (_, n) => ({ event: 'SETTINGS_CHANGED' as const, details: { n, note: 'x'.repeat(60_000) } })));
    await writeFile(join(home, 'config.json'), JSON.stringify({ auditRotateAfterMB: 1 }));
    await writeFile(join(project, 'batch.json'), JSON.stringify({ cwd: project, entries: [{ command: 'true' }] }));
    const run = await leash(home, project, 'run', '--yes', 'batch.json');
    expect(run.code).toBe(0);
    const segments = await listSegments(log);
    expect(segments.map((s) => s.name)).toEqual(['audit.000001.jsonl']);

    const intact = await leash(home, project, 'audit', 'verify');
    expect(intact).toMatchObject({ code: 0, stderr: '' });
    expect(intact.stdout).toMatch(/^intact: \d+ records, head [0-9a-f]{64}\nsegments: 1 sealed segment \(audit\.000001\.jsonl\.\.audit\.000001\.jsonl\) and the active log, checked in order as one chain\n/);

    const segment = segments[0]!.path;
    await chmod(segment, 0o600);
    await writeFile(segment, (await readFile(segment, 'latin1')).replace('"n":3', '"n":4'), 'latin1');
    const broken = await leash(home, project, 'audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^TAMPERED: audit\.000001\.jsonl, record 4 \(line 4\): EDITED/);
  }, 60_000);
});
