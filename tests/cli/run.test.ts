import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import type { BatchSummary } from '../../src-main/core/batch/summary.js';
import { livePidsWith, waitFor } from '../core/batch/procfs.js';
import { runningAs } from './support/leashProcess.js';

const BIN = join(process.cwd(), 'bin/leash.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function leash(args: string[], home: string, options: { onStdout?: (text: string, child: ChildProcess) => void } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LEASH_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function storedBatchesText(home: string): Promise<string> {
  const dir = join(home, 'batches');
  const files = await readdir(dir).catch(() => [] as string[]);
  const texts = await Promise.all(files.filter((f) => f.endsWith('.json')).map((f) => readFile(join(dir, f), 'utf8').catch(() => '')));
  return texts.join('\n');
}

async function batchFile(content: unknown): Promise<{ file: string; home: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'leash-run-'));
  const file = join(dir, 'batch.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return { file, home: join(dir, 'home'), dir };
}

describe('leash run', () => {
  it('runs an all-allowed batch with --yes, streams output and exits 0', async () => {
    const { file, home } = await batchFile({ entries: [{ command: 'echo first' }, { command: 'echo second' }] });
    const result = await leash(['run', file, '--yes'], home);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\$ echo first\nfirst\n\n\$ echo second\nsecond\n/);
    // Allowed entries run read-only, and the summary says so.
    expect(result.stdout).toMatch(/: completed\n {2}1\. ok {6}exit 0 \d+ ms \[read-only, network off\] {2}echo first\n {2}2\. ok {6}exit 0/);
    const verify = await leash(['audit', 'verify'], home);
    expect(verify.code).toBe(0);
  });

  it('never runs a denied entry and, without --allow-ask, no entry needing review; exit 1', async () => {
    const { file, home, dir } = await batchFile({ entries: [{ command: 'echo ok' }, { command: `rm -rf ${tmpdir()}/leash-nothing` }, { command: 'touch marker' }] });
    const result = await leash(['run', file, '--yes', '--json'], home);
    expect(result.code).toBe(1);
    const batch = JSON.parse(result.stdout) as Batch;
    expect(batch.entries.map((e) => e.status)).toEqual(['completed', 'blocked', 'skipped']);
    await expect(readFile(join(dir, 'marker'))).rejects.toThrow();
  });

  it('runs entries needing review with --allow-ask, in the batch cwd', async () => {
    const { file, home, dir } = await batchFile({ cwd: '.', entries: [{ command: 'touch marker' }] });
    const child = await new Promise<Run>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'run', file, '--yes', '--allow-ask'], { cwd: dir, env: { ...process.env, LEASH_HOME: home } });
      let stdout = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      c.on('close', (code) => resolve({ code, stdout, stderr: '' }));
    });
    expect(child.code).toBe(0);
    await expect(readFile(join(dir, 'marker'), 'utf8')).resolves.toBe('');
  });

  it('prints the final batch as JSON on stdout with --json, progress on stderr', async () => {
    const { file, home } = await batchFile({ entries: [{ command: 'echo json' }] });
    const result = await leash(['run', file, '--yes', '--json'], home);
    const batch = JSON.parse(result.stdout) as Batch;
    expect(batch).toMatchObject({ status: 'completed', source: 'cli', entries: [{ status: 'completed', stdout: { head: 'json\n' } }] });
    expect(result.stderr).toContain('$ echo json');
  });

  it.each([
    ['{not json', /INVALID_BATCH: .* is not valid JSON/],
    [JSON.stringify({ entries: Array.from({ length: 11 }, () => ({ command: 'ls' })) }), /BATCH_TOO_LARGE: a batch holds at most 10 entries; this one has 11/],
    [JSON.stringify({ entries: [] }), /BATCH_EMPTY/],
    [JSON.stringify({ entries: [{ command: 'ls', bogus: true }] }), /INVALID_BATCH/],
    [JSON.stringify([{ command: 'ls' }]), /must hold a JSON object/],
  ])('refuses bad input %j with exit 2', async (content, message) => {
    const { file, home } = await batchFile(content);
    const result = await leash(['run', file, '--yes'], home);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('dry-runs without running anything: programs resolved, cwd and syntax checked, audited', async () => {
    const { file, home, dir } = await batchFile({ entries: [{ command: 'touch made-it' }, { command: 'no-such-tool-leash' }, { command: "echo 'open" }] });
    const result = await leash(['run', file, '--dry-run', '--json'], home);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { entries: { ok: boolean; executables: { program: string; resolved: string | null }[]; syntax: { ok: boolean } }[] };
    expect(report.entries.map((e) => e.ok)).toEqual([true, false, false]);
    expect(report.entries[1]?.executables).toEqual([{ program: 'no-such-tool-leash', resolved: null }]);
    expect(report.entries[2]?.syntax.ok).toBe(false);
    await expect(readFile(join(dir, 'made-it'))).rejects.toThrow();
    const audit = await readFile(join(home, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"event":"DRY_RUN"');
    expect(audit).not.toContain('ENTRY_STARTED');
  });

  it('refuses to run without a terminal to ask on, unless --yes', async () => {
    const { file, home } = await batchFile({ entries: [{ command: 'ls' }] });
    const result = await leash(['run', file], home);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pass --yes/);
  });

  it('kills a timed-out entry with its whole process tree', async () => {
    const marker = `leash-timeout-${randomUUID()}`;
    const { file, home } = await batchFile({ entries: [{ command: `(exec -a ${marker} sleep 300) & exec -a ${marker}-main sleep 300`, timeoutMs: 500 }] });
    const result = await leash(['run', file, '--yes', '--allow-ask', '--json'], home);
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as Batch).entries[0]?.status).toBe('timed_out');
    expect(await livePidsWith(marker)).toEqual([]);
  });

  it('stops gracefully on Ctrl+C (exit 130) and kills on a second Ctrl+C', async () => {
    const marker = `leash-sigint-${randomUUID()}`;
    const { file, home } = await batchFile({ entries: [{ command: `exec -a ${marker} sleep 300` }, { command: 'echo never' }] });
    let signalled = false;
    const result = await leash(['run', file, '--yes', '--allow-ask'], home, {
      onStdout: (text, child) => {
        if (signalled || !text.includes(`$ exec -a ${marker}`)) return;
        signalled = true;
        void waitFor(async () => (await runningAs(marker)).length > 0).then(() => {
          child.kill('SIGINT');
          setTimeout(() => child.kill('SIGINT'), 300);
        });
      },
    });
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/stopping after the running entry/);
    expect(result.stderr).toMatch(/emergency stop/);
    expect(result.stdout).toMatch(/KILLED/);
    expect(await livePidsWith(marker)).toEqual([]);
  });

  it('recovers after being killed mid-batch: the sandboxed command dies with it, the batch comes back interrupted, the audit verifies', async () => {
    const marker = `leash-crash-${randomUUID()}`;
    const { file, home } = await batchFile({ entries: [{ command: `exec -a ${marker} sleep 300` }, { command: 'echo after' }] });
    let killed = false;
    await leash(['run', file, '--yes', '--allow-ask'], home, {
      onStdout: (text, child) => {
        if (killed || !text.includes(`$ exec -a ${marker}`)) return;
        killed = true;
        // Kill once the command runs (its identity is on disk before that: the start gate).
        void waitFor(async () => (await runningAs(marker)).length > 0 && (await storedBatchesText(home)).includes('"startTime"')).then(() => child.kill('SIGKILL'));
      },
    });
    // The sandbox dies with the killed CLI (bubblewrap's --die-with-parent ends its PID namespace).
    await waitFor(async () => (await livePidsWith(marker)).length === 0);

    // The next start recovers the batch and kills what the crashed run left behind.
    const next = await batchFile({ entries: [{ command: 'true' }] });
    await leash(['run', next.file, '--yes'], home);
    const list = await leash(['batches', '--json'], home);
    expect(await livePidsWith(marker)).toEqual([]);
    expect(list.code).toBe(0);
    const [summary] = (JSON.parse(list.stdout) as BatchSummary[]).filter((b) => b.firstCommand.includes(marker));
    const full = await leash(['batches', summary?.id ?? 'missing', '--json'], home);
    expect(full.code).toBe(0);
    const batch = JSON.parse(full.stdout) as Batch;
    expect(batch?.status).toBe('interrupted');
    expect(batch?.entries.map((e) => e.status)).toEqual(['interrupted', 'cancelled']);
    const verify = await leash(['audit', 'verify'], home);
    expect(verify.code).toBe(0);
  });
});
