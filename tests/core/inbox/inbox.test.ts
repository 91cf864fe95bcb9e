import { createHash } from 'node:crypto';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allFiles, approveAndRun, batchFor, createInboxRig, dropCommand, listDir, OLD_SECRET, PROJECT_DIR, readJson, removeDir, SECRET, signed, START_MS, unsignedCommand, type InboxRig, type RigOptions } from './inboxFixtures.js';

const withoutField = (document: Record<string, unknown>, field: string): Record<string, unknown> => Object.fromEntries(Object.entries(document).filter(([key]) => key !== field));

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

let rig: InboxRig | undefined;
afterEach(async () => {
  await rig?.close();
  if (rig) await removeDir(rig.root);
  rig = undefined;
});

async function setup(options: RigOptions = {}): Promise<InboxRig> {
  rig = await createInboxRig(options);
  return rig;
}

describe('a valid command', () => {
  it('becomes a pending batch that waits for a person, then results, integrity and archive when it ends', async () => {
    const r = await setup();
    const document = signed(unsignedCommand('job-1', { payload: { entries: [{ command: 'echo hello from the inbox' }, { command: 'printf err >&2' }], cwd: PROJECT_DIR, reason: 'smoke test' } }));
    const original = await dropCommand(r.inboxDir, 'job-1.json', document);

    const first = await r.inbox.scanNow();
    expect(first).toEqual({ processed: [], waiting: ['job-1.json'] });
    const second = await r.inbox.scanNow();
    expect(second.processed).toEqual([{ file: 'job-1.json', outcome: 'accepted', id: 'job-1' }]);
    await r.inbox.idle();

    const batch = batchFor(r.harness, 'job-1');
    expect(batch).toMatchObject({ status: 'pending', source: 'inbox:job-1', cwd: PROJECT_DIR, reason: 'smoke test', approvedBy: null });
    expect(batch?.entries.map((e) => [e.command, e.timeoutMs])).toEqual([
      ['echo hello from the inbox', 60_000],
      ['printf err >&2', 60_000],
    ]);
    expect(await listDir(join(r.inboxDir, 'commands'))).toEqual([]);
    expect(await readFile(join(r.inboxDir, 'meta', 'accepted', 'job-1.json'))).toEqual(original);
    expect(Object.keys((await readJson(join(r.inboxDir, 'meta', 'inflight.json'))).commands as object)).toEqual(['job-1']);
    expect(await listDir(join(r.inboxDir, 'results'))).toEqual([]);

    const ended = await approveAndRun(r.harness, batch?.id as string);
    expect(ended.status).toBe('completed');
    await r.inbox.idle();

    const resultBytes = await readFile(join(r.inboxDir, 'results', 'job-1.json'));
    const results = JSON.parse(resultBytes.toString()) as Record<string, unknown>;
    expect(results).toMatchObject({ schemaVersion: 1, id: 'job-1', batch_id: ended.id, status: 'completed', exit_code: 0, approved_by: 'manual' });
    expect(results.entries).toMatchObject([
      { index: 1, command: 'echo hello from the inbox', status: 'completed', exit_code: 0, stdout: { head: 'hello from the inbox\n', bytes: 21, truncated: false } },
      { index: 2, command: 'printf err >&2', status: 'completed', exit_code: 0, stderr: { head: 'err', sha256: sha256('err') } },
    ]);
    const integrity = await readJson(join(r.inboxDir, 'results', 'job-1.integrity.json'));
    expect(integrity).toEqual({
      schemaVersion: 1,
      id: 'job-1',
      batch_id: ended.id,
      status: 'completed',
      input_sha256: sha256(original),
      result_sha256: sha256(resultBytes),
      diff_sha256: null,
      files_changed: null,
      action: 'runBatch',
      issued_at: document.issued_at,
      expires_at: document.expires_at,
      accepted_at: new Date(START_MS).toISOString(),
      executed_at: ended.startedAt,
      finished_at: ended.finishedAt,
      duration_ms: expect.any(Number) as number,
      constraints: { maxRuntimeMs: 60_000 },
      limits_ok: true,
      hmac_ok: true,
      verified_with: 'env:LEASH_INBOX_HMAC_SECRET',
      exit_code: 0,
    });
    expect(await readFile(join(r.inboxDir, 'archive', 'job-1.json'))).toEqual(original);
    for (const file of ['results/job-1.json', 'results/job-1.integrity.json', 'meta/inflight.json']) expect((await stat(join(r.inboxDir, file))).mode & 0o777).toBe(0o600);
    expect(await listDir(join(r.inboxDir, 'meta', 'accepted'))).toEqual([]);
    expect((await readJson(join(r.inboxDir, 'meta', 'inflight.json'))).commands).toEqual({});

    const events = (await r.harness.records()).map((record) => record.event);
    expect(events.filter((e) => e.startsWith('INBOX_') || e.startsWith('BATCH_'))).toEqual(['INBOX_ACCEPTED', 'BATCH_CREATED', 'BATCH_APPROVED', 'BATCH_FINISHED', 'INBOX_RESULT_WRITTEN']);
    const written = (await r.harness.records()).find((record) => record.event === 'INBOX_RESULT_WRITTEN');
    expect(written).toMatchObject({ batchId: ended.id, exitCode: 0, details: { commandId: 'job-1', status: 'completed', resultSha256: sha256(resultBytes), inputSha256: sha256(original), limitsOk: true, archivedAs: 'archive/job-1.json' } });
  });

  it('writes results for a batch a person rejects, with no exit code', async () => {
    const r = await setup();
    await dropCommand(r.inboxDir, 'job.json', signed(unsignedCommand('job-r')));
    await r.settle();
    await r.harness.service.reject(batchFor(r.harness, 'job-r')?.id as string, 'not today');
    await r.inbox.idle();
    expect(await readJson(join(r.inboxDir, 'results', 'job-r.json'))).toMatchObject({ status: 'rejected', note: 'not today', exit_code: null });
    expect(await readJson(join(r.inboxDir, 'results', 'job-r.integrity.json'))).toMatchObject({ status: 'rejected', exit_code: null, executed_at: null, duration_ms: null, limits_ok: true });
    expect(await listDir(join(r.inboxDir, 'archive'))).toEqual(['job-r.json']);
  });

  it('reports the first failing exit code, and limits_ok false when the run took longer than maxRuntimeMs', async () => {
    const r = await setup();
    const entries = [{ command: 'sleep 5; exit 3' }, { command: 'echo never' }];
    await dropCommand(r.inboxDir, 'f.json', signed(unsignedCommand('job-f', { payload: { entries, cwd: PROJECT_DIR }, constraints: { maxRuntimeMs: 200 } })));
    await r.settle();
    const batch = batchFor(r.harness, 'job-f');
    expect(batch?.entries.map((e) => e.timeoutMs)).toEqual([200, 200]);
    await approveAndRun(r.harness, batch?.id as string);
    await r.inbox.idle();
    const integrity = await readJson(join(r.inboxDir, 'results', 'job-f.integrity.json'));
    // The entry is killed at its 200 ms timeout (SIGTERM): 128 + 15.
    expect(integrity).toMatchObject({ status: 'error', exit_code: 143 });
    expect(integrity.limits_ok).toBe((integrity.duration_ms as number) <= 200);
    expect((await readJson(join(r.inboxDir, 'results', 'job-f.json'))).entries).toMatchObject([{ status: 'timed_out' }, { status: 'skipped' }]);
  });

  it('is accepted when signed with an old secret that is still listed (rotation)', async () => {
    const r = await setup({ env: { LEASH_INBOX_HMAC_SECRET: SECRET, LEASH_INBOX_HMAC_SECRETS: OLD_SECRET } });
    await dropCommand(r.inboxDir, 'old.json', signed(unsignedCommand('job-old'), OLD_SECRET));
    await r.settle();
    expect(batchFor(r.harness, 'job-old')?.status).toBe('pending');
    expect((await r.harness.records()).find((record) => record.event === 'INBOX_ACCEPTED')?.details).toMatchObject({ verifiedWith: 'env:LEASH_INBOX_HMAC_SECRETS[1]' });
  });

  it('is refused as TOO_MANY_ENTRIES when the settings allow fewer entries than it has', async () => {
    const r = await setup({ settings: { maxBatchSize: 2 } });
    const entries = [{ command: 'ls' }, { command: 'ls' }, { command: 'ls' }];
    await dropCommand(r.inboxDir, 'big.json', signed(unsignedCommand('job-big', { payload: { entries } })));
    await r.settle();
    expect(r.harness.service.list()).toEqual([]);
    expect(await readJson(join(r.inboxDir, 'dead_letter', 'job-big.json'))).toMatchObject({ reason: 'TOO_MANY_ENTRIES', message: 'a batch holds at most 2 entries; this one has 3' });
    expect(await listDir(join(r.inboxDir, 'meta', 'accepted'))).toEqual([]);
    expect((await readJson(join(r.inboxDir, 'meta', 'inflight.json'))).commands).toEqual({});
  });
});

