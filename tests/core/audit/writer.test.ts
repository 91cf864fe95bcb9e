import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditError, GENESIS_HASH, openAuditWriter, verifyAudit, type AuditEventInput, type AuditRecord } from '../../../src-main/core/audit/index.js';
import { sha256Hex } from '../../../src-main/core/audit/recordLine.js';
import { makeTempDir, readLines, steppingClock } from './auditFixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let logPath: string;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  logPath = join(dir, 'audit.jsonl');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await cleanup();
});

async function rejection(promise: Promise<unknown>): Promise<AuditError> {
  try {
    await promise;
  } catch (error) {
    return error as AuditError;
  }
  throw new Error('expected a rejection');
}

describe('AuditWriter format', () => {
  // Both lines were computed independently with Python's json.dumps(sort_keys=True,
  // separators=(',', ':')) and hashlib.sha256.
  const FIRST_LINE =
    '{"event":"APP_STARTED","hash":"42e89d29539856a8acc1d05d2f19a064b44ac4a9d9674bd90489989ef23c0269","prevHash":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"ts":"2025-01-02T03:04:05.678Z"}';
  const SECOND_LINE = String.raw`{"batchId":"b1","command":"echo h\u00e9llo \ud83d\ude00","details":{"fingerprint":"ab12","n":1},"entryId":"e1","event":"ENTRY_STARTED","hash":"664628207da85c789c39224d0c551d2662d3bc7c3bbebb3ad8f0e85e56cc95ef","prevHash":"42e89d29539856a8acc1d05d2f19a064b44ac4a9d9674bd90489989ef23c0269","seq":2,"tool":"shell","ts":"2025-01-02T03:04:06.678Z","verdict":"allow"}`;

  it('writes canonical, hash-chained lines that match a Python computation byte for byte', async () => {
    const writer = await openAuditWriter(logPath, { clock: steppingClock() });
    await writer.append({ event: 'APP_STARTED' });
    await writer.append({ event: 'ENTRY_STARTED', batchId: 'b1', entryId: 'e1', tool: 'shell', command: 'echo h\u00e9llo \u{1F600}', verdict: 'allow', details: { n: 1, fingerprint: 'ab12' } });
    await writer.close();
    expect(await readFile(logPath, 'latin1')).toBe(`${FIRST_LINE}\n${SECOND_LINE}\n`);
  });

  it('keeps the head checkpoint at the last record, as canonical JSON', async () => {
    const writer = await openAuditWriter(logPath, { clock: steppingClock() });
    await writer.append({ event: 'APP_STARTED' });
    await writer.flush();
    expect(await readFile(`${logPath}.head`, 'utf8')).toBe(`{"hash":"42e89d29539856a8acc1d05d2f19a064b44ac4a9d9674bd90489989ef23c0269","offset":${FIRST_LINE.length + 1},"seq":1,"ts":"2025-01-02T03:04:05.678Z"}\n`);
    await writer.append({ event: 'ENTRY_STARTED', batchId: 'b1', entryId: 'e1', tool: 'shell', command: 'echo h\u00e9llo \u{1F600}', verdict: 'allow', details: { n: 1, fingerprint: 'ab12' } });
    await writer.close();
    expect(await readFile(`${logPath}.head`, 'utf8')).toBe(`{"hash":"664628207da85c789c39224d0c551d2662d3bc7c3bbebb3ad8f0e85e56cc95ef","offset":${FIRST_LINE.length + SECOND_LINE.length + 2},"seq":2,"ts":"2025-01-02T03:04:06.678Z"}\n`);
  });

  it('resolves append with the record exactly as stored', async () => {
    const writer = await openAuditWriter(logPath, { clock: steppingClock() });
    const record = await writer.append({ event: 'DRY_RUN', batchId: 'b9', reason: 'preview' });
    await writer.close();
    expect(record).toEqual(JSON.parse((await readLines(logPath))[0] as string));
    expect(record).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, event: 'DRY_RUN', batchId: 'b9', reason: 'preview' });
  });

  it('leaves out fields and detail properties set to undefined instead of writing null', async () => {
    const writer = await openAuditWriter(logPath, { clock: steppingClock() });
    const record = await writer.append({ event: 'APP_STARTED', batchId: undefined, details: { kept: 1, dropped: undefined, nested: { gone: undefined } } });
    await writer.close();
    expect(Object.keys(record).sort()).toEqual(['details', 'event', 'hash', 'prevHash', 'seq', 'ts']);
    expect((await readLines(logPath))[0]).toContain('"details":{"kept":1,"nested":{}}');
  });

  it('numbers records consecutively and links each to the previous, across reopening', async () => {
    const first = await openAuditWriter(logPath);
    const records: AuditRecord[] = [];
    for (let i = 0; i < 5; i++) records.push(await first.append({ event: 'SETTINGS_CHANGED', details: { i } }));
    await first.close();
    const second = await openAuditWriter(logPath);
    expect(second.head).toEqual({ seq: 5, hash: records[4]?.hash });
    records.push(await second.append({ event: 'APP_STOPPED' }));
    await second.close();
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < records.length; i++) expect(records[i]?.prevHash).toBe(records[i - 1]?.hash);
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 6, headHash: records[5]?.hash });
  });
});

