import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { bubblewrapArgs } from '../../src-main/core/sandbox/index.js';
import { sandboxTestRoot } from '../support/sandboxTestRoot.js';

const BIN = join(process.cwd(), 'bin/leash.js');
// Outside /tmp: the sandbox's private /tmp would hide it from the commands.
const base = sandboxTestRoot();
const root = mkdtempSync(join(base, 'cli-sandbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `leash ...args` with a fresh data directory; `prefix` runs it inside another program (a sandbox). */
function leash(args: string[], options: { prefix?: string[]; home?: string } = {}): Promise<Run> {
  const home = options.home ?? mkdtempSync(join(root, 'home-'));
  const argv = [...(options.prefix ?? []), process.execPath, BIN, ...args];
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), { env: { ...process.env, LEASH_HOME: home }, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function batchFile(commands: string[], cwd: string): string {
  const path = join(mkdtempSync(join(root, 'batch-')), 'batch.json');
  writeFileSync(path, JSON.stringify({ cwd, entries: commands.map((command) => ({ command })) }));
  return path;
}

function project(): string {
  const dir = mkdtempSync(join(root, 'project-'));
  mkdirSync(join(dir, 'victim'));
  writeFileSync(join(dir, 'victim', 'a.txt'), 'keep me\n');
  return dir;
}

describe('leash run and the sandbox', () => {
  it('runs allowed entries read-only with --yes, and the run says so in --json', async () => {
    const dir = project();
    const run = await leash(['run', '--yes', '--json', batchFile([`ls ${dir}/victim`, `find ${dir}/victim 2>/dev/null -delete`], dir)]);
    const batch = JSON.parse(run.stdout) as Batch;
    expect(batch.entries[0]?.sandbox).toMatchObject({ profile: 'read-only', network: false });
    expect(existsSync(join(dir, 'victim', 'a.txt'))).toBe(true);
    expect(run.stderr).toContain('[read-only, network off]');
  });

  it('shows the chosen profile in the dry run', async () => {
    const dir = project();
    const run = await leash(['run', '--dry-run', '--sandbox', 'workspace', '--network', batchFile(['make build', 'ls'], dir)]);
    // The workspace is the enclosing git work tree: here the checkout the tests run in, which holds `dir`.
    expect(run.stdout).toMatch(/sandbox: workspace \(\/.+\), network on/);
    expect(run.stdout).toContain('sandbox: read-only, network off');
    const full = await leash(['run', '--dry-run', '--sandbox', 'full', batchFile(['make build'], dir)]);
    expect(full.stdout).toContain('sandbox: full access, network on');
  });

  it('refuses an unknown --sandbox value with exit 2', async () => {
    const run = await leash(['run', '--yes', '--sandbox', 'everything', batchFile(['ls'], root)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--sandbox must be read-only, workspace or full');
  });

  // Inside a sandbox no further user namespace can be made: to Leash this machine has no working sandbox.
  // The checkout comes back (read-only) over the private /tmp, for a clone that lives there.
  const noSandbox = (home: string): string[] => ['bwrap', ...bubblewrapArgs({ writable: [home], hidden: [], binds: [{ source: process.cwd(), target: process.cwd() }], network: false, cwd: root })];

  it('refuses --yes where no sandbox works, and runs nothing', async () => {
    const home = mkdtempSync(join(root, 'home-'));
    const run = await leash(['run', '--yes', batchFile(['echo RAN'], root)], { prefix: noSandbox(home), home });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SANDBOX_UNAVAILABLE');
    expect(run.stderr).toContain('pass --unsandboxed');
    expect(run.stdout.split('\n')).not.toContain('RAN');
    expect(run.stdout).toContain('sandbox: unsandboxed');
  });

  it('runs them unsandboxed with --unsandboxed, and says so', async () => {
    const home = mkdtempSync(join(root, 'home-'));
    const run = await leash(['run', '--yes', '--unsandboxed', batchFile(['echo RAN'], root)], { prefix: noSandbox(home), home });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toContain('RAN');
    expect(run.stdout).toContain('[unsandboxed]');
  });
});
