import { appendFile, copyFile, cp, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBatchStore, type Batch } from '../../../src-main/core/batch/index.js';
import { createBatchListingFromIndex } from '../../../src-main/core/batch/listing.js';
import { readLeashSnapshot } from '../../../src-main/core/leash.js';
import { seedBatches } from '../../support/seedBatches.js';
import { createHarness, type Harness } from './harness.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(dir?: string, options: { now?: () => Date } = {}): Promise<Harness> {
  const h = await createHarness({ dir, ...options });
  open.push(h);
  return h;
}

async function close(h: Harness): Promise<void> {
  open.splice(open.indexOf(h), 1);
  await h.close();
}

const indexPath = (dir: string): string => join(dir, 'batches', 'index.jsonl');
const headPath = (dir: string): string => join(dir, 'batches', 'head', 'index.json');
/** What a start from the head sees, as `leash batches` reads it (null: the head was not used). */
const fromHead = (dir: string) => createBatchStore(join(dir, 'batches')).loadHead({ readOnly: true });
/** What the whole index and directory say, newest first. */
async function fromEverything(dir: string): Promise<string[]> {
  const loaded = await createBatchStore(join(dir, 'batches')).load({ readOnly: true });
  return createBatchListingFromIndex(loaded.listed).list({ limit: 200 }).items.map((s) => s.id);
}

/** Three batches (pending, rejected, pending) by a Leash that then closed. */
async function threeBatches(options: { now?: () => Date } = {}): Promise<{ dir: string; ids: string[] }> {
  const h = await harness(undefined, options);
  const ids: string[] = [];
  for (const command of ['echo one', 'echo two', 'echo three']) ids.push((await h.service.create({ cwd: tmpdir(), entries: [{ command }] })).id);
  await h.service.reject(ids[1]!);
  await close(h);
  return { dir: h.dir, ids };
}

