import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBatchStore } from '../../../src-main/core/batch/index.js';
import { createHarness } from './harness.js';

const cwd = tmpdir();

/** A data directory holding one good batch, written by the real service. */
async function withOneBatch(): Promise<{ dir: string; batches: string; id: string; good: Record<string, unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'leash-store-'));
  const h = await createHarness({ dir });
  const batch = await h.service.create({ cwd, entries: [{ command: 'echo ok' }] });
  await h.close();
  const batches = join(dir, 'batches');
  return { dir, batches, id: batch.id, good: JSON.parse(await readFile(join(batches, `${batch.id}.json`), 'utf8')) };
}

describe('loading batch files', () => {
  it.each([
    ['an empty entries list with nothing else', { id: 'x', entries: [] }, /entries|createdAt/],
    ['an entries list that is not a list', { id: 'x', entries: {} }, /entries|createdAt/],
    ['a status that does not exist', 'status:flying', /status/],
    ['an entry without a command', 'entry.command:undefined', /entries\.0\.command/],
    ['an entry with a verdict that does not exist', 'verdict:maybe', /verdict/],
    ['a createdAt that is not a time', 'createdAt:yesterday', /createdAt/],
    ['a JSON array', [], /expected object/],
    ['null', null, /expected object/],
  ])('sets aside a file holding %s, names it, and lists the other batches', async (_name, content, message) => {
    const { batches, id, good } = await withOneBatch();
    let value: unknown = content;
    if (typeof content === 'string') {
      const copy = structuredClone(good) as Record<string, unknown> & { entries: Record<string, unknown>[] };
      copy.id = 'x';
      const [field, replacement] = content.split(':') as [string, string];
      const entry = copy.entries[0] as Record<string, unknown> & { classification: Record<string, unknown> };
      if (field === 'entry.command') delete entry.command;
      else if (field === 'verdict') entry.classification.verdict = replacement;
      else copy[field] = replacement;
      value = copy;
    }
    await writeFile(join(batches, 'x.json'), JSON.stringify(value));
    const loaded = await createBatchStore(batches, { now: () => new Date('2026-01-02T03:04:05.678Z') }).load();
    expect(loaded.listed.map((b) => b.summary.id)).toEqual([id]);
    expect(loaded.setAside).toEqual([{ file: 'x.json', when: 'now', movedTo: 'x.json.bad-2026-01-02T03-04-05-678Z', message: expect.stringMatching(message) }]);
    expect((await readdir(batches)).sort()).toEqual([`${id}.json`, 'head', 'index.jsonl', 'x.json.bad-2026-01-02T03-04-05-678Z'].sort());
    // Nothing is lost: the bytes are exactly what was there.
    expect(await readFile(join(batches, 'x.json.bad-2026-01-02T03-04-05-678Z'), 'utf8')).toBe(JSON.stringify(value));
  });

  it('sets aside a file whose batch id is not the one its name says (two files cannot claim one batch)', async () => {
    const { batches, id, good } = await withOneBatch();
    await writeFile(join(batches, 'other.json'), JSON.stringify(good));
    const loaded = await createBatchStore(batches).load();
    expect(loaded.listed.map((b) => b.summary.id)).toEqual([id]);
    expect(loaded.setAside[0]).toMatchObject({ file: 'other.json', message: expect.stringContaining(`holds batch id "${id}"`) });
  });

  it('keeps naming a file set aside at an earlier start until a person removes it', async () => {
    const { batches } = await withOneBatch();
    await writeFile(join(batches, 'x.json'), '{"id":"x","entries":[]}');
    await createBatchStore(batches).load();
    const again = await createBatchStore(batches).load();
    expect(again.setAside).toEqual([{ file: expect.stringMatching(/^x\.json\.bad-/), when: 'earlier', movedTo: expect.stringMatching(/^x\.json\.bad-/), message: '' }]);
  });

  it('loads a file with a field it does not know (written by a newer Leash)', async () => {
    const { batches, id, good } = await withOneBatch();
    await writeFile(join(batches, `${id}.json`), JSON.stringify({ ...good, futureField: { any: 1 } }));
    const store = createBatchStore(batches);
    const loaded = await store.load();
    expect(loaded.setAside).toEqual([]);
    expect(loaded.listed.map((b) => b.summary.id)).toEqual([id]);
    expect(store.read(id)).toMatchObject({ ok: true, batch: { id, futureField: { any: 1 } } });
  });

  it('reports a file it cannot read instead of failing the whole load', async () => {
    const { batches, id } = await withOneBatch();
    await mkdir(join(batches, 'dir.json'));
    const loaded = await createBatchStore(batches).load();
    expect(loaded.listed.map((b) => b.summary.id)).toEqual([id]);
    expect(loaded.setAside[0]).toMatchObject({ file: 'dir.json', message: expect.stringContaining('EISDIR') });
  });
});