describe('refused commands', () => {
  const tampered = (): string => JSON.stringify(signed(unsignedCommand('job-t')), null, 2).replace('echo ran job-t', 'echo ran job-T');
  const cases: Array<[string, () => string | Buffer | Record<string, unknown>, string, string, RegExp]> = [
    ['one byte of the payload changed', tampered, 'job-t.json', 'BAD_SIGNATURE', /does not match/],
    ['expired', () => signed(unsignedCommand('job-e', { issued_at: '2030-05-06T06:00:00Z', expires_at: '2030-05-06T07:00:00Z' })), 'job-e.json', 'EXPIRED', /expired at 2030-05-06T07:00:00Z/],
    ['issued in the future', () => signed(unsignedCommand('job-n', { issued_at: '2030-05-06T09:00:00Z', expires_at: '2030-05-06T10:00:00Z' })), 'job-n.json', 'NOT_YET_VALID', /later than this clock allows/],
    ['not JSON', () => 'echo this is not json', '_unnamed-*.json', 'NOT_JSON', /not valid JSON/],
    ['empty', () => Buffer.alloc(0), '_unnamed-*.json', 'EMPTY', /empty/],
    ['malformed (no constraints)', () => signed(withoutField(unsignedCommand('job-m'), 'constraints')), 'job-m.json', 'SCHEMA_INVALID', /^constraints: /],
    ['11 entries', () => signed(unsignedCommand('job-11', { payload: { entries: Array.from({ length: 11 }, (_, i) => ({ command: `echo ${i}` })) } })), 'job-11.json', 'TOO_MANY_ENTRIES', /this one has 11/],
    ['another action', () => signed(unsignedCommand('job-a', { action: 'deploy' })), 'job-a.json', 'UNSUPPORTED_ACTION', /"deploy"/],
    ['unsigned', () => unsignedCommand('job-u'), 'job-u.json', 'SCHEMA_INVALID', /hmac: missing/],
  ];

  it.each(cases)('dead-letters a command that is %s', async (_name, content, deadLetterName, code, message) => {
    const r = await setup();
    const bytes = await dropCommand(r.inboxDir, 'incoming.json', content());
    await r.settle();
    const [name, ...others] = await listDir(join(r.inboxDir, 'dead_letter'));
    expect(others).toEqual([]);
    expect(name).toMatch(new RegExp(`^${deadLetterName.replace('.', '\\.').replace('*', '[0-9a-f]{16}')}$`));
    const letter = await readJson(join(r.inboxDir, 'dead_letter', name as string));
    expect(letter).toMatchObject({ schemaVersion: 1, reason: code, file: 'incoming.json', input_bytes: bytes.length, input_sha256: sha256(bytes) });
    expect(letter.message).toMatch(message);
    if (bytes.length > 0 && code !== 'NOT_JSON') expect(letter.original).toEqual(JSON.parse(bytes.toString()));
    if (code === 'NOT_JSON') expect(letter.original_text).toBe(bytes.toString());
    expect(await listDir(join(r.inboxDir, 'commands'))).toEqual([]);
    expect(r.harness.service.list()).toEqual([]);
    const rejected = (await r.harness.records()).filter((record) => record.event === 'INBOX_REJECTED');
    expect(rejected).toMatchObject([{ reason: expect.stringMatching(new RegExp(`^${code}: `)) as string, details: { code, file: 'incoming.json', deadLetter: `dead_letter/${name}` } }]);
  });

  it('dead-letters an oversized file without reading it whole, keeping its head, length and hash', async () => {
    const r = await setup();
    const bytes = await dropCommand(r.inboxDir, 'huge.json', `{"id": "huge", "pad": "${'x'.repeat(600 * 1024)}"}`);
    await r.settle();
    const letter = await readJson(join(r.inboxDir, 'dead_letter', `_unnamed-${sha256(bytes).slice(0, 16)}.json`));
    expect(letter).toMatchObject({ reason: 'TOO_LARGE', message: `the file has ${bytes.length} bytes; the limit is 524288`, input_bytes: bytes.length, input_sha256: sha256(bytes) });
    expect(Buffer.from(letter.original_head_base64 as string, 'base64')).toEqual(bytes.subarray(0, 4096));
    expect(await listDir(join(r.inboxDir, 'commands'))).toEqual([]);
  });

  it('says NO_SECRET clearly when no secret is configured', async () => {
    const r = await setup({ env: {} });
    await dropCommand(r.inboxDir, 'a.json', signed(unsignedCommand('job-ns')));
    await r.settle();
    expect(await readJson(join(r.inboxDir, 'dead_letter', 'job-ns.json'))).toMatchObject({
      reason: 'NO_SECRET',
      message: 'no inbox secret is configured: set LEASH_INBOX_HMAC_SECRET (or LEASH_INBOX_HMAC_SECRETS to accept several while rotating), or store one in the OS keychain under the service "leash-inbox"',
    });
  });

  it('refuses a replayed id, while in flight and after it was archived', async () => {
    const r = await setup();
    const short = { expires_at: new Date(START_MS + 60_000).toISOString() };
    await dropCommand(r.inboxDir, 'first.json', signed(unsignedCommand('job-x', short)));
    await r.settle();
    await dropCommand(r.inboxDir, 'again.json', signed(unsignedCommand('job-x')));
    await r.settle();
    expect(await readJson(join(r.inboxDir, 'dead_letter', 'job-x.json'))).toMatchObject({ reason: 'REPLAYED_ID', file: 'again.json' });

    await approveAndRun(r.harness, batchFor(r.harness, 'job-x')?.id as string);
    await r.inbox.idle();
    // Long after the first copy expired (the ledger has forgotten it), the archive still refuses the id.
    r.clock.ms += 3_600_000;
    const later = { issued_at: new Date(r.clock.ms).toISOString(), expires_at: new Date(r.clock.ms + 60_000).toISOString() };
    await dropCommand(r.inboxDir, 'later.json', signed(unsignedCommand('job-x', later)));
    await r.settle();
    expect(await readJson(join(r.inboxDir, 'dead_letter', 'job-x~2.json'))).toMatchObject({ reason: 'REPLAYED_ID', file: 'later.json' });
    expect(r.harness.service.list()).toHaveLength(1);
  });

  it('refuses a replayed nonce under a different id', async () => {
    const r = await setup();
    await dropCommand(r.inboxDir, 'one.json', signed(unsignedCommand('job-1', { nonce: 'shared-nonce-123' })));
    await r.settle();
    await dropCommand(r.inboxDir, 'two.json', signed(unsignedCommand('job-2', { nonce: 'shared-nonce-123' })));
    await r.settle();
    expect(await readJson(join(r.inboxDir, 'dead_letter', 'job-2.json'))).toMatchObject({ reason: 'REPLAYED_NONCE' });
    expect(r.harness.service.list().map((b) => b.source)).toEqual(['inbox:job-1']);
  });

  it('does not let a forgery burn the id of the real command', async () => {
    const r = await setup();
    await dropCommand(r.inboxDir, 'forged.json', signed(unsignedCommand('job-real'), 'a-forger-does-not-know-it-123'));
    await r.settle();
    await dropCommand(r.inboxDir, 'real.json', signed(unsignedCommand('job-real')));
    await r.settle();
    expect(await listDir(join(r.inboxDir, 'dead_letter'))).toEqual(['job-real.json']);
    expect(batchFor(r.harness, 'job-real')?.status).toBe('pending');
  });
});

