import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileAtomic, listCommandFiles, writeFileAtomic } from '../../../src-main/core/inbox/folder.js';
import { openInflightStore } from '../../../src-main/core/inbox/inflightStore.js';
import { openReplayLedger } from '../../../src-main/core/inbox/replayLedger.js';
import { listDir, removeDir, tempDir } from './inboxFixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => removeDir(dir));

describe('the replay ledger', () => {
  const day = 86_400_000;

  it('refuses a seen id (in any case) or a seen nonce until the command has expired, across reopening', async () => {
    let now = 1_000 * day;
    const path = join(dir, 'seen.json');
    const ledger = await openReplayLedger(path, { nowMs: () => now, retainMs: 60_000 });
    expect(ledger.check('job-1', 'nonce-aaaaaaaa')).toBeNull();
    await ledger.record('job-1', 'nonce-aaaaaaaa', now + day);
    const reopened = await openReplayLedger(path, { nowMs: () => now, retainMs: 60_000 });
    expect(reopened.check('job-1', 'nonce-bbbbbbbb')).toBe('REPLAYED_ID');
    expect(reopened.check('JOB-1', 'nonce-bbbbbbbb')).toBe('REPLAYED_ID');
    expect(reopened.check('job-2', 'nonce-aaaaaaaa')).toBe('REPLAYED_NONCE');
    now += day + 60_000;
    expect(reopened.check('job-1', 'nonce-aaaaaaaa')).toBeNull();
  });

  it('drops expired entries when it next writes', async () => {
    let now = 1_000 * day;
    const path = join(dir, 'seen.json');
    const ledger = await openReplayLedger(path, { nowMs: () => now, retainMs: 0 });
    await ledger.record('old', 'nonce-old-0000', now + 1000);
    now += 2000;
    await ledger.record('new', 'nonce-new-0000', now + 1000);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      ids: { new: new Date(now + 1000).toISOString() },
      nonces: { 'nonce-new-0000': { expires_at: new Date(now + 1000).toISOString(), id: 'new' } },
      schemaVersion: 1,
    });
  });

  it.each([['not JSON', '{'], ['not a ledger', '{"ids": []}'], ['a bad date', '{"ids": {"a": "soon"}, "nonces": {}}']])('fails closed on a file that is %s', async (_name, text) => {
    await writeFile(join(dir, 'seen.json'), text);
    await expect(openReplayLedger(join(dir, 'seen.json'), { nowMs: Date.now, retainMs: 0 })).rejects.toMatchObject({ code: 'INBOX_META_UNREADABLE' });
  });
});

describe('the in-flight list', () => {
  it('survives reopening and knows which commands/ file an unmoved command came from', async () => {
    const path = join(dir, 'inflight.json');
    const store = await openInflightStore(path);
    const record = { batchId: null, file: 'x.json', acceptedAt: '2030-01-01T00:00:00.000Z', inputSha256: 'a'.repeat(64), verifiedWith: 'env:X' };
    await store.put('Job-1', record);
    const reopened = await openInflightStore(path);
    expect(reopened.get('Job-1')).toEqual(record);
    expect(reopened.has('job-1')).toBe(true);
    expect(reopened.holdsFile('x.json')).toBe(true);
    await reopened.put('Job-1', { ...record, batchId: 'b-1' });
    expect(reopened.holdsFile('x.json')).toBe(false);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      commands: { 'Job-1': { accepted_at: record.acceptedAt, batch_id: 'b-1', file: 'x.json', input_sha256: record.inputSha256, verified_with: 'env:X' } },
      schemaVersion: 1,
    });
    await reopened.remove('Job-1');
    expect((await openInflightStore(path)).all()).toEqual([]);
  });

  it('fails closed on a damaged file', async () => {
    await writeFile(join(dir, 'inflight.json'), '{"commands": {"a": {"batch_id": 5}}}');
    await expect(openInflightStore(join(dir, 'inflight.json'))).rejects.toMatchObject({ code: 'INBOX_META_UNREADABLE' });
  });
});

describe('the folder', () => {
  it('lists only regular, visible .json files in commands/, never following links', async () => {
    const commands = join(dir, 'commands');
    await mkdir(join(commands, 'sub.json'), { recursive: true });
    for (const name of ['b.json', 'a.json', '.hidden.json', 'notes.txt', 'c.json.part', '.json']) await writeFile(join(commands, name), '{}');
    await writeFile(join(dir, 'outside.json'), '{"secret": true}');
    await symlink(join(dir, 'outside.json'), join(commands, 'link.json'));
    expect((await listCommandFiles(commands)).map((f) => f.name)).toEqual(['a.json', 'b.json']);
  });

  it('writes atomically, leaving no temporary file, and creates without ever overwriting', async () => {
    const path = join(dir, 'file.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two');
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await createFileAtomic(path, 'three')).toBe(false);
    expect(await createFileAtomic(join(dir, 'new.json'), 'four')).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await listDir(dir)).toEqual(['file.json', 'new.json']);
  });
});
