import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchError, canMoveBatch, canMoveEntry } from '../../../src-main/core/batch/index.js';
import { createHarness, projectDirectory, type Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function setup(settings: Record<string, unknown> = {}): Promise<Harness> {
  harness = await createHarness({ settings });
  return harness;
}

const cwd = projectDirectory();

describe('creating batches', () => {
  it('classifies every entry and stores the exact command text', async () => {
    const { service } = await setup();
    const batch = await service.create({ cwd, source: 'paste', entries: [{ command: 'ls -la' }, { command: 'rm -rf /tmp/x' }, { command: 'npm test' }] });
    expect(batch.status).toBe('pending');
    expect(batch.entries.map((e) => [e.command, e.classification.verdict, e.status])).toEqual([
      ['ls -la', 'allow', 'pending'],
      ['rm -rf /tmp/x', 'deny', 'pending'],
      ['npm test', 'ask', 'pending'],
    ]);
    expect(service.get(batch.id)).toEqual(batch);
  });

  it('refuses an 11th entry with a clear error instead of dropping it', async () => {
    const { service } = await setup();
    const entries = Array.from({ length: 11 }, (_, i) => ({ command: `echo ${i}` }));
    await expect(service.create({ cwd, entries })).rejects.toMatchObject({ code: 'BATCH_TOO_LARGE', message: 'a batch holds at most 10 entries; this one has 11' });
    expect(service.list()).toEqual([]);
  });

  it('applies a smaller maxBatchSize from the settings', async () => {
    const { service } = await setup({ maxBatchSize: 2 });
    await expect(service.create({ cwd, entries: [{ command: 'ls' }, { command: 'ls' }, { command: 'ls' }] })).rejects.toMatchObject({ code: 'BATCH_TOO_LARGE' });
  });

  it.each([
    [{ cwd, entries: [] }, 'BATCH_EMPTY'],
    [{ cwd, entries: [{ command: '' }] }, 'INVALID_BATCH'],
    [{ cwd: 'relative/dir', entries: [{ command: 'ls' }] }, 'CWD_NOT_FOUND'],
    [{ cwd: '/nonexistent/leash-test-dir', entries: [{ command: 'ls' }] }, 'CWD_NOT_FOUND'],
    [{ cwd, entries: [{ command: 'ls', cwd: '/nonexistent/leash-test-dir' }] }, 'CWD_NOT_FOUND'],
    [{ cwd, entries: [{ command: 'ls', cwd: 'relative' }] }, 'CWD_NOT_FOUND'],
    [{ cwd, entries: [{ command: ' \t\n ' }] }, 'INVALID_BATCH'],
    [{ cwd, entries: [{ command: '\u200b' }] }, 'INVALID_BATCH'],
    [{ cwd, entries: [{ command: 'ls', extra: 1 }] }, 'INVALID_BATCH'],
    [{ cwd, entries: [{ command: 'ls\0' }] }, 'INVALID_BATCH'],
    [{ cwd, entries: [{ command: 'ls', timeoutMs: -1 }] }, 'INVALID_BATCH'],
    [{ cwd, entries: 'ls' }, 'INVALID_BATCH'],
    [{ cwd, entries: [{ command: 'ls' }], source: 'evil source' }, 'INVALID_BATCH'],
  ])('refuses invalid input %j with %s', async (input, code) => {
    const { service } = await setup();
    await expect(service.create(input as never)).rejects.toMatchObject({ code });
  });

  it('audits the creation with every command and verdict', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'ls' }, { command: 'sudo ls' }] });
    const created = (await h.records()).find((r) => r.event === 'BATCH_CREATED');
    expect(created).toMatchObject({
      batchId: batch.id,
      details: { entries: [{ command: 'ls', verdict: 'allow' }, { command: 'sudo ls', verdict: 'deny' }] },
    });
  });
});