describe('a start from the index head', () => {
  it('answers the newest page and the total from the head, without reading the rest of the index; a search reads it whole and the next start repairs it', async () => {
    const { dir, ids } = await threeBatches();
    // Damage the first line in place (same length, same file): only a reader of the whole index can tell.
    const text = await readFile(indexPath(dir), 'utf8');
    await writeFile(indexPath(dir), `x${text.slice(1)}`);
    const head = await fromHead(dir);
    expect(head?.total).toBe(3);
    expect(head?.newest.map((s) => s.id)).toEqual([...ids].reverse());
    const snapshot = await readLeashSnapshot(dir);
    expect(snapshot.batches.list({ limit: 2 })).toMatchObject({ total: 3, items: [{ id: ids[2] }, { id: ids[1], status: 'rejected' }] });

    // A writer starts from the head too; its first search reads everything (the batch files vouch for the bad index).
    const h = await harness(dir);
    expect(h.service.problems).toEqual([]);
    expect(h.service.list({ search: 'echo two' }).items.map((s) => s.id)).toEqual([ids[1]]);
    await close(h);
    // It found the index out of step and dropped the head: the next start rebuilds, and says so.
    expect(await fromHead(dir)).toBeNull();
    const again = await harness(dir);
    expect(again.service.problems).toEqual([expect.stringMatching(/^batch index .*index\.jsonl line 1 is not JSON: rebuilt from the 3 batch files$/)]);
    expect(again.service.list().items.map((s) => s.id)).toEqual([...ids].reverse());
  }, 60_000);

  it('orders batches created in the same millisecond by id, newest first, as the whole index does', async () => {
    const still = new Date('2026-03-04T05:06:07.089Z');
    const { dir, ids } = await threeBatches({ now: () => still });
    const order = await fromEverything(dir);
    expect(order).toEqual([...ids].sort().reverse());
    expect((await fromHead(dir))?.newest.map((s) => s.id)).toEqual(order);
    expect((await readLeashSnapshot(dir)).batches.list().items.map((s) => s.id)).toEqual(order);
  }, 60_000);

  it('pages past the newest kept, and searches and filters, answer what the whole index answers', async () => {
    const home = await mkdtemp(join(tmpdir(), 'leash-head-pages-'));
    await seedBatches(home, 150, { cwd: tmpdir() });
    // The seeding store writes no head; the first start reads everything and writes one.
    expect(await fromHead(home)).toBeNull();
    const writer = createBatchStore(join(home, 'batches'));
    await writer.load();
    await writer.close();
    expect((await fromHead(home))?.total).toBe(150);
    const whole = createBatchListingFromIndex((await createBatchStore(join(home, 'batches')).load({ readOnly: true })).listed);
    const snapshot = await readLeashSnapshot(home);
    let cursor: string | null = null;
    for (let page = 0; page < 4; page++) {
      const query = { limit: 40, ...(cursor ? { before: cursor } : {}) };
      const got = snapshot.batches.list(query);
      expect(got).toEqual(whole.list(query));
      cursor = got.nextCursor;
    }
    expect(cursor).toBeNull();
    for (const query of [{ status: ['pending' as const] }, { search: 'cargo' }, { status: ['completed' as const], limit: 5 }]) expect(snapshot.batches.list(query)).toEqual(whole.list(query));
  }, 120_000);

  it('ignores a torn last line (a crash mid-append): readers list as before, a writer repairs the index first', async () => {
    const { dir, ids } = await threeBatches();
    await appendFile(indexPath(dir), '{"id":"half","unsett');
    expect((await fromHead(dir))?.newest.map((s) => s.id)).toEqual([...ids].reverse());
    // A writer does not go on from a torn line: the whole load drops it, and the next head is good again.
    expect(await createBatchStore(join(dir, 'batches')).loadHead()).toBeNull();
    const h = await harness(dir);
    expect(h.service.problems).toEqual([]);
    expect(h.service.list().total).toBe(3);
    await close(h);
    expect((await readFile(indexPath(dir), 'utf8')).endsWith('}\n')).toBe(true);
    expect((await fromHead(dir))?.total).toBe(3);
  }, 60_000);

  it('reads the file of a batch marked unsettled after the head (a crash between the mark and the write), and lists no batch whose creation did not reach its file', async () => {
    const { dir, ids } = await threeBatches();
    const path = join(dir, 'batches', `${ids[0]}.json`);
    const stored = JSON.parse(await readFile(path, 'utf8')) as Batch;
    // The crash: the mark is on disk, the file was rewritten in place, the summary never followed.
    await appendFile(indexPath(dir), `${JSON.stringify({ id: ids[0], unsettled: true, n: 3 })}\n${JSON.stringify({ id: 'never-written', unsettled: true, new: true, n: 3 })}\n`);
    await writeFile(path, JSON.stringify({ ...stored, status: 'rejected', note: 'changed before the crash' }));
    const head = await fromHead(dir);
    expect(head?.total).toBe(3);
    expect(head?.newest.map((s) => [s.id, s.status])).toEqual([[ids[2], 'pending'], [ids[1], 'rejected'], [ids[0], 'rejected']]);
    const h = await harness(dir);
    expect(h.service.problems).toEqual([]);
    expect(h.service.list().items.map((s) => [s.id, s.status])).toEqual([[ids[2], 'pending'], [ids[1], 'rejected'], [ids[0], 'rejected']]);
    expect(h.service.get(ids[0]!).note).toBe('changed before the crash');
  }, 60_000);

  it.each([
    ['is not JSON', async (dir: string) => writeFile(headPath(dir), '{"version":1,')],
    ['belongs to an index that was replaced since', async (dir: string) => {
      await copyFile(indexPath(dir), `${indexPath(dir)}.copy`);
      await rename(`${indexPath(dir)}.copy`, indexPath(dir));
    }],
    ['does not match the end of the index', async (dir: string) => {
      const text = await readFile(indexPath(dir), 'utf8');
      await writeFile(indexPath(dir), `${text.slice(0, -3)}x}\n`);
    }],
    ['is older than a change to the batches directory', async (dir: string) => writeFile(join(dir, 'batches', 'stray.txt'), 'a file')],
  ])('is not used when it %s: the start reads everything, and writes a head that is', async (_name, spoil) => {
    const { dir, ids } = await threeBatches();
    const before = await stat(headPath(dir));
    await spoil(dir);
    expect(await fromHead(dir)).toBeNull();
    const h = await harness(dir);
    expect(h.service.list().items.map((s) => s.id)).toEqual([...ids].reverse());
    await close(h);
    expect((await stat(headPath(dir))).mtimeMs).toBeGreaterThanOrEqual(before.mtimeMs);
    expect((await fromHead(dir))?.newest.map((s) => s.id)).toEqual([...ids].reverse());
  }, 60_000);

  it('keeps its counts through archiving from a start that took the head, and leaves no head that keeps too few to answer a page', async () => {
    const seeded = await mkdtemp(join(tmpdir(), 'leash-head-archive-seed-'));
    await seedBatches(seeded, 150, { cwd: tmpdir(), newest: new Date(Date.now() - 30 * 86_400_000) });
    const dir = await mkdtemp(join(tmpdir(), 'leash-head-archive-'));
    await cp(join(seeded, 'batches'), join(dir, 'batches'), { recursive: true });
    await close(await harness(dir));
    expect((await fromHead(dir))?.total).toBe(150);
    const h = await harness(dir);
    const archived = await h.service.archiveFinished(7);
    expect(archived.length).toBeGreaterThan(100);
    const waiting = await h.service.create({ cwd: tmpdir(), entries: [{ command: 'echo after the archive' }] });
    await close(h);
    const everything = await fromEverything(dir);
    expect(everything).toHaveLength(150 - archived.length + 1);
    // Each line counts what is listed after it: the last one agrees with the whole index.
    const lines = (await readFile(indexPath(dir), 'utf8')).trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ n: everything.length, p: 1 + 30 });
    // Archiving the newest kept batches left too few to answer a page: no head, and the next start reads everything once.
    expect(await fromHead(dir)).toBeNull();
    const again = await harness(dir);
    expect(again.service.list().items.map((s) => s.id)).toEqual(everything.slice(0, 50));
    await close(again);
    const head = await fromHead(dir);
    expect(head?.total).toBe(everything.length);
    expect(head?.newest.map((s) => s.id)).toEqual(everything);
    expect(head?.newest[0]?.id).toBe(waiting.id);
    expect(head?.pendingTotal).toBe((await readLeashSnapshot(dir)).batches.list({ status: ['pending'] }).total);
  }, 120_000);
});
