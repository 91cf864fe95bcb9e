import { afterEach, describe, expect, it } from 'vitest';
import { BatchError } from '../../../src-main/core/batch/errors.js';
import { createHarness, type Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A service whose ids and clock are chosen: each batch one second after the last. */
async function withIds(ids: string[]): Promise<Harness> {
  const queue = [...ids];
  let tick = Date.parse('2026-01-01T00:00:00.000Z');
  harness = await createHarness({ newId: () => queue.shift() ?? `extra-${tick}`, now: () => new Date((tick += 1000)) });
  return harness;
}

async function propose(h: Harness, commands: string[], source = 'paste', cwd = h.dir): Promise<string> {
  return (await h.service.create({ entries: commands.map((command) => ({ command })), cwd, source })).id;
}

describe('BatchService.list', () => {
  it('pages summaries newest first by cursor, with the total of all pages', async () => {
    const h = await withIds(['b1', 'b2', 'b3', 'b4', 'b5']);
    for (let i = 1; i <= 5; i++) await propose(h, [`echo ${i}`]);
    const first = h.service.list({ limit: 2 });
    expect(first.items.map((s) => s.id)).toEqual(['b5', 'b4']);
    expect(first.total).toBe(5);
    const second = h.service.list({ limit: 2, before: first.nextCursor as string });
    expect(second.items.map((s) => s.id)).toEqual(['b3', 'b2']);
    const last = h.service.list({ limit: 2, before: second.nextCursor as string });
    expect(last).toMatchObject({ items: [{ id: 'b1', firstCommand: 'echo 1' }], nextCursor: null, total: 5 });
  });

  it('keeps a cursor valid while new batches arrive: the next page continues where the last ended', async () => {
    const h = await withIds(['b1', 'b2', 'b3', 'b4']);
    for (let i = 1; i <= 3; i++) await propose(h, [`echo ${i}`]);
    const first = h.service.list({ limit: 2 });
    await propose(h, ['echo new']);
    expect(h.service.list({ limit: 2, before: first.nextCursor as string }).items.map((s) => s.id)).toEqual(['b1']);
    expect(h.service.list({ limit: 1 }).items[0]?.id).toBe('b4');
  });

  it('searches id prefixes, sources, working directories and every command as plain case-insensitive text', async () => {
    const h = await withIds(['aaaa1111', 'bbbb2222', 'cccc3333']);
    await propose(h, ['ls', 'git STATUS'], 'agent:claude');
    await propose(h, ['cat notes.txt'], 'mcp:cursor');
    await propose(h, ['echo "(a+)+$"'], 'paste');
    const ids = (search: string): string[] => h.service.list({ search }).items.map((s) => s.id);
    expect(ids('git status')).toEqual(['aaaa1111']);
    expect(ids('CURSOR')).toEqual(['bbbb2222']);
    expect(ids('bbbb')).toEqual(['bbbb2222']);
    // An id is matched from its start only.
    expect(ids('2222')).toEqual([]);
    // Regular-expression syntax is text, never a pattern.
    expect(ids('(a+)+$')).toEqual(['cccc3333']);
    expect(ids('.*')).toEqual([]);
    expect(ids(h.dir.toUpperCase()).length).toBe(3);
    expect(h.service.list({ search: 'git' }).total).toBe(1);
  });

  it('filters by status, and combines the filter with the search', async () => {
    const h = await withIds(['p1', 'r1', 'p2']);
    await propose(h, ['echo one']);
    const rejected = await propose(h, ['echo two']);
    await propose(h, ['echo three']);
    await h.service.reject(rejected);
    expect(h.service.list({ status: ['pending'] }).items.map((s) => s.id)).toEqual(['p2', 'p1']);
    expect(h.service.list({ status: ['rejected', 'cancelled'] })).toMatchObject({ items: [{ id: 'r1', status: 'rejected', entryStatuses: { skipped: 1 } }], total: 1 });
    expect(h.service.list({ status: ['pending'], search: 'three' }).items.map((s) => s.id)).toEqual(['p2']);
  });

  it('follows changes: an approved batch is listed approved with its entries still waiting to run', async () => {
    const h = await withIds(['x1']);
    await propose(h, ['ls', 'rm -rf /']);
    await h.service.approve('x1');
    expect(h.service.list().items[0]).toMatchObject({ status: 'approved', verdicts: { allow: 1, ask: 0, deny: 1 }, entryStatuses: { pending: 1, blocked: 1 } });
  });

  it.each([
    [{ limit: 0 }, /limit must be/],
    [{ limit: 201 }, /limit must be/],
    [{ before: 'not a cursor!' }, /cursor is not one this Leash handed out/],
    [{ before: Buffer.from('yesterday\nb1').toString('base64url') }, /cursor/],
    [{ status: ['paused'] as never }, /unknown batch status paused/],
    [{ search: 'x'.repeat(201) }, /limited to 200 characters/],
  ])('refuses the query %j with INVALID_QUERY', async (query, message) => {
    const h = await withIds([]);
    expect(() => h.service.list(query)).toThrow(expect.objectContaining({ code: 'INVALID_QUERY', message: expect.stringMatching(message) }));
  });
});

describe('short ids', () => {
  it('reads a batch by a unique prefix of its id, case-insensitively', async () => {
    const h = await withIds(['3f2a9c1e-0000-4000-8000-000000000001', '7b7b0000-0000-4000-8000-000000000002']);
    await propose(h, ['echo short']);
    await propose(h, ['echo other']);
    expect(h.service.get('3f2a9c1e').entries[0]?.command).toBe('echo short');
    expect(h.service.get('3F2A').id).toBe('3f2a9c1e-0000-4000-8000-000000000001');
    expect(h.service.resolveId('7b7b0000-0000-4000-8000-000000000002')).toBe('7b7b0000-0000-4000-8000-000000000002');
  });

  it('refuses an ambiguous prefix, naming every candidate, and a prefix under four characters', async () => {
    const h = await withIds(['abcd1111', 'abcd2222', 'abzz3333']);
    for (let i = 0; i < 3; i++) await propose(h, [`echo ${i}`]);
    const ambiguous = (() => {
      try {
        h.service.get('abcd');
      } catch (error) {
        return error as BatchError & { candidates: string[] };
      }
    })();
    expect(ambiguous).toMatchObject({ code: 'BATCH_ID_AMBIGUOUS', candidates: ['abcd1111', 'abcd2222'] });
    expect(ambiguous?.message).toMatch(/"abcd" is the start of 2 batch ids \(abcd1111, abcd2222\): give more characters/);
    expect(() => h.service.get('abz')).toThrow(expect.objectContaining({ code: 'BATCH_ID_TOO_SHORT' }));
    expect(h.service.get('abzz').id).toBe('abzz3333');
    expect(() => h.service.get('ffff')).toThrow(expect.objectContaining({ code: 'BATCH_NOT_FOUND' }));
  });

  it('never acts on a prefix: approving, running and rejecting take whole ids', async () => {
    const h = await withIds(['9e9e9e9e-0000-4000-8000-000000000001']);
    await propose(h, ['echo act']);
    await expect(h.service.approve('9e9e9e9e')).rejects.toMatchObject({ code: 'BATCH_NOT_FOUND' });
    await expect(h.service.reject('9e9e9e9e')).rejects.toMatchObject({ code: 'BATCH_NOT_FOUND' });
    await expect(h.service.stop('9e9e9e9e')).rejects.toMatchObject({ code: 'BATCH_NOT_FOUND' });
    expect(h.service.get('9e9e9e9e').status).toBe('pending');
  });
});