describe('approving and running', () => {
  it('runs approved entries in order and records their results', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'echo one' }, { command: 'echo two >&2; exit 3' }] });
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    const done = await h.service.whenSettled(batch.id);
    expect(done.status).toBe('error');
    expect(done.approvedBy).toBe('manual');
    const [first, second] = done.entries;
    expect(first).toMatchObject({ status: 'completed', exitCode: 0, stdout: { head: 'one\n', bytes: 4 } });
    // stop on failure is on by default, but the failing entry was the last one
    expect(second).toMatchObject({ status: 'error', exitCode: 3, stderr: { head: 'two\n' } });
    const events = (await h.records()).map((r) => r.event);
    expect(events).toEqual([
      'BATCH_CREATED', 'BATCH_APPROVED', 'ENTRY_STARTED', 'ENTRY_FINISHED', 'ENTRY_STARTED', 'ENTRY_FINISHED', 'BATCH_FINISHED',
    ]);
  });

  it('never approves a denied entry: it ends blocked while the others run', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'echo a' }, { command: 'rm -rf /nonexistent-leash' }, { command: 'echo b' }] });
    const approved = await h.service.approve(batch.id);
    expect(approved.entries.map((e) => e.status)).toEqual(['pending', 'blocked', 'pending']);
    await h.service.run(batch.id);
    const done = await h.service.whenSettled(batch.id);
    expect(done.entries.map((e) => e.status)).toEqual(['completed', 'blocked', 'completed']);
    expect(done.status).toBe('completed');
    const blocked = (await h.records()).find((r) => r.event === 'COMMAND_BLOCKED');
    expect(blocked).toMatchObject({ command: 'rm -rf /nonexistent-leash', verdict: 'deny' });
  });

  it('approves a chosen subset; the rest are skipped', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'echo a' }, { command: 'echo b' }, { command: 'echo c' }] });
    const [a, , c] = batch.entries;
    await h.service.approve(batch.id, { entryIds: [a!.id, c!.id] });
    await h.service.run(batch.id);
    const done = await h.service.whenSettled(batch.id);
    expect(done.entries.map((e) => e.status)).toEqual(['completed', 'skipped', 'completed']);
  });

  it('refuses to approve only blocked entries', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'sudo ls' }] });
    await expect(h.service.approve(batch.id)).rejects.toMatchObject({ code: 'NOTHING_APPROVED' });
  });

  it('skips the rest after a failure when stop-on-failure is on', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'false' }, { command: 'echo never' }] });
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    const done = await h.service.whenSettled(batch.id);
    expect(done.entries.map((e) => e.status)).toEqual(['error', 'skipped']);
    expect(done.entries[1]?.note).toMatch(/stop on failure/);
  });

  it('goes on after a failure when stop-on-failure is off', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, stopOnFailure: false, entries: [{ command: 'false' }, { command: 'echo next' }] });
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    expect((await h.service.whenSettled(batch.id)).entries.map((e) => e.status)).toEqual(['error', 'completed']);
  });

  it('kills an entry that times out and marks it timed_out', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'sleep 30', timeoutMs: 300 }] });
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    const done = await h.service.whenSettled(batch.id);
    expect(done.entries[0]).toMatchObject({ status: 'timed_out', note: 'killed after 300 ms' });
  });

  it('runs one batch at a time, in the order they were queued', async () => {
    const h = await setup();
    // In the project: the data directory (h.dir) is out of every command's reach.
    const marker = join(await mkdtemp(join(cwd, 'order-')), 'order.txt');
    const first = await h.service.create({ cwd, entries: [{ command: `sleep 0.3; echo first >> ${marker}` }] });
    const second = await h.service.create({ cwd, entries: [{ command: `echo second >> ${marker}` }] });
    for (const b of [first, second]) {
      await h.service.approve(b.id);
      await h.service.run(b.id);
    }
    await h.service.whenSettled(second.id);
    expect(await readFile(marker, 'utf8')).toBe('first\nsecond\n');
  });

  it('withholds secret-looking environment variables from commands', async () => {
    harness = await createHarness({ env: { PATH: process.env.PATH, GITHUB_TOKEN: 'ghp_secret', PLAIN: 'visible' } });
    const batch = await harness.service.create({ cwd, entries: [{ command: 'echo "[$GITHUB_TOKEN][$PLAIN]"' }] });
    await harness.service.approve(batch.id);
    await harness.service.run(batch.id);
    const done = await harness.service.whenSettled(batch.id);
    expect(done.entries[0]?.stdout?.head).toBe('[][visible]\n');
    const started = (await harness.records()).find((r) => r.event === 'ENTRY_STARTED');
    expect(started?.details).toMatchObject({ withheldEnv: ['GITHUB_TOKEN'] });
    expect(JSON.stringify(await harness.records())).not.toContain('ghp_secret');
  });

  it('streams output as events while the entry runs', async () => {
    const h = await setup();
    const chunks: string[] = [];
    h.service.on((event) => {
      if (event.type === 'entry-output') chunks.push(event.text);
    });
    const batch = await h.service.create({ cwd, entries: [{ command: 'for i in 1 2 3; do echo line$i; sleep 0.1; done' }] });
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    await h.service.whenSettled(batch.id);
    expect(chunks.join('')).toBe('line1\nline2\nline3\n');
  });

  it('keeps the end of the running entry\'s output for pages that connect late, bounded', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'head -c 400000 /dev/zero | tr "\\0" x; echo; echo tail-marker; sleep 30', timeoutMs: 20_000 }] });
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    const entryId = batch.entries[0]!.id;
    let text = '';
    const deadline = Date.now() + 15_000;
    while (!text.includes('tail-marker') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      text = h.service.recentOutput(batch.id, entryId).chunks.map((c) => c.text).join('');
    }
    const recent = h.service.recentOutput(batch.id, entryId);
    expect(text.endsWith('tail-marker\n')).toBe(true);
    expect(recent.truncated).toBe(true);
    expect(text.length).toBeLessThanOrEqual(256 * 1024);
    await h.service.stop(batch.id);
    await h.service.emergencyStop();
    await h.service.whenSettled(batch.id);
    expect(h.service.recentOutput(batch.id, entryId)).toEqual({ chunks: [], truncated: false });
    expect(() => h.service.recentOutput(batch.id, 'nope')).toThrow(expect.objectContaining({ code: 'ENTRY_NOT_FOUND' }));
  });

  it('records output only by hash and size in the audit', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: "printf 'top-%s\\n' secret-output" }] });
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    await h.service.whenSettled(batch.id);
    const records = await h.records();
    expect(JSON.stringify(records)).not.toContain('top-secret-output');
    expect(records.find((r) => r.event === 'ENTRY_FINISHED')).toMatchObject({
      stdoutBytes: 18,
      stdoutSha256: createHash('sha256').update('top-secret-output\n').digest('hex'),
    });
  });
});

