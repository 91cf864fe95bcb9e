import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-main/core/settings/schema.js';
import { openFileSettingsStore } from '../../../src-main/core/settings/fileStore.js';

const fixedNow = () => new Date('2026-01-02T03:04:05.678Z');

async function dir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'leash-settings-'));
}

describe('the settings file', () => {
  it('starts from the defaults, autonomy off', async () => {
    const store = openFileSettingsStore(await dir());
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.get().autonomy.enabled).toBe(false);
    expect(store.problems).toEqual([]);
  });

  it('persists updates as plain JSON that a second reader sees', async () => {
    const d = await dir();
    openFileSettingsStore(d).update({ maxBatchSize: 4, allowPatterns: ['make test'] });
    expect(JSON.parse(await readFile(join(d, 'config.json'), 'utf8'))).toMatchObject({ maxBatchSize: 4, allowPatterns: ['make test'] });
    expect(openFileSettingsStore(d).get()).toMatchObject({ maxBatchSize: 4, allowPatterns: ['make test'] });
  });

  it('refuses an invalid update and changes nothing', async () => {
    const d = await dir();
    const store = openFileSettingsStore(d);
    expect(() => store.update({ maxBatchSize: 11 })).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }));
    expect(() => store.update({ allowPatterns: ['(unclosed'] })).toThrow(/allowPatterns\.0: PATTERN_INVALID/);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
  });

  it.each([
    ['not JSON at all', '{"autonomy": {"enabled": tr'],
    ['not an object', '[1, 2]'],
  ])('keeps a copy of a file that is %s, and falls back to the defaults with autonomy off', async (_what, content) => {
    const d = await dir();
    await writeFile(join(d, 'config.json'), content);
    const store = openFileSettingsStore(d, fixedNow);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.problems[0]).toMatch(/autonomy off/);
    expect(await readFile(join(d, 'config.json.invalid-2026-01-02T03-04-05-678Z'), 'utf8')).toBe(content);
    expect((await readdir(d)).sort()).toEqual(['config.json', 'config.json.invalid-2026-01-02T03-04-05-678Z']);
  });
});

const TOKEN_HASH = 'a'.repeat(64);

describe('a settings file with one invalid field', () => {
  it('keeps every valid field, names the invalid one, and turns autonomy off', async () => {
    const d = await dir();
    const content = JSON.stringify({
      autonomy: { enabled: true, tokenHash: TOKEN_HASH, fingerprint: 'abcdef12' },
      maxBatchSize: 99,
      allowPatterns: ['make test', 'npm run lint'],
      defaultTimeoutMs: 5000,
      stopOnFailure: false,
    });
    await writeFile(join(d, 'config.json'), content);
    const store = openFileSettingsStore(d, fixedNow);
    expect(store.get()).toEqual({
      ...DEFAULT_SETTINGS,
      allowPatterns: ['make test', 'npm run lint'],
      defaultTimeoutMs: 5000,
      stopOnFailure: false,
      maxBatchSize: DEFAULT_SETTINGS.maxBatchSize,
      autonomy: { enabled: false, tokenHash: null, fingerprint: null },
    });
    expect(store.problems).toEqual([
      expect.stringMatching(/config\.json: maxBatchSize: .*10.*; the default \(10\) applies$/),
      expect.stringMatching(/autonomy was on and is now off because the settings file had problems/),
      expect.stringMatching(/as it was is kept as .*config\.json\.invalid-2026-01-02T03-04-05-678Z$/),
    ]);
    expect(await readFile(join(d, 'config.json.invalid-2026-01-02T03-04-05-678Z'), 'utf8')).toBe(content);
    // Repaired on disk: the next start finds a valid file with the person's fields in it.
    const again = openFileSettingsStore(d);
    expect(again.problems).toEqual([]);
    expect(again.get()).toMatchObject({ allowPatterns: ['make test', 'npm run lint'], stopOnFailure: false, autonomy: { enabled: false } });
  });

  it('keeps the valid allow patterns and names the invalid one, never dropping them all', async () => {
    const d = await dir();
    await writeFile(join(d, 'config.json'), JSON.stringify({ allowPatterns: ['make test', '(unclosed', 'git log'] }));
    const store = openFileSettingsStore(d, fixedNow);
    expect(store.get().allowPatterns).toEqual(['make test', 'git log']);
    expect(store.problems[0]).toMatch(/allowPatterns: the pattern "\(unclosed" was left out \(PATTERN_INVALID: .*\); the other patterns still apply/);
  });

  it('names a field it does not know and keeps the rest', async () => {
    const d = await dir();
    await writeFile(join(d, 'config.json'), JSON.stringify({ stopOnFailure: false, colour: 'blue' }));
    const store = openFileSettingsStore(d, fixedNow);
    expect(store.get().stopOnFailure).toBe(false);
    expect(store.problems[0]).toMatch(/colour is not a setting Leash knows; it was ignored/);
  });

  it('turns autonomy off when its own fields are invalid, and says so', async () => {
    const d = await dir();
    await writeFile(join(d, 'config.json'), JSON.stringify({ autonomy: { enabled: true, tokenHash: 'x', fingerprint: 'y' }, stopOnFailure: false }));
    const store = openFileSettingsStore(d, fixedNow);
    expect(store.get()).toMatchObject({ autonomy: { enabled: false, tokenHash: null }, stopOnFailure: false });
    expect(store.problems[0]).toMatch(/autonomy: .*tokenHash.*; autonomy is off/);
  });

  it('keeps an inbox folder that is valid and turns the inbox off when the folder is not', async () => {
    const d = await dir();
    await writeFile(join(d, 'config.json'), JSON.stringify({ inbox: { enabled: true, dir: 'relative/path', publish: true } }));
    const store = openFileSettingsStore(d, fixedNow);
    expect(store.get().inbox).toEqual({ enabled: true, dir: null, publish: true, targets: {}, allowDeletions: false });
    expect(store.problems[0]).toMatch(/inbox\.dir: .*absolute path; the default applies/);
  });
});

describe('a settings file that cannot be read', () => {
  it('does not block the start when config.json is a directory: clear problem, defaults in memory, nothing overwritten', async () => {
    const d = await dir();
    await mkdir(join(d, 'config.json'));
    await writeFile(join(d, 'config.json', 'keep'), 'mine');
    const store = openFileSettingsStore(d, fixedNow);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.problems).toEqual([expect.stringMatching(/config\.json cannot be read \(it is a directory, not a file\); the defaults apply for now, autonomy off/)]);
    expect(() => store.update({ maxBatchSize: 3 })).toThrow(expect.objectContaining({ code: 'SETTINGS_UNWRITABLE' }));
    expect((await stat(join(d, 'config.json'))).isDirectory()).toBe(true);
    expect(await readFile(join(d, 'config.json', 'keep'), 'utf8')).toBe('mine');
    expect((await readdir(d)).sort()).toEqual(['config.json']);
  });

  it.skipIf(process.getuid?.() === 0)('does not block the start when config.json cannot be read (no permission)', async () => {
    const d = await dir();
    await writeFile(join(d, 'config.json'), JSON.stringify({ maxBatchSize: 3 }));
    await chmod(join(d, 'config.json'), 0o000);
    const store = openFileSettingsStore(d, fixedNow);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.problems[0]).toMatch(/cannot be read \(permission denied\)/);
    await chmod(join(d, 'config.json'), 0o600);
    expect(JSON.parse(await readFile(join(d, 'config.json'), 'utf8'))).toEqual({ maxBatchSize: 3 });
  });
});
