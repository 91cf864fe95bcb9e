import { describe, expect, it } from 'vitest';
import { checkValidityWindow, parseCommandDocument, parseUtcTime, type CommandDocument } from '../../../src-main/core/inbox/commandFile.js';
import { signed, START_MS, unsignedCommand } from './inboxFixtures.js';

/** A signed command with `overrides`; a field overridden with undefined is left out. */
const valid = (overrides: Record<string, unknown> = {}): Record<string, unknown> =>
  signed(Object.fromEntries(Object.entries(unsignedCommand('cmd-1', overrides, '/tmp')).filter(([, value]) => value !== undefined)));

describe('parseUtcTime', () => {
  it.each([
    ['2025-01-02T03:04:05Z', Date.UTC(2025, 0, 2, 3, 4, 5)],
    ['2025-01-02T03:04:05+00:00', Date.UTC(2025, 0, 2, 3, 4, 5)],
    ['2025-01-02T03:04:05.5Z', Date.UTC(2025, 0, 2, 3, 4, 5, 500)],
    ['2025-01-02T03:04:05.123456+00:00', Date.UTC(2025, 0, 2, 3, 4, 5, 123)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('reads %s', (text, ms) => {
    expect(parseUtcTime(text)).toBe(ms);
  });

  it.each([
    '2025-01-02T03:04:05', // no zone
    '2025-01-02T03:04:05+01:00', // not UTC
    '2025-01-02 03:04:05Z',
    '2025-02-30T00:00:00Z', // no such day
    '2025-01-02T24:00:00Z',
    '2025-01-02T03:04:60Z',
    '2025-01-02T03:04:05.1234567Z',
    '1735787045',
    '',
  ])('refuses %j', (text) => {
    expect(parseUtcTime(text)).toBeNull();
  });
});

describe('parseCommandDocument', () => {
  it('accepts a complete command and returns it typed', () => {
    const result = parseCommandDocument(valid());
    expect(result.ok).toBe(true);
    expect(result.ok && result.command.action === 'runBatch' && result.command.payload.entries).toEqual([{ command: 'echo ran cmd-1' }]);
  });

  const entries = (n: number): unknown => ({ entries: Array.from({ length: n }, (_, i) => ({ command: `echo ${i}` })) });

  it.each([
    ['another action', { action: 'deleteEverything' }, 'UNSUPPORTED_ACTION', /"deleteEverything" is not supported/],
    ['11 entries', { payload: entries(11) }, 'TOO_MANY_ENTRIES', /at most 10 entries; this one has 11/],
    ['an entry timeout beyond the runtime', { payload: { entries: [{ command: 'ls', timeoutMs: 90_000 }] } }, 'OVER_LIMIT', /timeoutMs \(90000 ms\) is beyond constraints.maxRuntimeMs \(60000 ms\)/],
    ['no entries', { payload: entries(0) }, 'SCHEMA_INVALID', /payload.entries: needs at least one entry/],
    ['schemaVersion 2', { schemaVersion: 2 }, 'SCHEMA_INVALID', /schemaVersion/],
    ['schemaVersion "1"', { schemaVersion: '1' }, 'SCHEMA_INVALID', /schemaVersion/],
    ['an id with a slash', { id: '../etc' }, 'SCHEMA_INVALID', /^id: must be/],
    ['an id starting with a dot', { id: '.hidden' }, 'SCHEMA_INVALID', /^id: /],
    ['a 129-character id', { id: 'a'.repeat(129) }, 'SCHEMA_INVALID', /^id: /],
    ['an epoch-number time', { issued_at: 1_900_000_000 }, 'SCHEMA_INVALID', /issued_at/],
    ['a local time', { expires_at: '2030-05-06T07:18:09+02:00' }, 'SCHEMA_INVALID', /expires_at: must be an ISO 8601 UTC time/],
    ['expiry before issue', { issued_at: '2030-05-06T07:08:09Z', expires_at: '2030-05-06T07:08:09Z' }, 'SCHEMA_INVALID', /expires_at must be later than issued_at/],
    ['an empty nonce', { nonce: '' }, 'SCHEMA_INVALID', /^nonce: /],
    ['a nonce with a newline', { nonce: 'a\nb' }, 'SCHEMA_INVALID', /^nonce: /],
    ['an unknown field', { priority: 'high' }, 'SCHEMA_INVALID', /Unrecognized key/],
    ['a patch field on a runBatch', { allowedActions: ['writeFile'] }, 'SCHEMA_INVALID', /Unrecognized key/],
    ['a relative cwd', { payload: { entries: [{ command: 'ls' }], cwd: 'relative' } }, 'SCHEMA_INVALID', /payload.cwd: must be an absolute path/],
    ['a NUL in a command', { payload: { entries: [{ command: 'ls\0' }] } }, 'SCHEMA_INVALID', /NUL/],
    ['no constraints', { constraints: undefined }, 'SCHEMA_INVALID', /^constraints: /],
    ['a zero runtime', { constraints: { maxRuntimeMs: 0 } }, 'SCHEMA_INVALID', /constraints.maxRuntimeMs/],
  ])('refuses %s with %s', (_name, overrides, code, message) => {
    const result = parseCommandDocument(valid(overrides));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejection.code).toBe(code);
    expect(!result.ok && result.rejection.message).toMatch(message);
  });

  it('refuses a document that is not an object', () => {
    expect(parseCommandDocument([1, 2])).toEqual({ ok: false, rejection: { code: 'SCHEMA_INVALID', message: 'a command must be a JSON object' } });
  });
});

describe('checkValidityWindow', () => {
  const command = valid() as unknown as CommandDocument; // issued START-1s, expires START+10min

  it.each([
    ['inside the window', null, START_MS],
    ['a sender clock slightly ahead', null, START_MS - 60_000],
    ['far before issue', 'NOT_YET_VALID', START_MS - 10 * 60_000],
    ['at expiry', 'EXPIRED', START_MS + 600_000],
    ['after expiry', 'EXPIRED', START_MS + 3_600_000],
  ])('%s → %s', (_name, code, now) => {
    expect(checkValidityWindow(command, now, 120_000)?.code ?? null).toBe(code);
  });
});
