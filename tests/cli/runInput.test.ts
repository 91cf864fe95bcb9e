import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditEvents, BIN, leashHome, spawnLeash } from './support/leashProcess.js';

/** Runs `leash run FILE ARGS` on a real pseudo-terminal (util-linux `script`), typing `typed`. */
function onTerminal(args: string[], home: string, cwd: string, typed: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, BIN, 'run', ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, LEASH_HOME: home }, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let sent = false;
  child.stdout.on('data', () => {
    if (!sent && output.includes('[y/N]')) {
      sent = true;
      child.stdin.write(typed);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

async function batchIn(dir: string, batch: unknown): Promise<string> {
  const file = join(dir, 'batch.json');
  await writeFile(file, JSON.stringify(batch));
  return file;
}

async function autonomyOn(home: string): Promise<void> {
  await mkdir(home, { recursive: true });
  const tokenHash = 'a'.repeat(64);
  await writeFile(join(home, 'config.json'), JSON.stringify({ autonomy: { enabled: true, tokenHash, fingerprint: tokenHash.slice(0, 12) } }));
}

describe('leash run with autonomy on', () => {
  it('follows the batch autonomy approved instead of approving it again (no ILLEGAL_TRANSITION)', async () => {
    const { dir, home } = await leashHome('leash-run-autonomy-');
    await autonomyOn(home);
    const run = spawnLeash(['run', await batchIn(dir, { entries: [{ command: 'echo from-autonomy' }], cwd: dir }), '--yes'], home);
    const { code } = await run.exited;
    expect(run.output()).not.toMatch(/ILLEGAL_TRANSITION/);
    expect(run.output()).toMatch(/approved by autonomy:[0-9a-f]{12}/);
    expect(run.output()).toMatch(/from-autonomy/);
    expect(code).toBe(0);
  });

  it('never asks y/N on a terminal once autonomy has run the batch', async () => {
    const { dir, home } = await leashHome('leash-run-autonomy-tty-');
    await autonomyOn(home);
    const file = await batchIn(dir, { entries: [{ command: 'echo from-autonomy' }], cwd: dir });
    const { code, output } = await onTerminal([file], home, dir, 'n\r');
    expect(output).toMatch(/from-autonomy/);
    expect(output).not.toMatch(/\[y\/N\]/);
    expect(code).toBe(0);
  });
});

describe('leash run working directories and commands', () => {
  it('shows the directory in the prompt and runs nothing when declined', async () => {
    const { dir, home } = await leashHome('leash-run-prompt-');
    const file = await batchIn(dir, { entries: [{ command: 'echo should-not-run' }], cwd: dir });
    const { code, output } = await onTerminal([file], home, dir, 'n\r');
    expect(output).toContain(`Run 1 of 1 entry in ${dir}? [y/N]`);
    expect(output).toMatch(/not run\./);
    expect(code).toBe(1);
  });

  it('resolves a relative cwd against the directory it was started in', async () => {
    const { dir, home } = await leashHome('leash-run-relative-');
    await mkdir(join(dir, 'sub'));
    const run = spawnLeash(['run', await batchIn(dir, { entries: [{ command: 'pwd' }], cwd: 'sub' }), '--yes'], home, { cwd: dir });
    expect((await run.exited).code).toBe(0);
    expect(run.output()).toContain(`${join(dir, 'sub')}\n`);
  });

  it.each([
    ['the batch', { cwd: 'missing-dir' }, 'missing-dir'],
    ['an entry', { entryCwd: '/nonexistent/leash-dir' }, '/nonexistent/leash-dir'],
  ])('refuses a missing working directory of %s with CWD_NOT_FOUND before anything runs', async (_, where, shown) => {
    const { dir, home } = await leashHome('leash-run-missing-');
    const entry = { command: 'echo should-not-run', ...('entryCwd' in where ? { cwd: where.entryCwd } : {}) };
    const run = spawnLeash(['run', await batchIn(dir, { entries: [entry], ...('cwd' in where ? { cwd: where.cwd } : {}) }), '--yes'], home, { cwd: dir });
    expect((await run.exited).code).toBe(2);
    expect(run.output()).toMatch(/leash run: CWD_NOT_FOUND: .*does not exist/);
    expect(run.output()).toContain(shown);
    expect(run.output()).not.toMatch(/should-not-run\n/);
    expect(await auditEvents(home)).not.toContain('ENTRY_STARTED');
  });

  it.each([' ', '\t\n  ', '\u200b'])('refuses a command that is only whitespace (%j) like an empty one', async (command) => {
    const { dir, home } = await leashHome('leash-run-blank-');
    const run = spawnLeash(['run', await batchIn(dir, { entries: [{ command }], cwd: dir }), '--yes'], home);
    expect((await run.exited).code).toBe(2);
    expect(run.output()).toMatch(/INVALID_BATCH: .*only whitespace/);
  });
});
