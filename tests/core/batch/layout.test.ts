import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../../src-main/core/batch/index.js';
import { createHarness, projectDirectory, type Harness } from './harness.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(dir?: string): Promise<Harness> {
  const h = await createHarness({ dir });
  open.push(h);
  return h;
}

async function close(h: Harness): Promise<void> {
  open.splice(open.indexOf(h), 1);
  await h.close();
}

async function runToEnd(h: Harness, id: string): Promise<Batch> {
  await h.service.approve(id);
  await h.service.run(id);
  return h.service.whenSettled(id);
}

const indexLines = async (dir: string): Promise<Record<string, unknown>[]> =>
  (await readFile(join(dir, 'batches', 'index.jsonl'), 'utf8')).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

/** Writes the batch as the earlier layout did: one pretty-printed file with the captures inside, no index. */
async function writeEarlierLayout(dir: string, batch: Batch): Promise<void> {
  await mkdir(join(dir, 'batches'), { recursive: true });
  await writeFile(join(dir, 'batches', `${batch.id}.json`), `${JSON.stringify(batch, null, 2)}\n`);
}

const ENTRY_BYTES = 112_640;
/** A generous bound on one state file of a 10-entry batch (no output in it). */
const STATE_FILE_BOUND = 16 * 1024;

describe('what a batch writes', () => {
  it('writes each entry’s output once, to its capture file, and state files without output: bytes are linear in the output', async () => {
    const h = await harness();
    const cwd = projectDirectory();
    const created = await h.service.create({ cwd, entries: Array.from({ length: 10 }, (_, i) => ({ command: `head -c ${ENTRY_BYTES} /dev/zero | tr '\\0' ${'abcdefghij'[i]}` })) });
    let changes = 1;
    const off = h.service.on((event) => {
      if (event.type === 'batch-updated' && event.batch.id === created.id) changes += 1;
    });
    const before = h.store.bytesWritten;
    const done = await runToEnd(h, created.id);
    await h.service.idle();
    off();
    expect(done.status).toBe('completed');
    expect(done.entries.map((e) => e.stdout?.bytes)).toEqual(Array(10).fill(ENTRY_BYTES));
    const output = 10 * ENTRY_BYTES;
    const written = h.store.bytesWritten - before;

    const dir = join(h.dir, 'batches');
    const state = await readFile(join(dir, `${created.id}.json`), 'utf8');
    expect(state.length).toBeLessThan(STATE_FILE_BOUND);
    expect(state).not.toContain('aaaaaaaa');
    expect(JSON.parse(state).entries.map((e: { capture?: string; stdout: unknown }) => [e.capture, e.stdout])).toEqual(Array(10).fill(['file', null]));
    const captures = await readdir(join(dir, 'captures', created.id));
    expect(captures.sort()).toEqual(done.entries.map((e) => `${e.id}.json`).sort());
    // The output once, plus a state file per change: the earlier layout wrote 21.6 MB here.
    console.log(`10 entries, ${output} bytes of output, ${changes} state changes: ${written} bytes written (${(written / output).toFixed(2)}× the output)`);
    expect(written).toBeLessThan(output + 10 * 1024 + changes * STATE_FILE_BOUND);
    expect(written).toBeLessThan(1.5 * output);
    // Read back in full from a new start, captures included.
    await close(h);
    const again = await harness(h.dir);
    expect(again.service.get(created.id).entries.map((e) => e.stdout?.head.slice(0, 3))).toEqual([...'abcdefghij'].map((c) => c.repeat(3)));
  }, 120_000);

  it('keeps the index to a few lines per batch, whatever it printed or how many entries changed', async () => {
    const h = await harness();
    const cwd = projectDirectory();
    const batch = await h.service.create({ cwd, entries: [{ command: 'echo one' }, { command: 'echo two' }, { command: 'echo three' }] });
    await runToEnd(h, batch.id);
    await h.service.idle();
    const lines = (await indexLines(h.dir)).filter((line) => line.id === batch.id);
    // Created, approved, finished: each an "unsettled" mark before the file and a summary after it.
    expect(lines.map((line) => ('unsettled' in line ? 'unsettled' : (line.summary as { status: string }).status))).toEqual(['unsettled', 'pending', 'unsettled', 'approved', 'unsettled', 'completed']);
  }, 60_000);
});

