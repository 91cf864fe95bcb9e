import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLines } from '../core/audit/auditFixtures.js';
import { forgeAppend, rewriteLog } from '../core/audit/sealFixtures.js';

/**
 * Issue #16 item 11 end to end: the real built `leash` runs a real batch (which seals the trail),
 * the person takes the verification key, then an attacker who can write every file in the data
 * directory (but does not have that key) tries the three attacks that used to pass.
 */
const BIN = join(process.cwd(), 'bin/leash.js');

let dir: string;
let home: string;
let log: string;

function leash(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LEASH_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function runBatch(...commands: string[]): Promise<void> {
  const file = join(dir, `batch-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify({ entries: commands.map((command) => ({ command })) }));
  const result = await leash(['run', file, '--yes']);
  expect(result.code, result.stderr).toBe(0);
}

async function takeKey(): Promise<string> {
  const shown = await leash(['audit', 'setup-keys']);
  expect(shown.code, shown.stderr).toBe(0);
  const key = /leash1(-[0-9a-f]{8}){8}/.exec(shown.stdout)?.[0];
  expect(key).toBeDefined();
  return key as string;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leash-seal-'));
  home = join(dir, 'home');
  log = join(home, 'audit.jsonl');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('leash audit with sealing', () => {
  it('prints the verification key once, removes it from the machine, and verifies every seal with it', async () => {
    await runBatch('echo one');
    const key = await takeKey();
    expect(await readdir(home)).not.toContain('audit.jsonl.verify-key');
    expect((await leash(['audit', 'setup-keys'])).code).toBe(1);
    const verified = await leash(['audit', 'verify', '--verify-key', key]);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/^intact: \d+ records/);
    expect(verified.stdout).toMatch(/sealed: key [0-9a-f]{16}, started at seq 1, seals records 1\.\.\d+ .*; checked with your verification key/);
    expect(verified.stdout).toContain('unsealed tail: none');
    // From standard input, so the key stays out of the shell history.
    expect((await leash(['audit', 'verify', '--verify-key-file', '-'], `${key}\n`)).code).toBe(0);
    const keyless = await leash(['audit', 'verify']);
    expect(keyless.code).toBe(0);
    expect(keyless.stdout).toContain('seals were not checked');
  });

  it('exits 1 naming a forged tail record that has a correct hash and an updated checkpoint', async () => {
    await runBatch('echo one');
    const key = await takeKey();
    const forged = await forgeAppend(log, { event: 'BATCH_APPROVED', batchId: 'forged', approvedBy: 'manual' });
    for (const args of [['audit', 'verify'], ['audit', 'verify', '--verify-key', key]]) {
      const result = await leash(args);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`TAMPERED: record ${forged.seq} (line ${forged.seq}): UNSEALED_TAIL — record ${forged.seq} come after the last seal`);
    }
    // And the next run refuses to seal it into the trail.
    const file = join(dir, 'again.json');
    await writeFile(file, JSON.stringify({ entries: [{ command: 'echo two' }] }));
    const refused = await leash(['run', file, '--yes']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('UNSEALED_TAIL');
  });

  it('exits 1 naming a tail that was cut and re-checkpointed', async () => {
    await runBatch('echo one');
    await runBatch('echo two');
    const key = await takeKey();
    const lines = await readLines(log);
    // Cut the second run off, right after the seal that closed the first one.
    const firstRunEnd = lines.findIndex((line) => line.includes('"event":"APP_STARTED"') && lines.indexOf(line) > 2) - 1;
    await rewriteLog(log, lines.slice(0, firstRunEnd + 1));
    const result = await leash(['audit', 'verify', '--verify-key', key]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/TAMPERED: record \d+ \(line \d+\): SEALS_CUT — the sealing key is at epoch \d+ but the last seal in the trail is epoch \d+ \(seq \d+\): \d+ seals? (was|were) cut off/);
  });

  it('exits 1 for a deleted trail next to existing batches, and refuses to start a new one silently', async () => {
    await runBatch('echo one');
    await takeKey();
    for (const name of await readdir(home)) if (name.startsWith('audit.jsonl')) await rm(join(home, name));
    const result = await leash(['audit', 'verify']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/TAMPERED: line 1: MISSING — the audit log and its checkpoint are gone, but 1 batch it recorded remain/);
    const file = join(dir, 'again.json');
    await writeFile(file, JSON.stringify({ entries: [{ command: 'echo two' }] }));
    const refused = await leash(['run', file, '--yes']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('leash audit new-trail');
    expect(await readdir(home)).not.toContain('audit.jsonl');

    const deliberate = await leash(['audit', 'new-trail']);
    expect(deliberate.code, deliberate.stderr).toBe(0);
    const after = await leash(['audit', 'verify']);
    expect(after.code, after.stdout).toBe(0);
    expect((await readLines(log))[0]).toContain('"firstBadReason":"MISSING"');
  });
});