describe('AuditWriter ordering and durability', () => {
  it('resolves concurrent appends in call order, each only after its line was fdatasync-ed, with the checkpoint at most one behind', async () => {
    const writer = await openAuditWriter(logPath);
    const handle = await open(logPath, 'r');
    const prototype = Object.getPrototypeOf(handle) as { datasync: () => Promise<void> };
    await handle.close();
    const events: string[] = [];
    const lagging: string[] = [];
    const original = prototype.datasync;
    vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: unknown) {
      await original.call(this);
      // What is on disk at the moment the sync completed.
      const lines = readFileSync(logPath, 'latin1').split('\n').length - 1;
      const checkpointSeq = lines === 1 ? 0 : (JSON.parse(readFileSync(`${logPath}.head`, 'utf8')) as { seq: number }).seq;
      if (checkpointSeq < lines - 1) lagging.push(`checkpoint at ${checkpointSeq} while line ${lines} was synced`);
      events.push(`synced ${lines}`);
    });
    const appends = Array.from({ length: 40 }, (_, i) =>
      writer.append({ event: 'ENTRY_FINISHED', entryId: `e${i}`, exitCode: 0 }).then((record) => {
        events.push(`resolved ${record.seq}`);
        return record;
      }),
    );
    const records = await Promise.all(appends);
    await writer.close();
    expect(records.map((record) => record.entryId)).toEqual(Array.from({ length: 40 }, (_, i) => `e${i}`));
    const resolved = events.filter((event) => event.startsWith('resolved')).map((event) => Number(event.split(' ')[1]));
    expect(resolved).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const seq of resolved) {
      const resolvedAt = events.indexOf(`resolved ${seq}`);
      const syncedBefore = events.slice(0, resolvedAt).some((event) => event.startsWith('synced') && Number(event.split(' ')[1]) >= seq);
      expect(syncedBefore, `record ${seq} resolved before a sync covered it`).toBe(true);
    }
    expect(lagging).toEqual([]);
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 40 });
  });

  it('keeps call order when fire-and-forget and awaited appends are mixed', async () => {
    const writer = await openAuditWriter(logPath);
    writer.appendNoWait({ event: 'EMERGENCY_STOP', reason: 'stop button' });
    const awaited = writer.append({ event: 'BATCH_CANCELLED', batchId: 'b1' });
    writer.appendNoWait({ event: 'AUTONOMY_DISABLED', reason: 'emergency stop' });
    expect(writer.head.seq).toBe(3);
    expect((await awaited).seq).toBe(2);
    await writer.flush();
    await writer.close();
    const events = (await readLines(logPath)).map((line) => (JSON.parse(line) as AuditRecord).event);
    expect(events).toEqual(['EMERGENCY_STOP', 'BATCH_CANCELLED', 'AUTONOMY_DISABLED']);
  });

  it('refuses every append after a failed write, reporting fire-and-forget failures to onError', async () => {
    const errors: AuditError[] = [];
    const writer = await openAuditWriter(logPath, { onError: (error) => errors.push(error) });
    await writer.append({ event: 'APP_STARTED' });
    const handle = await open(logPath, 'r');
    const prototype = Object.getPrototypeOf(handle) as { datasync: () => Promise<void> };
    await handle.close();
    vi.spyOn(prototype, 'datasync').mockRejectedValueOnce(Object.assign(new Error('disk gone'), { code: 'EIO' }));
    const failed = await rejection(writer.append({ event: 'APP_STOPPED' }));
    expect(failed.code).toBe('AUDIT_WRITE_FAILED');
    expect((await rejection(writer.append({ event: 'APP_STOPPED' }))).code).toBe('AUDIT_WRITE_FAILED');
    writer.appendNoWait({ event: 'EMERGENCY_STOP' });
    expect(errors.map((error) => error.code)).toEqual(['AUDIT_WRITE_FAILED']);
    expect((await rejection(writer.flush())).code).toBe('AUDIT_WRITE_FAILED');
    await writer.close();
  });

  it('reports a failed checkpoint update to onError and refuses later appends, keeping the durable record', async () => {
    const errors: AuditError[] = [];
    const writer = await openAuditWriter(logPath, { onError: (error) => errors.push(error) });
    // A directory where the checkpoint's temporary file goes makes its creation fail.
    await mkdir(`${logPath}.head.tmp`);
    const record = await writer.append({ event: 'APP_STARTED' });
    expect((await rejection(writer.flush())).code).toBe('AUDIT_WRITE_FAILED');
    expect(errors.map((error) => [error.code, error.details.seq])).toEqual([['AUDIT_WRITE_FAILED', 1]]);
    expect((await rejection(writer.append({ event: 'APP_STOPPED' }))).code).toBe('AUDIT_WRITE_FAILED');
    await writer.close();
    expect((await readLines(logPath)).map((line) => JSON.parse(line) as unknown)).toEqual([record]);
  });

  it('rejects appends after close', async () => {
    const writer = await openAuditWriter(logPath);
    await writer.close();
    expect((await rejection(writer.append({ event: 'APP_STARTED' }))).code).toBe('AUDIT_CLOSED');
  });
});