describe('rejecting and stopping', () => {
  it('rejects a pending batch, which then never runs', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'echo x' }] });
    const rejected = await h.service.reject(batch.id, 'not today');
    expect(rejected).toMatchObject({ status: 'rejected', note: 'not today' });
    await expect(h.service.approve(batch.id)).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    await expect(h.service.run(batch.id)).rejects.toBeInstanceOf(BatchError);
  });

  it('refuses to run a batch nobody approved', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'echo x' }] });
    await expect(h.service.run(batch.id)).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION', message: `batch ${batch.id} is pending; it cannot become running` });
  });

  it('stops gracefully: the running entry finishes, the rest are skipped', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'sleep 0.5; echo finished' }, { command: 'echo never' }] });
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    await new Promise((r) => setTimeout(r, 150));
    await h.service.stop(batch.id);
    const done = await h.service.whenSettled(batch.id);
    expect(done.status).toBe('cancelled');
    expect(done.entries.map((e) => e.status)).toEqual(['completed', 'skipped']);
    expect(done.entries[0]?.stdout?.head).toBe('finished\n');
  });

  it('records a graceful stop on the batch while the running entry finishes ("Stopping…")', async () => {
    const h = await setup();
    const batch = await h.service.create({ cwd, entries: [{ command: 'sleep 0.5' }, { command: 'echo never' }] });
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    await new Promise((r) => setTimeout(r, 150));
    const stopping = await h.service.stop(batch.id);
    expect(stopping).toMatchObject({ status: 'running', stopRequestedAt: expect.any(String) });
    expect((await h.service.whenSettled(batch.id)).status).toBe('cancelled');
  });

  it('reports unknown ids with BATCH_NOT_FOUND', async () => {
    const h = await setup();
    expect(() => h.service.get('nope')).toThrow(expect.objectContaining({ code: 'BATCH_NOT_FOUND' }));
  });
});

