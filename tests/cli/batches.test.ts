import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { createHarness } from '../core/batch/harness.js';
import { connectIpc } from '../support/ipcClient.js';
import { sandboxTestRoot } from '../support/sandboxTestRoot.js';
import { auditEvents, killMarked, leashHome, runningAs, spawnLeash, waitFor, waitForOutput, type Spawned } from './support/leashProcess.js';

const started: { spawned: Spawned; marker: string }[] = [];
afterEach(async () => {
  for (const { spawned, marker } of started.splice(0)) {
    spawned.child.kill('SIGKILL');
    await killMarked(marker);
  }
});

describe('leash batches', () => {
  it('lists the batches while leash serve runs, and writes nothing to the audit trail', async () => {
    const { home, marker } = await leashHome('leash-batches-serve-');
    const serve = spawnLeash(['serve', '--port', '0'], home);
    started.push({ spawned: serve, marker });
    const [url] = await waitForOutput(serve, /http:\/\/127\.0\.0\.1:\d+\/\S+/);
    const ipc = await connectIpc(url);
    const created = await ipc.call('batch:create', { entries: [{ command: 'echo listed' }], cwd: home });
    ipc.close();
    if (!created.ok) throw new Error(created.error.message);
    const before = await readFile(join(home, 'audit.jsonl'), 'utf8');

    const list = spawnLeash(['batches', '--json'], home);
    expect((await list.exited).code).toBe(0);
    const batches = JSON.parse(list.output()) as Batch[];
    expect(batches.map((b) => b.id)).toEqual([(created.value as Batch).id]);
    expect(await readFile(join(home, 'audit.jsonl'), 'utf8')).toBe(before);
    expect((await auditEvents(home)).filter((e) => e === 'APP_STARTED')).toHaveLength(1);
  });

  it('lists from the index and shows a finished batch with its output while leash serve holds the data directory, changing no file', async () => {
    const { home, marker } = await leashHome('leash-batches-serve-index-');
    const project = await mkdtemp(join(sandboxTestRoot(), 'leash-batches-project-'));
    const serve = spawnLeash(['serve', '--port', '0'], home);
    started.push({ spawned: serve, marker });
    const [url] = await waitForOutput(serve, /http:\/\/127\.0\.0\.1:\d+\/\S+/);
    const ipc = await connectIpc(url);
    const created = await ipc.call('batch:create', { entries: [{ command: 'echo from-serve' }, { command: 'echo second' }], cwd: project });
    if (!created.ok) throw new Error(created.error.message);
    const id = (created.value as Batch).id;
    expect((await ipc.call('batch:approve', { id })).ok).toBe(true);
    expect((await ipc.call('batch:run', { id })).ok).toBe(true);
    await waitFor(async () => {
      const got = await ipc.call('batch:get', { id });
      return got.ok && (got.value as Batch).status === 'completed';
    }, 30_000);
    ipc.close();
    // Serve tells of a change before its write lands: wait until the index holds the finished summary.
    await waitFor(async () => {
      const index = await readFile(join(home, 'batches', 'index.jsonl'), 'utf8');
      const last = index.trim().split('\n').at(-1) as string;
      if ((JSON.parse(last) as { summary?: { status: string } }).summary?.status !== 'completed') return false;
      // And serve wrote the index head once its writes were done (it does, a moment after the last).
      const head = await readFile(join(home, 'batches', 'head', 'index.json'), 'utf8').catch(() => '{}');
      return (JSON.parse(head) as { index?: { size: number } }).index?.size === Buffer.byteLength(index);
    }, 30_000);
    const snapshot = async (): Promise<Record<string, string>> => {
      const files: Record<string, string> = {};
      // The batches: state files, captures and the index (serve itself still appends to the audit: it seals it).
      for (const entry of await readdir(join(home, 'batches'), { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) files[join(entry.parentPath, entry.name)] = await readFile(join(entry.parentPath, entry.name), 'utf8');
      }
      return files;
    };
    const before = await snapshot();
    expect(Object.keys(before)).toContain(join(home, 'batches', 'index.jsonl'));

    const list = spawnLeash(['batches', '--json'], home);
    expect((await list.exited).code).toBe(0);
    expect((JSON.parse(list.output()) as { id: string; status: string }[]).map((s) => [s.id, s.status])).toEqual([[id, 'completed']]);
    const one = spawnLeash(['batches', id.slice(0, 8), '--json'], home);
    expect((await one.exited).code).toBe(0);
    expect((JSON.parse(one.output()) as Batch).entries.map((e) => e.stdout?.head)).toEqual(['from-serve\n', 'second\n']);
    // Read-only: no batch file changed, and the audit has one APP_STARTED (serve's), none from the readers.
    expect(await snapshot()).toEqual(before);
    expect((await auditEvents(home)).filter((e) => e === 'APP_STARTED')).toHaveLength(1);
    expect(serve.child.exitCode).toBeNull();
  }, 120_000);

  it('lists while a leash run holds the audit lock, showing the running batch as it is', async () => {
    const { dir, home, marker } = await leashHome('leash-batches-run-');
    const file = join(dir, 'batch.json');
    await writeFile(file, JSON.stringify({ entries: [{ command: `exec -a ${marker} sleep 30` }], cwd: dir }));
    const run = spawnLeash(['run', file, '--yes', '--allow-ask'], home);
    started.push({ spawned: run, marker });
    await waitFor(async () => (await runningAs(marker)).length > 0, 20_000);

    const list = spawnLeash(['batches'], home);
    expect((await list.exited).code).toBe(0);
    expect(list.output()).toMatch(/running +cli +1 running/);
    run.child.kill('SIGTERM');
    await run.exited;
  });

  it('says "no batches" for a data directory that does not exist yet, and creates nothing', async () => {
    const { home } = await leashHome('leash-batches-empty-');
    const list = spawnLeash(['batches'], home);
    expect((await list.exited).code).toBe(0);
    expect(list.output()).toBe('no batches\n');
    await expect(readFile(join(home, 'audit.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
  it('lists the good batches and prints a warning line naming each bad batch file, leaving it where it is', async () => {
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
    expect(warnings[0]).toMatch(/^leash batches: warning: batch file .*torn\.json is not JSON .*; left as it is \(read-only\)$/);
    expect(warnings[1]).toMatch(/^leash batches: warning: batch file .*x\.json is not a valid batch \(.*\); left as it is \(read-only\)$/);
    // A read-only listing renames nothing: the app or serve sets bad files aside when it starts.
    expect((await readdir(join(home, 'batches'))).filter((f) => f.includes('.bad-'))).toHaveLength(0);
  });

  it('shows one batch by a unique id prefix, refuses an ambiguous one naming the candidates, and searches and filters', async () => {
    const home = await mkdtemp(join(tmpdir(), 'leash-cli-batches-short-'));
    const ids = ['c0ffee11-aaaa-4000-8000-000000000001', 'c0ffee22-bbbb-4000-8000-000000000002', 'd00d0000-cccc-4000-8000-000000000003'];
    const h = await createHarness({ dir: home, newId: () => ids.shift() as string });
    await h.service.create({ cwd: tmpdir(), entries: [{ command: 'git status' }, { command: 'rm -rf /' }], source: 'agent:claude' });
    await h.service.create({ cwd: tmpdir(), entries: [{ command: 'npm test' }] });
    const third = await h.service.create({ cwd: tmpdir(), entries: [{ command: 'echo "$(printf \\033)"' }] });
    await h.service.reject(third.id);
    await h.close();

    const one = await leash(['batches', 'c0ffee1'], home);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^batch c0ffee11-aaaa-4000-8000-000000000001\n {2}status {3}pending\n {2}source {3}agent:claude\n/);
    expect(one.stdout).toContain('  1. [allow] pending  git status\n  2. [deny] pending  rm -rf /');
    const json = await leash(['batches', 'C0FFEE22', '--json'], home);
    expect((JSON.parse(json.stdout) as Batch).entries[0]?.command).toBe('npm test');

    const ambiguous = await leash(['batches', 'c0ffee'], home);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toBe('leash batches: BATCH_ID_AMBIGUOUS: "c0ffee" is the start of 2 batch ids (c0ffee11-aaaa-4000-8000-000000000001, c0ffee22-bbbb-4000-8000-000000000002): give more characters\n');
    expect((await leash(['batches', 'c0f'], home)).stderr).toMatch(/^leash batches: BATCH_ID_TOO_SHORT: /);
    expect((await leash(['batches', 'ffff0000'], home)).stderr).toMatch(/^leash batches: BATCH_NOT_FOUND: /);

    const listed = await leash(['batches'], home);
    expect(listed.stdout.trim().split('\n').map((line) => line.slice(0, 8))).toEqual(['d00d0000', 'c0ffee22', 'c0ffee11']);
    // The command is shown with control characters escaped, so a terminal never interprets them.
    expect(listed.stdout).not.toContain('\u001b');
    const searched = await leash(['batches', '--search', 'NPM', '--json'], home);
    expect((JSON.parse(searched.stdout) as { id: string }[]).map((b) => b.id)).toEqual(['c0ffee22-bbbb-4000-8000-000000000002']);
    const filtered = await leash(['batches', '--status', 'rejected'], home);
    expect(filtered.stdout).toMatch(/^d00d0000-\S+ +\S+ +rejected +\S+ +1 skipped \[1 (ask|deny)\]/);
    expect(filtered.stdout.trim().split('\n')).toHaveLength(1);
    expect((await leash(['batches', '--status', 'paused'], home)).code).toBe(2);
    expect((await leash(['batches', '--search', 'nothing-like-this'], home)).stdout).toBe('no batches match\n');
  }, 180_000);

  it("shows the person's message with a rejected batch, escaped, and where an approved batch stands", async () => {
    const home = await mkdtemp(join(tmpdir(), 'leash-cli-batches-message-'));
    const h = await createHarness({ dir: home });
    const rejected = await h.service.create({ cwd: tmpdir(), entries: [{ command: 'rm -r build' }], source: 'mcp:agent' });
    await h.service.reject(rejected.id, undefined, { message: 'Run `make clean` instead.\nIt keeps the cache.' });
    const approved = await h.service.create({ cwd: tmpdir(), entries: [{ command: 'echo later' }] });
    await h.service.approve(approved.id);
    await h.close();
    const shown = await leash(['batches', rejected.id.slice(0, 8)], home);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`  message  "Run \`make clean\` instead.\\nIt keeps the cache." (the person's words for the agent)\n`);
    expect((JSON.parse((await leash(['batches', rejected.id, '--json'], home)).stdout) as Batch).rejectionMessage).toBe('Run `make clean` instead.\nIt keeps the cache.');
    // Read before a Leash restarts and withdraws the approval: it has not been run.
    expect((await leash(['batches', approved.id], home)).stdout).toContain('  queue    not queued: waiting for a person to run it\n');
  }, 60_000);
});

function leash(args: string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/leash.js'), ...args], { env: { ...process.env, LEASH_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