describe('AuditWriter refuses secrets, raw output and malformed events', () => {
  const refused: Array<[string, AuditEventInput, string]> = [
    ['raw stdout at the top level', { event: 'ENTRY_FINISHED', stdout: 'hello' } as unknown as AuditEventInput, 'AUDIT_FORBIDDEN_FIELD'],
    ['raw output in details', { event: 'ENTRY_FINISHED', details: { output: 'hello' } }, 'AUDIT_FORBIDDEN_FIELD'],
    ['stderr nested in an array in details', { event: 'ENTRY_FINISHED', details: { streams: [{ stderr: 'x' }] } }, 'AUDIT_FORBIDDEN_FIELD'],
    ['a token in details', { event: 'AUTONOMY_ENABLED', details: { token: 'abc' } }, 'AUDIT_FORBIDDEN_FIELD'],
    ['an autonomyToken in details', { event: 'AUTONOMY_ENABLED', details: { autonomyToken: 'abc' } }, 'AUDIT_FORBIDDEN_FIELD'],
    ['a nested password', { event: 'SETTINGS_CHANGED', details: { changed: { smtpPassword: 'x' } } }, 'AUDIT_FORBIDDEN_FIELD'],
    ['a secret at the top level', { event: 'AUTH_FAILURE', secret: 'x' } as unknown as AuditEventInput, 'AUDIT_FORBIDDEN_FIELD'],
    ['an api key', { event: 'SETTINGS_CHANGED', details: { api_key: 'x' } }, 'AUDIT_FORBIDDEN_FIELD'],
    ['an unknown event', { event: 'MADE_UP' } as unknown as AuditEventInput, 'AUDIT_INVALID_EVENT'],
    ['an unknown field', { event: 'APP_STARTED', colour: 'red' } as unknown as AuditEventInput, 'AUDIT_INVALID_EVENT'],
    ['a fractional duration', { event: 'ENTRY_FINISHED', durationMs: 1.5 }, 'AUDIT_INVALID_EVENT'],
    ['an upper-case sha256', { event: 'ENTRY_FINISHED', stdoutSha256: 'A'.repeat(64) }, 'AUDIT_INVALID_EVENT'],
    ['a float inside details', { event: 'SETTINGS_CHANGED', details: { ratio: 0.5 } }, 'AUDIT_INVALID_EVENT'],
    ['an undefined array item inside details', { event: 'SETTINGS_CHANGED', details: { list: [1, undefined] as unknown as number[] } }, 'AUDIT_INVALID_EVENT'],
    ['an unknown verdict', { event: 'COMMAND_BLOCKED', verdict: 'maybe' } as unknown as AuditEventInput, 'AUDIT_INVALID_EVENT'],
  ];

  it.each(refused)('refuses %s and writes nothing', async (_name, event, code) => {
    const writer = await openAuditWriter(logPath);
    await writer.append({ event: 'APP_STARTED' });
    expect((await rejection(writer.append(event))).code).toBe(code);
    expect(() => writer.appendNoWait(event)).toThrow(expect.objectContaining({ code }));
    const after = await writer.append({ event: 'APP_STOPPED' });
    await writer.close();
    expect(after.seq).toBe(2);
    expect(await readLines(logPath)).toHaveLength(2);
  });

  it('allows a token fingerprint inside details', async () => {
    const writer = await openAuditWriter(logPath);
    const record = await writer.append({ event: 'AUTONOMY_ENABLED', approvedBy: 'autonomy:3fa2c1', details: { fingerprint: '3fa2c1', tokenFingerprint: '3fa2c1' } });
    await writer.close();
    expect(record.details).toEqual({ fingerprint: '3fa2c1', tokenFingerprint: '3fa2c1' });
  });
});