describe('an approved batch that has not started', () => {
  async function approvedBatch(h: Harness, marker: string) {
    const batch = await h.service.create({ cwd, entries: [{ command: `echo ran >> '${marker}'` }] });
    return h.service.approve(batch.id);
  }

  it('can be un-approved: back to pending, audited, and it can be approved again', async () => {
    const h = await setup();
    const marker = join(await mkdtemp(join(cwd, 'unapprove-')), 'ran');
    const batch = await approvedBatch(h, marker);
    const back = await h.service.unapprove(batch.id);
    expect(back).toMatchObject({ status: 'pending', approvedBy: null, approvedAt: null, note: 'approval withdrawn by a person' });
    expect(back.entries.every((e) => !e.approved)).toBe(true);
    await expect(h.service.run(batch.id)).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect((await h.records()).filter((r) => r.event === 'BATCH_UNAPPROVED')).toHaveLength(1);
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    expect((await h.service.whenSettled(batch.id)).status).toBe('completed');
  });

  it('can be rejected', async () => {
    const h = await setup();
    const marker = join(await mkdtemp(join(cwd, 'unapprove-')), 'ran');
    const batch = await approvedBatch(h, marker);
    const rejected = await h.service.reject(batch.id);
    expect(rejected.status).toBe('rejected');
    expect(rejected.entries.map((e) => e.status)).toEqual(['skipped']);
  });

  it('is cancelled by Stop', async () => {
    const h = await setup();
    const marker = join(await mkdtemp(join(cwd, 'unapprove-')), 'ran');
    const batch = await approvedBatch(h, marker);
    const stopped = await h.service.stop(batch.id);
    expect(stopped).toMatchObject({ status: 'cancelled', note: 'stopped by a person before it started' });
    expect((await h.records()).some((r) => r.event === 'BATCH_CANCELLED' && r.batchId === batch.id)).toBe(true);
  });

  it.each(['unapprove', 'reject', 'stop'] as const)('queued behind a running batch, %s takes it out of the queue so it never runs', async (action) => {
    const h = await setup();
    const marker = join(await mkdtemp(join(cwd, 'unapprove-')), 'ran');
    const first = await h.service.create({ cwd, entries: [{ command: 'sleep 0.4' }] });
    await h.service.approve(first.id);
    await h.service.run(first.id);
    const queued = await approvedBatch(h, marker);
    await h.service.run(queued.id);
    expect(h.service.get(queued.id).status).toBe('approved');
    await h.service[action](queued.id);
    await h.service.whenSettled(first.id);
    await h.service.idle();
    expect(h.service.get(queued.id).status).toBe({ unapprove: 'pending', reject: 'rejected', stop: 'cancelled' }[action]);
    expect(await readFile(marker, 'utf8').catch(() => 'nothing')).toBe('nothing');
  });
});

describe('the status machines', () => {
  it.each([
    ['pending', 'approved', true],
    ['pending', 'rejected', true],
    ['approved', 'running', true],
    ['approved', 'pending', true],
    ['approved', 'rejected', true],
    ['approved', 'cancelled', true],
    ['running', 'completed', true],
    ['running', 'interrupted', true],
    ['pending', 'running', false],
    ['rejected', 'approved', false],
    ['completed', 'running', false],
    ['cancelled', 'approved', false],
    ['interrupted', 'running', false],
  ] as const)('batch %s → %s is %s', (from, to, legal) => {
    expect(canMoveBatch(from, to)).toBe(legal);
  });

  it.each([
    ['pending', 'running', true],
    ['pending', 'blocked', true],
    ['running', 'timed_out', true],
    ['blocked', 'running', false],
    ['completed', 'running', false],
    ['skipped', 'running', false],
  ] as const)('entry %s → %s is %s', (from, to, legal) => {
    expect(canMoveEntry(from, to)).toBe(legal);
  });
});

describe('persistence', () => {
  it('survives a restart, and a batch left running comes back interrupted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-restart-'));
    const first = await createHarness({ dir });
    const batch = await first.service.create({ cwd, entries: [{ command: 'echo a' }, { command: 'echo b' }] });
    await first.close();
    // Simulate a crash mid-run: rewrite the stored batch as running with a running entry.
    const file = join(dir, 'batches', `${batch.id}.json`);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    stored.status = 'running';
    stored.entries[0].status = 'running';
    await writeFile(file, JSON.stringify(stored));
    harness = await createHarness({ dir });
    const recovered = harness.service.get(batch.id);
    expect(recovered.status).toBe('interrupted');
    expect(recovered.entries.map((e) => e.status)).toEqual(['interrupted', 'cancelled']);
    expect(JSON.parse(await readFile(file, 'utf8')).status).toBe('interrupted');
    expect((await harness.records()).some((r) => r.event === 'BATCH_FINISHED' && r.reason?.startsWith('interrupted'))).toBe(true);
  });

  it('sets a batch file that is not JSON aside and keeps the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-corrupt-'));
    const first = await createHarness({ dir });
    const batch = await first.service.create({ cwd, entries: [{ command: 'ls' }] });
    await first.close();
    await writeFile(join(dir, 'batches', 'broken.json'), '{not json');
    harness = await createHarness({ dir });
    expect(harness.service.list().map((b) => b.id)).toEqual([batch.id]);
    expect(harness.service.problems[0]).toMatch(/broken\.json is not JSON .*set aside as broken\.json\.bad-/);
    const aside = harness.service.setAside[0]?.movedTo as string;
    expect(await readFile(join(dir, 'batches', aside), 'utf8')).toBe('{not json');
  });
});
