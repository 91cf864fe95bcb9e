import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings } from '../../../src-main/core/settings/schema.js';
import { openFileSettingsStore } from '../../../src-main/core/settings/fileStore.js';

describe('the retention settings', () => {
  it('are off by default: nothing is archived, the audit is one file', () => {
    expect(DEFAULT_SETTINGS.archiveBatchesAfterDays).toBeNull();
    expect(DEFAULT_SETTINGS.auditRotateAfterMB).toBeNull();
  });

  it.each([
    ['archiveBatchesAfterDays', 30, true],
    ['archiveBatchesAfterDays', 1, true],
    ['archiveBatchesAfterDays', 0, false],
    ['archiveBatchesAfterDays', -3, false],
    ['archiveBatchesAfterDays', 1.5, false],
    ['archiveBatchesAfterDays', '30', false],
    ['archiveBatchesAfterDays', 36_501, false],
    ['auditRotateAfterMB', 64, true],
    ['auditRotateAfterMB', null, true],
    ['auditRotateAfterMB', 0, false],
    ['auditRotateAfterMB', 2_000_000, false],
    ['auditRotateAfterMB', Number.NaN, false],
  ])('%s = %j is %s', (name, value, valid) => {
    const parsed = parseSettings({ [name]: value });
    expect(parsed.ok).toBe(valid);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ code: 'SETTINGS_INVALID', message: expect.stringContaining(name) });
  });

  it('are stored, and a bad value changes nothing already stored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-settings-'));
    const store = openFileSettingsStore(dir);
    store.update({ archiveBatchesAfterDays: 90, auditRotateAfterMB: 64 });
    expect(() => store.update({ archiveBatchesAfterDays: 0 })).toThrow();
    expect(openFileSettingsStore(dir).get()).toMatchObject({ archiveBatchesAfterDays: 90, auditRotateAfterMB: 64 });
    expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))).toMatchObject({ archiveBatchesAfterDays: 90 });
  });
});
