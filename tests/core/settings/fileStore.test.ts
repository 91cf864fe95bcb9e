import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
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
    ['an invalid value', JSON.stringify({ autonomy: { enabled: true, tokenHash: 'x', fingerprint: 'y' }, maxBatchSize: 99 })],
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
