import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/index.js';
import { verifySignature, InboxKey } from '../../src-main/core/inbox/index.js';
import { OLD_SECRET, removeDir, SECRET, signed, tempDir, unsignedCommand } from '../core/inbox/inboxFixtures.js';
import { memoryIO } from './memoryIO.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('leash-cli-inbox-');
});
afterEach(() => removeDir(dir));

async function leash(argv: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIO(options.stdin ?? '', { LEASH_HOME: join(dir, 'home'), ...(options.env ?? { LEASH_INBOX_HMAC_SECRET: SECRET }) }, dir);
  const code = await main(argv, io);
  return { code, stdout: io.output(), stderr: io.errors() };
}

const minimal = { payload: { entries: [{ command: 'echo hi' }] }, constraints: { maxRuntimeMs: 60_000 } };

describe('leash inbox sign', () => {
  it('fills in the metadata, signs with the environment secret and prints the command', async () => {
    await writeFile(join(dir, 'cmd.json'), JSON.stringify(minimal));
    const result = await leash(['inbox', 'sign', 'cmd.json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const document = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(document).toMatchObject({ schemaVersion: 1, action: 'runBatch', ...minimal });
    expect(document.id).toMatch(/^cmd-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(document.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(document.expires_at as string) - Date.parse(document.issued_at as string)).toBe(600_000);
    expect(verifySignature(document, [new InboxKey('k', SECRET)])).toEqual({ ok: true, verifiedWith: 'k' });
  });

  it('keeps the fields it is given, replaces an old hmac, and writes --out atomically', async () => {
    const given: Record<string, unknown> = { ...unsignedCommand('job-7'), hmac: 'stale' };
    const result = await leash(['inbox', 'sign', '-', '--out', 'signed.json', '--ttl', '60'], { stdin: JSON.stringify(given) });
    expect(result).toEqual({ code: 0, stdout: '', stderr: `signed job-7 (expires ${given.expires_at as string}) with env:LEASH_INBOX_HMAC_SECRET -> signed.json\n` });
    const document = JSON.parse(await readFile(join(dir, 'signed.json'), 'utf8')) as Record<string, unknown>;
    expect(document).toMatchObject({ id: 'job-7', nonce: given.nonce, issued_at: given.issued_at });
    expect(verifySignature(document, [new InboxKey('k', SECRET)]).ok).toBe(true);
  });

  it.each([
    ['no secret', {}, minimal, 'NO_SECRET: no inbox secret is configured'],
    ['11 entries', { LEASH_INBOX_HMAC_SECRET: SECRET }, { ...minimal, payload: { entries: Array.from({ length: 11 }, () => ({ command: 'ls' })) } }, 'TOO_MANY_ENTRIES: a command holds at most 10 entries'],
    ['a float', { LEASH_INBOX_HMAC_SECRET: SECRET }, { ...minimal, constraints: { maxRuntimeMs: 1.5 } }, 'SCHEMA_INVALID: the command has no canonical JSON form'],
    ['a bad field', { LEASH_INBOX_HMAC_SECRET: SECRET }, { ...minimal, id: '../x' }, 'SCHEMA_INVALID: id: must be'],
  ])('refuses to sign with %s (exit 1, nothing printed)', async (_name, env, input, error) => {
    const result = await leash(['inbox', 'sign', '-'], { env, stdin: JSON.stringify(input) });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(`leash inbox sign: ${error}`)).toBe(true);
  });
});

describe('leash inbox check', () => {
  it('exits 0 for a valid command and names the secret that verified it', async () => {
    const document = signed(unsignedCommand('job-ok', { issued_at: new Date().toISOString(), expires_at: new Date(Date.now() + 60_000).toISOString() }), OLD_SECRET);
    await writeFile(join(dir, 'ok.json'), JSON.stringify(document));
    const result = await leash(['inbox', 'check', 'ok.json'], { env: { LEASH_INBOX_HMAC_SECRET: SECRET, LEASH_INBOX_HMAC_SECRETS: OLD_SECRET } });
    expect(result).toEqual({ code: 0, stdout: `valid: job-ok (runBatch, 1 entry), signed with env:LEASH_INBOX_HMAC_SECRETS[1], expires ${document.expires_at as string}\n`, stderr: '' });
  });

  it('round-trips with sign', async () => {
    await writeFile(join(dir, 'cmd.json'), JSON.stringify(minimal));
    expect((await leash(['inbox', 'sign', 'cmd.json', '--out', 'out.json'])).code).toBe(0);
    expect((await leash(['inbox', 'check', 'out.json'])).stdout).toMatch(/^valid: cmd-/);
  });

  it('exits 1 with the reason code for a tampered command, in words or JSON', async () => {
    const text = JSON.stringify(signed(unsignedCommand('job-t', { issued_at: new Date().toISOString(), expires_at: new Date(Date.now() + 60_000).toISOString() })));
    await writeFile(join(dir, 't.json'), text.replace('echo ran', 'echo RAN'));
    expect(await leash(['inbox', 'check', 't.json'])).toEqual({ code: 1, stdout: 'invalid: BAD_SIGNATURE: the hmac does not match under any of the 1 configured inbox secret\n', stderr: '' });
    const json = await leash(['inbox', 'check', 't.json', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, code: 'BAD_SIGNATURE', message: 'the hmac does not match under any of the 1 configured inbox secret' });
  });

  it('exits 1 with EXPIRED for an old command', async () => {
    const old = signed(unsignedCommand('job-old', { issued_at: '2020-01-01T00:00:00Z', expires_at: '2020-01-01T00:10:00Z' }));
    await writeFile(join(dir, 'old.json'), JSON.stringify(old));
    expect(await leash(['inbox', 'check', 'old.json'])).toMatchObject({ code: 1, stdout: 'invalid: EXPIRED: the command expired at 2020-01-01T00:10:00Z\n' });
  });

  it('never prints a secret, even with a short one configured', async () => {
    await writeFile(join(dir, 'cmd.json'), JSON.stringify(minimal));
    const env = { LEASH_INBOX_HMAC_SECRET: SECRET, LEASH_INBOX_HMAC_SECRETS: 'tiny-secret' };
    const outputs = [await leash(['inbox', 'sign', 'cmd.json'], { env }), await leash(['inbox', 'check', 'cmd.json'], { env })];
    expect(outputs[0]?.stderr).toBe('leash inbox: warning: env:LEASH_INBOX_HMAC_SECRETS[1] is shorter than 16 bytes and was ignored\n');
    for (const output of outputs) expect(`${output.stdout}${output.stderr}`).not.toMatch(new RegExp(`${SECRET}|tiny-secret`));
  });
});

describe('leash inbox usage', () => {
  it.each([
    [['inbox'], 2],
    [['inbox', 'help'], 0],
    [['inbox', 'verify', 'x.json'], 2],
    [['inbox', 'sign'], 2],
    [['inbox', 'check', 'a.json', 'b.json'], 2],
    [['inbox', 'check', 'a.json', '--out', 'x'], 2],
    [['inbox', 'sign', 'a.json', '--ttl', 'soon'], 2],
    [['inbox', 'check', 'missing.json'], 2],
  ])('%j exits %i', async (argv, code) => {
    await writeFile(join(dir, 'a.json'), JSON.stringify(minimal));
    expect((await leash(argv)).code).toBe(code);
  });

  it('is listed in the top-level help', async () => {
    expect((await leash(['help'])).stdout).toMatch(/inbox {6}sign or check a command file for the inbox folder/);
  });
});

describe('leash inbox with an applyPatch command', () => {
  const patch = (ops: unknown[]): Record<string, unknown> => ({
    action: 'applyPatch',
    target: 'MAIN',
    payload: { inline: { version: 'v1', ops } },
    allowedActions: ['writeFile', 'moveFile'],
    constraints: { maxRuntimeMs: 60_000, maxFilesChanged: 1 },
  });

  it('signs one, filling in the plan\'s patchType and validationPlan', async () => {
    const result = await leash(['inbox', 'sign', '-'], { stdin: JSON.stringify(patch([{ op: 'noop' }])) });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ action: 'applyPatch', patchType: 'hybrid', validationPlan: [], target: 'MAIN' });
  });

  it('checks one and, given the target, dry-runs it and prints the diff', async () => {
    await writeFile(join(dir, 'hello.txt'), 'hello\n');
    const signedText = (await leash(['inbox', 'sign', '-'], { stdin: JSON.stringify(patch([{ op: 'writeFile', path: 'hello.txt', content: 'hello, world\n' }])) })).stdout;
    await writeFile(join(dir, 'patch.json'), signedText);
    const plain = await leash(['inbox', 'check', 'patch.json']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^valid: cmd-\S+ \(applyPatch to MAIN, 1 operation\), signed with env:LEASH_INBOX_HMAC_SECRET, expires \S+\n\(the files were not checked: give --target MAIN=DIR to dry-run the patch\)\n$/);
    const dry = await leash(['inbox', 'check', 'patch.json', '--target', `MAIN=${dir}`]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('1 file changed');
    expect(dry.stdout).toContain('--- a/hello.txt\n+++ b/hello.txt\n@@ -1 +1 @@\n-hello\n+hello, world\n');
  });

  it('exits 1 with PATH_ESCAPE for a patch that writes outside its target', async () => {
    const signedText = (await leash(['inbox', 'sign', '-'], { stdin: JSON.stringify(patch([{ op: 'writeFile', path: '../x', content: 'x' }])) })).stdout;
    await writeFile(join(dir, 'escape.json'), signedText);
    const result = await leash(['inbox', 'check', 'escape.json', '--json', '--target', `MAIN=${dir}`]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, code: 'PATH_ESCAPE' });
  });

  it('exits 1 with CONSTRAINT_VIOLATED for more files than maxFilesChanged', async () => {
    const ops = [{ op: 'writeFile', path: 'a', content: 'a' }, { op: 'writeFile', path: 'b', content: 'b' }];
    const signedText = (await leash(['inbox', 'sign', '-'], { stdin: JSON.stringify(patch(ops)) })).stdout;
    await writeFile(join(dir, 'many.json'), signedText);
    expect((await leash(['inbox', 'check', 'many.json', '--target', `MAIN=${dir}`])).stdout).toMatch(/^invalid: CONSTRAINT_VIOLATED: /);
  });
});