describe('starting over a history', () => {
  it('lists from the index without reading finished batch files, and reads one in full when asked', async () => {
    const first = await harness();
    const cwd = projectDirectory();
    const done = await runToEnd(first, (await first.service.create({ cwd, entries: [{ command: 'echo done' }] })).id);
    const broken = await runToEnd(first, (await first.service.create({ cwd, entries: [{ command: 'echo broken later' }] })).id);
    await close(first);
    // Damage a finished batch's file: a start that read it would set it aside at once.
    await writeFile(join(first.dir, 'batches', `${broken.id}.json`), '{"torn');

    const second = await harness(first.dir);
    expect(second.service.problems).toEqual([]);
    expect(second.service.list().items.map((s) => s.id).sort()).toEqual([done.id, broken.id].sort());
    expect(second.service.get(done.id).entries[0]?.stdout?.head).toBe('done\n');
    expect(() => second.service.get(broken.id)).toThrow(expect.objectContaining({ code: 'BATCH_UNREADABLE', message: expect.stringMatching(/is not JSON .*set aside as .*\.json\.bad-/) }));
    expect(second.service.list().items.map((s) => s.id)).toEqual([done.id]);
    expect(second.service.problems).toEqual([expect.stringMatching(/is not JSON/)]);
    // Nothing lost: the bytes are where the message says.
    const aside = (await readdir(join(first.dir, 'batches'))).find((f) => f.startsWith(`${broken.id}.json.bad-`));
    expect(await readFile(join(first.dir, 'batches', aside as string), 'utf8')).toBe('{"torn');
  }, 60_000);

  it('searches every command of every batch from the index, as before a restart', async () => {
    const first = await harness();
    const batch = await first.service.create({ cwd: tmpdir(), entries: [{ command: 'git status' }, { command: 'npm test' }, { command: 'make the-third-one' }], source: 'agent:finder' });
    await first.service.create({ cwd: tmpdir(), entries: [{ command: 'ls' }] });
    await close(first);
    const second = await harness(first.dir);
    for (const search of ['THE-THIRD', 'npm test', 'agent:finder', batch.id.slice(0, 8)]) expect(second.service.list({ search }).items.map((s) => s.id)).toEqual([batch.id]);
  }, 60_000);

  it('reads a pending batch whose file changed behind the index (a copy, a hand edit), so recovery sees what is on disk', async () => {
    const first = await harness();
    const batch = await first.service.create({ cwd: tmpdir(), entries: [{ command: 'echo a' }] });
    await close(first);
    const file = join(first.dir, 'batches', `${batch.id}.json`);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    Object.assign(stored, { status: 'running', startedAt: stored.createdAt, approvedBy: 'manual', approvedAt: stored.createdAt });
    Object.assign(stored.entries[0], { status: 'running', approved: true, startedAt: stored.createdAt });
    await writeFile(file, JSON.stringify(stored));
    const second = await harness(first.dir);
    expect(second.service.get(batch.id).status).toBe('interrupted');
    expect(second.service.list().items[0]?.status).toBe('interrupted');
  }, 60_000);
});

describe('a batch file of the earlier layout (captures inside)', () => {
  it('loads as it is, with its output, and the first start builds the index without calling it a problem', async () => {
    const source = await harness();
    const done = await runToEnd(source, (await source.service.create({ cwd: projectDirectory(), entries: [{ command: 'echo kept' }] })).id);
    const dir = await mkdtemp(join(tmpdir(), 'leash-earlier-'));
    await writeEarlierLayout(dir, done);
    const before = await readFile(join(dir, 'batches', `${done.id}.json`), 'utf8');

    const h = await harness(dir);
    expect(h.service.problems).toEqual([]);
    expect(h.service.list().items.map((s) => s.id)).toEqual([done.id]);
    expect(h.service.get(done.id).entries[0]?.stdout).toEqual(done.entries[0]?.stdout);
    expect((await indexLines(dir)).map((line) => line.id)).toEqual([done.id]);
    // A finished batch is not rewritten: its file stays as the earlier Leash left it.
    expect(await readFile(join(dir, 'batches', `${done.id}.json`), 'utf8')).toBe(before);
  }, 60_000);

  it('moves the captures out to capture files when the batch next changes (here: recovered after a crash)', async () => {
    const source = await harness();
    const cwd = projectDirectory();
    const created = await source.service.create({ cwd, entries: [{ command: 'echo first' }, { command: 'echo second' }] });
    const done = await runToEnd(source, created.id);
    // As a crash during the second entry left it, in the earlier layout.
    const crashed = structuredClone(done);
    Object.assign(crashed, { status: 'running', finishedAt: null });
    Object.assign(crashed.entries[1] as object, { status: 'running', exitCode: null, endedAt: null, durationMs: null, stdout: null, stderr: null, process: null });
    const dir = await mkdtemp(join(tmpdir(), 'leash-earlier-'));
    await writeEarlierLayout(dir, crashed);

    const h = await harness(dir);
    const recovered = h.service.get(created.id);
    expect(recovered.status).toBe('interrupted');
    expect(recovered.entries[0]?.stdout?.head).toBe('first\n');
    await h.service.idle();
    const state = JSON.parse(await readFile(join(dir, 'batches', `${created.id}.json`), 'utf8'));
    expect(state.entries[0]).toMatchObject({ capture: 'file', stdout: null, stderr: null });
    const capture = JSON.parse(await readFile(join(dir, 'batches', 'captures', created.id, `${created.entries[0]?.id}.json`), 'utf8'));
    expect(capture).toMatchObject({ batchId: created.id, entryId: created.entries[0]?.id, stdout: done.entries[0]?.stdout });
  }, 60_000);
});

