// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import SettingsForm from '../../src-renderer/src/components/SettingsForm.vue';
import { useSettingsStore } from '../../src-renderer/src/stores/settings';
import { SETTINGS } from './backend';
import { fakeIpc, IpcFailure } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

/** Like main's checker: `(` is invalid, `.*` is too broad. */
function checkLikeMain(patterns: string[]) {
  const errors = patterns.flatMap((pattern, index) =>
    pattern.includes('(') && !pattern.includes(')') ? [{ index, pattern, code: 'PATTERN_INVALID' as const, message: 'Unterminated group' }] : [],
  );
  const warnings = patterns.flatMap((pattern, index) =>
    pattern === '.*' ? [{ index, pattern, code: 'PATTERN_TOO_BROAD' as const, message: 'allows `bash -c x`: far too broad' }] : [],
  );
  return { errors, warnings };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 260));
  await flushPromises();
}

describe('SettingsForm', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
    fakeIpc.handle('settings:checkPatterns', ({ patterns }) => checkLikeMain(patterns));
    fakeIpc.handle('settings:update', ({ patch }) => ({ ...SETTINGS, ...patch }));
    useSettingsStore().settings = structuredClone(SETTINGS);
  });

  it('shows each pattern error and warning next to its line number and blocks saving', async () => {
    const wrapper = mount(SettingsForm, { attachTo: document.body });
    await wrapper.get('[data-testid="allow-patterns"]').setValue('make( test)?\n\nnpm run (lint\n.*');
    await settle();
    expect(fakeIpc.requests('settings:checkPatterns').at(-1)).toEqual({ patterns: ['make( test)?', 'npm run (lint', '.*'] });
    const error = wrapper.get('[data-testid="pattern-error"]');
    expect(error.attributes('data-line')).toBe('3');
    expect(error.text()).toBe('Line 3: PATTERN_INVALID Unterminated group');
    const warning = wrapper.get('[data-testid="pattern-warning"]');
    expect(warning.attributes('data-line')).toBe('4');
    expect(warning.text()).toContain('PATTERN_TOO_BROAD');
    expect(wrapper.get('[data-testid="allow-patterns"]').attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('[data-testid="settings-save"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="settings-save-state"]').text()).toBe('Fix the pattern errors to save.');

    await wrapper.get('[data-testid="allow-patterns"]').setValue('make( test)?\n\nnpm run (lint)\n.*');
    await settle();
    expect(wrapper.find('[data-testid="pattern-error"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="settings-save"]').attributes('disabled')).toBeUndefined();
    await wrapper.get('[data-testid="settings-form"]').trigger('submit');
    await flushPromises();
    expect(fakeIpc.requests('settings:update')).toEqual([{ patch: { allowPatterns: ['make( test)?', 'npm run (lint)', '.*'] } }]);
    expect(wrapper.get('[data-testid="settings-save-state"]').text()).toBe('Saved ✓');
  });

  it('sends only the fields that changed, with the timeout in milliseconds', async () => {
    const wrapper = mount(SettingsForm, { attachTo: document.body });
    await wrapper.get('[data-testid="setting-max-batch-size"]').setValue('5');
    await wrapper.get('[data-testid="setting-timeout"]').setValue('2.5');
    await wrapper.get('[data-testid="setting-stop-on-failure"]').setValue(false);
    await wrapper.get('[data-testid="setting-secret-env"]').setValue('GITHUB_TOKEN\nNPM_TOKEN');
    await settle();
    await wrapper.get('[data-testid="settings-save"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('settings:update')).toEqual([
      { patch: { maxBatchSize: 5, defaultTimeoutMs: 2500, stopOnFailure: false, allowedSecretEnv: ['GITHUB_TOKEN', 'NPM_TOKEN'] } },
    ]);
  });

  it('refuses out-of-range values before sending anything', async () => {
    const wrapper = mount(SettingsForm, { attachTo: document.body });
    await wrapper.get('[data-testid="setting-max-batch-size"]').setValue('11');
    await wrapper.get('[data-testid="setting-secret-env"]').setValue('BAD-NAME');
    await settle();
    expect(wrapper.text()).toContain('A whole number from 1 to 10.');
    expect(wrapper.text()).toContain('Not a variable name: BAD-NAME');
    expect(wrapper.get('[data-testid="settings-save"]').attributes('disabled')).toBeDefined();
  });

  it('shows a refused save with its code', async () => {
    fakeIpc.handle('settings:update', () => {
      throw new IpcFailure('INVALID_PAYLOAD', 'settings:update: patch.maxBatchSize: too big');
    });
    const wrapper = mount(SettingsForm, { attachTo: document.body });
    await wrapper.get('[data-testid="setting-max-batch-size"]').setValue('4');
    await settle();
    await wrapper.get('[data-testid="settings-save"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="settings-save-state"]').text()).toBe('Not saved: INVALID_PAYLOAD settings:update: patch.maxBatchSize: too big');
  });
  it('switches retention on with a number of days and a size, validates them, and switches them off again', async () => {
    const wrapper = mount(SettingsForm, { attachTo: document.body });
    expect(wrapper.get('[data-testid="setting-archive-days"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="setting-archive-on"]').setValue(true);
    await wrapper.get('[data-testid="setting-archive-days"]').setValue('0');
    expect(wrapper.get('#archive-hint').text()).toBe('A whole number of days from 1 to 36,500.');
    expect(wrapper.get('[data-testid="settings-save"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="setting-archive-days"]').setValue('30');
    expect(wrapper.get('#archive-hint').text()).toContain('leash batches --archived');
    await wrapper.get('[data-testid="setting-rotate-on"]').setValue(true);
    await wrapper.get('[data-testid="setting-rotate-mb"]').setValue('16');
    await wrapper.get('[data-testid="settings-form"]').trigger('submit');
    await flushPromises();
    expect(fakeIpc.requests('settings:update').at(-1)).toEqual({ patch: { archiveBatchesAfterDays: 30, auditRotateAfterMB: 16 } });

    await wrapper.get('[data-testid="setting-archive-on"]').setValue(false);
    await wrapper.get('[data-testid="settings-form"]').trigger('submit');
    await flushPromises();
    expect(fakeIpc.requests('settings:update').at(-1)).toEqual({ patch: { archiveBatchesAfterDays: null } });
  });
});
