// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../src-renderer/src/App.vue';
import { startupBackend } from './backend';
import { batch } from './fixtures';
import { fakeIpc } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).browserIpcModule);

describe('browser mode', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
    startupBackend();
  });
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('shows the connection state and fetches everything again after a reconnect', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    const state = () => wrapper.get('[data-testid="connection-state"]');
    await flushPromises();
    expect(state().attributes('data-state')).toBe('connected');

    fakeIpc.setConnected(false);
    await flushPromises();
    expect(state().attributes('data-state')).toBe('disconnected');
    expect(state().text()).toBe('Reconnecting…');

    // A batch created while the socket was down: its events were lost, the reload finds it.
    fakeIpc.handle('batch:list', () => [batch('missed', [['ls', 'allow']])]);
    fakeIpc.setConnected(true);
    await flushPromises();
    expect(state().text()).toBe('Connected');
    expect(fakeIpc.requests('batch:list')).toHaveLength(2);
    expect(wrapper.findAll('[data-testid="batch-row"]').map((r) => r.attributes('data-batch-id'))).toEqual(['missed']);
    wrapper.unmount();
  });
});