describe('files the inbox leaves alone', () => {
  it('ignores hidden files, other extensions, directories and links in commands/', async () => {
    const r = await setup();
    const names = ['.job.json', '.job.json.tmp', 'notes.txt', 'job.json.part'];
    for (const name of names) await writeFile(join(r.inboxDir, 'commands', name), JSON.stringify(signed(unsignedCommand('job-h'))));
    await r.settle();
    expect(await listDir(join(r.inboxDir, 'commands'))).toEqual(names.sort());
    expect(await listDir(join(r.inboxDir, 'dead_letter'))).toEqual([]);
    expect(r.harness.service.list()).toEqual([]);
  });

  it('does not read a file written in two parts with a pause until it has settled', async () => {
    const r = await setup({ inbox: { watch: true, pollMs: 40, stableForMs: 700 } });
    const text = JSON.stringify(signed(unsignedCommand('job-slow')), null, 2);
    const path = join(r.inboxDir, 'commands', 'slow.json');
    await writeFile(path, text.slice(0, 40));
    await new Promise((resolve) => setTimeout(resolve, 350));
    await appendFile(path, text.slice(40));
    for (let i = 0; i < 100 && !batchFor(r.harness, 'job-slow'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await r.inbox.idle();
    expect(batchFor(r.harness, 'job-slow')?.status).toBe('pending');
    expect(await listDir(join(r.inboxDir, 'dead_letter'))).toEqual([]);
    expect(r.problems).toEqual([]);
  });
});

describe('secrets', () => {
  it('never appear in any file under the inbox folder or in Leash data (audit, batches)', async () => {
    const env = { LEASH_INBOX_HMAC_SECRET: SECRET, LEASH_INBOX_HMAC_SECRETS: `${OLD_SECRET},short` };
    const r = await setup({ env, commandEnv: { PATH: process.env.PATH, ...env } });
    await dropCommand(r.inboxDir, 'ok.json', signed(unsignedCommand('job-env', { payload: { entries: [{ command: 'env; echo "$LEASH_INBOX_HMAC_SECRET"' }], cwd: PROJECT_DIR } })));
    await dropCommand(r.inboxDir, 'bad.json', signed(unsignedCommand('job-bad'), 'wrong-secret-0123456789'));
    await r.settle();
    await approveAndRun(r.harness, batchFor(r.harness, 'job-env')?.id as string);
    await r.inbox.idle();
    await r.harness.audit.flush();
    const results = await readJson(join(r.inboxDir, 'results', 'job-env.json'));
    expect(results.status).toBe('completed');
    expect(r.problems).toEqual(['env:LEASH_INBOX_HMAC_SECRETS[2] is shorter than 16 bytes and was ignored']);
    const files = [...(await allFiles(r.inboxDir)), ...(await allFiles(join(r.root, 'leash')))];
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      for (const secret of [SECRET, OLD_SECRET, Buffer.from(SECRET).toString('base64')]) expect(file.bytes.includes(secret), file.path).toBe(false);
    }
  });
});
