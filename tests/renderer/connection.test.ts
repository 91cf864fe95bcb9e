// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../src-renderer/src/App.vue';
import { TICK_MS, setClockFrozen, useNow } from '../../src-renderer/src/composables/useNow';
import { STOP_UNREACHABLE } from '../../src-renderer/src/stores/connection';
import { serveBatches, startupBackend } from './backend';
import { batch, entry } from './fixtures';
import { fakeIpc } from './fakeIpc';
import { effectScope } from 'vue';

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
    expect(state().text()).toBe('Disconnected');
    expect(wrapper.get('[data-testid="connection-banner"]').text()).toContain('reconnecting');

    // A batch created while the socket was down: its events were lost, the reload finds it.
    serveBatches([batch('missed', [['ls', 'allow']])]);
    fakeIpc.setConnected(true);
    await flushPromises();
    expect(state().text()).toBe('Connected');
    expect(wrapper.find('[data-testid="connection-banner"]').exists()).toBe(false);
    // The list's first page, read at start and again on reconnecting (the pending count is read beside it).
    expect(fakeIpc.requests('batch:list').filter((query) => query.status === undefined)).toHaveLength(2);
    expect(wrapper.findAll('[data-testid="batch-row"]').map((r) => r.attributes('data-batch-id'))).toEqual(['missed']);
    wrapper.unmount();
  });

  it('marks the page stale and says how to stop what runs while disconnected', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    fakeIpc.setConnected(false);
    await flushPromises();
    const banner = wrapper.get('[data-testid="connection-banner"]');
    expect(banner.attributes('role')).toBe('alert');
    expect(banner.text()).toContain('this page is out of date');
    expect(banner.text()).toContain('Ctrl+C');
    expect(wrapper.get('[data-testid="main"]').attributes('data-stale')).toBe('true');
    expect(wrapper.get('[data-testid="emergency-stop"]').attributes('data-reachable')).toBe('false');
    wrapper.unmount();
  });

  it('says the session ended, and how to get a new URL, when serve refuses the token', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    fakeIpc.setConnection('expired');
    await flushPromises();
    expect(wrapper.get('[data-testid="connection-state"]').text()).toBe('Session ended');
    const banner = wrapper.get('[data-testid="connection-banner"]');
    expect(banner.attributes('data-state')).toBe('expired');
    expect(banner.text()).toContain('Open the new URL that leash serve printed in its terminal');
    wrapper.unmount();
  });

  it.each(['disconnected', 'expired'] as const)('answers Emergency stop at once, without sending it, when %s', async (state) => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    fakeIpc.handle('app:emergencyStop', () => ({ killed: null, cancelledBatches: [], autonomyWasOn: false }));
    fakeIpc.setConnection(state);
    await flushPromises();
    await wrapper.get('[data-testid="emergency-stop"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('app:emergencyStop')).toHaveLength(0);
    const toast = wrapper.get('[data-testid="toast"]');
    expect(toast.attributes('data-kind')).toBe('error');
    expect(toast.text()).toContain('Emergency stop did not reach Leash');
    expect(toast.text()).toContain(STOP_UNREACHABLE);
    if (state === 'expired') expect(toast.text()).toContain('open the new URL');
    wrapper.unmount();
  });

  it('answers a running batch\'s Stop at once, without sending it, when disconnected', async () => {
    const running = batch('b1', [['sleep 60', 'ask']], { status: 'running' });
    running.entries = [entry('b1', 1, 'sleep 60', 'ask', { status: 'running', approved: true, startedAt: '2025-03-04T10:00:01.000Z' })];
    startupBackend({ batches: [running] });
    fakeIpc.handle('batch:stop', () => running);
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    fakeIpc.setConnected(false);
    await flushPromises();
    await wrapper.get('[data-testid="stop"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('batch:stop')).toHaveLength(0);
    expect(wrapper.get('[data-testid="toast"]').text()).toContain(`Stop did not reach Leash`);
    wrapper.unmount();
  });
});

describe('the shared clock', () => {
  it('stops counting while frozen and catches up when thawed', () => {
    vi.useFakeTimers();
    try {
      const scope = effectScope();
      const { now } = scope.run(() => useNow())!;
      vi.advanceTimersByTime(TICK_MS * 2);
      const frozenAt = now.value;
      setClockFrozen(true);
      vi.advanceTimersByTime(TICK_MS * 10);
      expect(now.value).toBe(frozenAt);
      setClockFrozen(false);
      expect(now.value).toBeGreaterThan(frozenAt);
      scope.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
