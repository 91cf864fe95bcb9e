import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { judgeCommandBytes } from '../../../src-main/core/inbox/acceptance.js';
import { computeHmac, InboxKey, signedBytes, verifySignature } from '../../../src-main/core/inbox/index.js';
import { hasPython, OLD_SECRET, OTHER_SECRET, SECRET, signed, START_MS, unsignedCommand } from './inboxFixtures.js';

const key = new InboxKey('env:LEASH_INBOX_HMAC_SECRET', SECRET);
const oldKey = new InboxKey('env:LEASH_INBOX_HMAC_SECRETS[2]', OLD_SECRET);

describe('verifySignature', () => {
  it('accepts its own signature and names the key that verified it', () => {
    expect(verifySignature(signed(unsignedCommand('a')), [key])).toEqual({ ok: true, verifiedWith: 'env:LEASH_INBOX_HMAC_SECRET' });
  });

  it('refuses a document with one byte of its payload changed', () => {
    const document = signed(unsignedCommand('a'));
    const text = JSON.stringify(document).replace('echo ran a', 'echo ran b');
    const result = verifySignature(JSON.parse(text), [key]);
    expect(result).toEqual({ ok: false, rejection: { code: 'BAD_SIGNATURE', message: 'the hmac does not match under any of the 1 configured inbox secret' } });
  });

  it('accepts a document signed with an old secret while it is still listed (rotation)', () => {
    const document = signed(unsignedCommand('a'), OLD_SECRET);
    expect(verifySignature(document, [key])).toMatchObject({ ok: false, rejection: { code: 'BAD_SIGNATURE' } });
    expect(verifySignature(document, [key, oldKey])).toEqual({ ok: true, verifiedWith: 'env:LEASH_INBOX_HMAC_SECRETS[2]' });
  });

  it('says NO_SECRET, naming where to configure one, when there are no keys', () => {
    const result = verifySignature(signed(unsignedCommand('a')), []);
    expect(result).toMatchObject({ ok: false, rejection: { code: 'NO_SECRET' } });
    expect(!result.ok && result.rejection.message).toMatch(/LEASH_INBOX_HMAC_SECRET .*LEASH_INBOX_HMAC_SECRETS.*keychain.*"leash-inbox"/);
  });

  it.each([
    ['a missing hmac', unsignedCommand('a'), /hmac: missing/],
    ['a hex hmac', { ...unsignedCommand('a'), hmac: 'ab'.repeat(32) }, /hmac: must be the base64/],
    ['a float anywhere', { ...signed(unsignedCommand('a')), extra: 1.5 }, /no canonical JSON form .*only safe integers are supported, got 1.5 at \$.extra/],
  ])('calls %s a schema error', (_name, document, message) => {
    const result = verifySignature(document, [key]);
    expect(result).toMatchObject({ ok: false, rejection: { code: 'SCHEMA_INVALID' } });
    expect(!result.ok && result.rejection.message).toMatch(message);
  });

  it('treats a "__proto__" key as an ordinary key, as JSON and Python do', () => {
    expect(signedBytes(JSON.parse('{"__proto__": {"x": 1}, "a": 2}') as Record<string, unknown>).toString()).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('signs the canonical JSON without the hmac field, whatever the key order', () => {
    const document = { b: 1, a: 'é', hmac: 'ignored' };
    expect(signedBytes(document).toString()).toBe('{"a":"\\u00e9","b":1}');
    expect(computeHmac(document, key)).toBe(computeHmac({ a: 'é', b: 1 }, key));
  });
});

describe('InboxKey', () => {
  it('never shows its secret when printed, serialized or inspected', async () => {
    const { inspect } = await import('node:util');
    const shown = [String(key), JSON.stringify({ key }), inspect(key), inspect({ nested: [key] }), `${key}`].join('\n');
    expect(shown).not.toContain(SECRET);
    expect(shown).toContain('env:LEASH_INBOX_HMAC_SECRET');
  });
});

describe('judgeCommandBytes', () => {
  const context = { keys: [key], nowMs: START_MS, skewMs: 120_000, replayed: async () => null };
  const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

  it.each([
    ['an empty file', Buffer.alloc(0), 'EMPTY'],
    ['text that is not JSON', Buffer.from('hello'), 'NOT_JSON'],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'NOT_JSON'],
    ['a JSON array', bytes([1]), 'SCHEMA_INVALID'],
    ['a forged command', bytes(signed(unsignedCommand('a'), OTHER_SECRET)), 'BAD_SIGNATURE'],
    ['an expired command', bytes(signed(unsignedCommand('a', { issued_at: '2030-05-06T06:00:00Z', expires_at: '2030-05-06T07:00:00Z' }))), 'EXPIRED'],
    ['a command from the future', bytes(signed(unsignedCommand('a', { issued_at: '2030-05-06T08:00:00Z', expires_at: '2030-05-06T09:00:00Z' }))), 'NOT_YET_VALID'],
  ])('refuses %s with %s', async (_name, input, code) => {
    expect(await judgeCommandBytes(input, context)).toMatchObject({ ok: false, rejection: { code } });
  });

  it('refuses absurdly deep nesting as SCHEMA_INVALID instead of overflowing the stack', async () => {
    const deep = Buffer.from(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(await judgeCommandBytes(deep, context)).toEqual({ ok: false, rejection: { code: 'SCHEMA_INVALID', message: 'the document is nested deeper than 32 levels' } });
  });

  it('checks the signature before the contract, so a forgery never says more than BAD_SIGNATURE', async () => {
    const forged = signed(unsignedCommand('a', { action: 'rm-everything', expires_at: '2000-01-01T00:00:00Z' }), OTHER_SECRET);
    expect(await judgeCommandBytes(bytes(forged), context)).toMatchObject({ ok: false, rejection: { code: 'BAD_SIGNATURE' }, id: 'a' });
  });

  it('does not ask about replays until the signature and the window are good', async () => {
    const asked: string[] = [];
    const judge = (doc: unknown): ReturnType<typeof judgeCommandBytes> =>
      judgeCommandBytes(bytes(doc), { ...context, replayed: async (id) => (asked.push(id), 'REPLAYED_NONCE') });
    expect(await judge(signed(unsignedCommand('forged'), OTHER_SECRET))).toMatchObject({ rejection: { code: 'BAD_SIGNATURE' } });
    expect(await judge(signed(unsignedCommand('good')))).toMatchObject({ rejection: { code: 'REPLAYED_NONCE' } });
    expect(asked).toEqual(['good']);
  });
});

describe('interoperability with Python', async () => {
  const python = await hasPython();
  /** Skipped tests say why in their name. */
  const named = (name: string): string => (python ? name : `${name} [skipped: python3 is not installed here]`);

  /** Documents with non-ASCII text, astral characters and keys whose order differs between UTF-16 and code points. */
  const tricky = (): Record<string, unknown> =>
    unsignedCommand('py-1', {
      payload: { entries: [{ command: "printf '%s\\n' 'héllo wörld ✓ 😀 日本 \u202e' \"tab\there\"" }], cwd: '/tmp', reason: 'Grüße — “quotes” \\ back\\slash \u0000 nul' },
    });
  const pythonSign = `
import base64, hashlib, hmac, json, os, sys
doc = json.loads(sys.stdin.buffer.read().decode("utf-8"))
body = {k: v for k, v in doc.items() if k != "hmac"}
text = json.dumps(body, sort_keys=True, separators=(",", ":"))
doc["hmac"] = base64.b64encode(hmac.new(os.environ["SECRET"].encode(), text.encode(), hashlib.sha256).digest()).decode()
sys.stdout.buffer.write(json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
`;
  const pythonVerify = `
import base64, hashlib, hmac, json, os, sys
doc = json.loads(sys.stdin.buffer.read().decode("utf-8"))
body = {k: v for k, v in doc.items() if k != "hmac"}
text = json.dumps(body, sort_keys=True, separators=(",", ":"))
want = base64.b64encode(hmac.new(os.environ["SECRET"].encode(), text.encode(), hashlib.sha256).digest()).decode()
sys.stdout.write("ok" if hmac.compare_digest(want, doc["hmac"]) else "bad")
`;
  const runPython = (script: string, input: string): string => {
    const result = spawnSync('python3', ['-c', script], { input, env: { ...process.env, SECRET }, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
    return result.stdout;
  };

  it.skipIf(!python)(named('verifies a command Python signed, including non-ASCII content'), async () => {
    const written = runPython(pythonSign, JSON.stringify(tricky()));
    expect(written).toContain('héllo wörld ✓ 😀'); // raw UTF-8 in the file, escaped only in the signed text
    const judged = await judgeCommandBytes(Buffer.from(written, 'utf8'), { keys: [key], nowMs: START_MS, skewMs: 120_000, replayed: async () => null });
    expect(judged).toMatchObject({ ok: true, verifiedWith: 'env:LEASH_INBOX_HMAC_SECRET' });
  });

  it.skipIf(!python)(named('produces the same signed bytes as Python for keys that sort differently in UTF-16'), () => {
    const document = { z: 1, é: 2, '\uffff': 3, '😀': 4, a: [true, false, null, -0, 'ü'] };
    const script = 'import json,sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read()), sort_keys=True, separators=(",", ":")))';
    expect(runPython(script, JSON.stringify(document))).toBe(signedBytes(document).toString('utf8'));
  });

  it.skipIf(!python)(named('signs commands that Python verifies'), () => {
    expect(runPython(pythonVerify, JSON.stringify(signed(tricky())))).toBe('ok');
    const tampered = signed(tricky());
    (tampered.payload as { reason: string }).reason += '!';
    expect(runPython(pythonVerify, JSON.stringify(tampered))).toBe('bad');
  });
});