describe('AuditWriter lock', () => {
  it('refuses a second writer while the first is open, naming its pid', async () => {
    const first = await openAuditWriter(logPath);
    const error = await rejection(openAuditWriter(logPath));
    expect(error.code).toBe('AUDIT_LOCKED');
    expect(error.message).toContain(`process ${process.pid}`);
    expect(error.details).toMatchObject({ pid: process.pid, lockPath: `${logPath}.lock` });
    await first.close();
    const second = await openAuditWriter(logPath);
    await second.close();
  });

  it('holds pid, host and start time in the lock file and removes it on close', async () => {
    const writer = await openAuditWriter(logPath);
    const owner = JSON.parse(await readFile(`${logPath}.lock`, 'utf8')) as Record<string, unknown>;
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(Number.isNaN(Date.parse(owner.startedAt as string))).toBe(false);
    await writer.close();
    await expect(stat(`${logPath}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes over a stale lock whose process is dead', async () => {
    // No process can have this pid (above Linux's pid_max), so it is certainly dead.
    await writeFile(`${logPath}.lock`, JSON.stringify({ pid: 2147483646, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z' }));
    const writer = await openAuditWriter(logPath);
    expect(JSON.parse(await readFile(`${logPath}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await writer.close();
  });

  it.each([
    ['held on another host', JSON.stringify({ pid: 2147483646, hostname: `not-${hostname()}`, startedAt: '2020-01-01T00:00:00.000Z' })],
    ['unreadable', ''],
  ])('treats a lock %s as live', async (_name, content) => {
    await writeFile(`${logPath}.lock`, content);
    const error = await rejection(openAuditWriter(logPath));
    expect(error.code).toBe('AUDIT_LOCKED');
    expect(await readFile(`${logPath}.lock`, 'utf8')).toBe(content);
  });

  it('fails with AUDIT_OPEN_FAILED when the log cannot be created', async () => {
    await writeFile(join(dir, 'file'), '');
    const error = await rejection(openAuditWriter(join(dir, 'file', 'audit.jsonl')));
    expect(error).toBeInstanceOf(AuditError);
    expect(error.code).toBe('AUDIT_OPEN_FAILED');
    // mkdir reports a file in the way as EEXIST; opening through it would say ENOTDIR.
    expect(['EEXIST', 'ENOTDIR']).toContain(error.details.errno);
  });

  it('releases the lock when open fails on a tampered log', async () => {
    await writeFile(logPath, 'not json\n');
    expect((await rejection(openAuditWriter(logPath))).code).toBe('AUDIT_TAMPERED');
    await expect(stat(`${logPath}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(sha256Hex(await readFile(logPath))).toBe(sha256Hex('not json\n'));
  });
});
