// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import BatchPanel from '../../src-renderer/src/components/BatchPanel.vue';
import type { Batch, EntrySandbox } from '../../src-renderer/src/model/contract';
import { useBatchStore } from '../../src-renderer/src/stores/batches';
import { batch } from './fixtures';
import { fakeIpc } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

const readOnly: EntrySandbox = { profile: 'read-only', network: false, writable: [], workspace: null, reason: 'the policy allowed it as read-only', gitConfig: [], problem: null };
const workspace: EntrySandbox = { profile: 'workspace', network: false, writable: ['/w'], workspace: '/w', reason: 'approved by a person', gitConfig: [], problem: null };

function pending(): Batch {
  const value = batch('b1', [['ls', 'allow'], ['make', 'ask'], ['rm -rf /', 'deny']]);
  value.entries[0]!.sandbox = readOnly;
  value.entries[1]!.sandbox = workspace;
  value.entries[2]!.sandbox = readOnly;
  return value;
}

function mountPanel(value: Batch) {
  const store = useBatchStore();
  store.upsert(value);
  store.select(value.id);
  return mount(BatchPanel, { props: { batch: value }, attachTo: document.body });
}

const badges = (wrapper: ReturnType<typeof mountPanel>): string[] => wrapper.findAll('[data-testid="sandbox-badge"]').map((b) => b.text());

describe('the sandbox in the approval controls', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
  });

  it('shows each entry’s profile as a badge, none for a blocked entry', () => {
    const wrapper = mountPanel(pending());
    expect(badges(wrapper)).toEqual(['Sandbox: read-only', 'Sandbox: workspace · no network']);
    expect(wrapper.findAll('[data-testid="sandbox-badge"]').map((b) => b.attributes('data-profile'))).toEqual(['read-only', 'workspace']);
  });

  it('follows the network toggle and full access on the REVIEW entries only, and sends the choice with the approval', async () => {
    fakeIpc.handle('batch:approve', ({ id }) => ({ ...pending(), id, status: 'approved' }));
    const wrapper = mountPanel(pending());
    await wrapper.get('[data-testid="sandbox-network"]').setValue(true);
    expect(badges(wrapper)).toEqual(['Sandbox: read-only', 'Sandbox: workspace · network on']);
    await wrapper.get('[data-testid="sandbox-profile"]').setValue('full');
    expect(badges(wrapper)).toEqual(['Sandbox: read-only', 'Sandbox: full access · network on']);
    expect(wrapper.get('[data-testid="sandbox-controls"]').classes()).toContain('danger');
    await wrapper.get('[data-testid="approve-all"]').trigger('click');
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-1', 'b1-2'], sandbox: 'full', network: true }]);
  });

  it('says so before approval where no sandbox works', () => {
    const value = pending();
    for (const entry of value.entries) entry.sandbox = { ...readOnly, profile: 'unsandboxed', network: true, reason: 'no sandbox works on this machine' };
    const wrapper = mountPanel(value);
    expect(wrapper.get('[data-testid="sandbox-unavailable"]').text()).toMatch(/Unsandboxed/);
    expect(badges(wrapper)).toEqual(['Sandbox: unsandboxed', 'Sandbox: unsandboxed']);
  });

  it('shows why the sandbox stopped a command, in words', () => {
    const value = pending();
    Object.assign(value.entries[1]!, { status: 'error', exitCode: 1, sandboxHint: 'the sandbox kept this command from writing outside /w' });
    const wrapper = mountPanel({ ...value, status: 'error' });
    expect(wrapper.get('[data-testid="entry-sandbox-hint"]').text()).toBe('the sandbox kept this command from writing outside /w');
  });
});