describe('the summaries index', () => {
  async function twoBatches(): Promise<{ dir: string; ids: string[] }> {
    const h = await harness();
    const a = await h.service.create({ cwd: tmpdir(), entries: [{ command: 'echo a' }] });
    const b = await h.service.create({ cwd: tmpdir(), entries: [{ command: 'echo b' }] });
    await h.service.reject(b.id);
    await close(h);
    return { dir: h.dir, ids: [a.id, b.id] };
  }
  const listed = (h: Harness): string[] => h.service.list().items.map((s) => s.id).sort();

  it('is rebuilt from the batch files when it is missing, with a problem line', async () => {
    const { dir, ids } = await twoBatches();
    // A capture file says this directory was written with an index.
    await mkdir(join(dir, 'batches', 'captures'), { recursive: true });
    const state = JSON.parse(await readFile(join(dir, 'batches', `${ids[1]}.json`), 'utf8'));
    await rm(join(dir, 'batches', 'index.jsonl'));
    state.entries[0].capture = 'file';
    await writeFile(join(dir, 'batches', `${ids[1]}.json`), JSON.stringify(state));
    const h = await harness(dir);
    expect(h.service.problems).toEqual([expect.stringMatching(/^batch index .*index\.jsonl was missing: rebuilt from the 2 batch files$/)]);
    expect(listed(h)).toEqual([...ids].sort());
    expect((await indexLines(dir)).map((line) => line.id).sort()).toEqual([...ids].sort());
  }, 60_000);

  it('is rebuilt when a line in it is not an index line, with a problem line naming it', async () => {
    const { dir, ids } = await twoBatches();
    const path = join(dir, 'batches', 'index.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines.splice(1, 0, '{"id":"x","summary":{"id":"x"}}');
    await writeFile(path, lines.join('\n'));
    const h = await harness(dir);
    expect(h.service.problems).toEqual([expect.stringMatching(/^batch index .*index\.jsonl line 2: summary of x: .*: rebuilt from the 2 batch files$/)]);
    expect(listed(h)).toEqual([...ids].sort());
  }, 60_000);

  it('drops a torn last line (an append cut short) without a problem, and ends on a whole line again', async () => {
    const { dir, ids } = await twoBatches();
    const path = join(dir, 'batches', 'index.jsonl');
    await appendFile(path, '{"id":"half","summ');
    const h = await harness(dir);
    expect(h.service.problems).toEqual([]);
    expect(listed(h)).toEqual([...ids].sort());
    expect((await readFile(path, 'utf8')).endsWith('}\n')).toBe(true);
  }, 60_000);

  it('adds a batch file it does not know and drops a batch whose file is gone, saying so', async () => {
    const { dir, ids } = await twoBatches();
    const other = await twoBatches();
    await cp(join(other.dir, 'batches', `${other.ids[1]}.json`), join(dir, 'batches', `${other.ids[1]}.json`));
    await rm(join(dir, 'batches', `${ids[1]}.json`));
    const h = await harness(dir);
    expect(h.service.problems).toEqual([
      expect.stringMatching(/^1 batch file was not in the batch index .*: added to it$/),
      expect.stringMatching(/^1 batch in the batch index .* had no file any more: no longer listed$/),
    ]);
    expect(listed(h)).toEqual([ids[0], other.ids[1]].sort());
    await close(h);
    // Settled: the next start finds nothing to say.
    expect((await harness(dir)).service.problems).toEqual([]);
  }, 60_000);

  it('forgets a removed batch (retention): files gone, not listed after a restart, and no problem', async () => {
    const h = await harness();
    const cwd = projectDirectory();
    const done = await runToEnd(h, (await h.service.create({ cwd, entries: [{ command: 'echo gone' }] })).id);
    const waiting = await h.service.create({ cwd, entries: [{ command: 'echo waiting' }] });
    await expect(h.service.remove(waiting.id)).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    await h.service.remove(done.id);
    expect(h.service.list().items.map((s) => s.id)).toEqual([waiting.id]);
    expect(() => h.service.get(done.id)).toThrow(expect.objectContaining({ code: 'BATCH_NOT_FOUND' }));
    const files = await readdir(join(h.dir, 'batches'));
    expect(files.filter((f) => f.startsWith(done.id))).toEqual([]);
    expect(await readdir(join(h.dir, 'batches', 'captures'))).not.toContain(done.id);
    await close(h);
    const again = await harness(h.dir);
    expect(again.service.problems).toEqual([]);
    expect(again.service.list().items.map((s) => s.id)).toEqual([waiting.id]);
  }, 60_000);
});
