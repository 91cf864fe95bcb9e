import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { sandboxTestRoot } from '../support/sandboxTestRoot.js';

/**
 * A rule is approval given in advance, not a claim that the command only reads (issue #11 item
 * 3): what a rule allows runs in the workspace sandbox, so it writes inside its project and
 * nowhere else, with the real CLI, the real policy file and the real sandbox.
 */
const BIN = join(process.cwd(), 'bin/leash.js');
const root = mkdtempSync(join(sandboxTestRoot(), 'rule-sandbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function leash(args: string[], home: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LEASH_HOME: home }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('what a rule allows runs in the workspace sandbox', () => {
  it('writes inside its project and nowhere else, and says why it could not', async () => {
    const home = mkdtempSync(join(root, 'home-'));
    // Its own git work tree: the workspace is the project, not the checkout the tests run in.
    const project = mkdtempSync(join(root, 'project-'));
    execFileSync('git', ['init', '-q', project]);
    const outside = mkdtempSync(join(root, 'outside-'));
    const added = await leash(['rules', 'add', '--project', project, '--', 'touch'], home, project);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const batch = join(home, 'batch.json');
    writeFileSync(batch, JSON.stringify({ cwd: project, stopOnFailure: false, entries: [{ command: 'touch made-here.txt' }, { command: `touch ${outside}/planted.txt` }] }));
    const run = await leash(['run', '--yes', '--json', batch], home, project);
    const result = JSON.parse(run.stdout) as Batch;
    const [inside, escape] = result.entries;
    expect(inside?.classification.verdict).toBe('allow');
    expect(inside?.classification.reasons.map((r) => r.message).join(' ')).toMatch(/your rule `touch`/);
    expect(inside?.sandbox).toMatchObject({ profile: 'workspace', workspace: project, network: false });
    expect(inside?.status).toBe('completed');
    expect(existsSync(join(project, 'made-here.txt'))).toBe(true);
    expect(escape?.classification.verdict).toBe('allow');
    expect(escape?.status).toBe('error');
    expect(existsSync(join(outside, 'planted.txt'))).toBe(false);
    expect(escape?.sandboxHint).toBe(`the sandbox kept this command from writing outside ${project}`);
  });
});
