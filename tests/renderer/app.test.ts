// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { summarize } from '../../src-main/core/batch/summary';
import { createDeltaTracker } from '../../src-main/ipc/batchDeltas';
import App from '../../src-renderer/src/App.vue';
import { useOutputStore } from '../../src-renderer/src/stores/output';
import { startupBackend, viewSettled } from './backend';
import { batch, entry } from './fixtures';
import { fakeIpc } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

async function mountApp() {
  const wrapper = mount(App, { attachTo: document.body });
  await flushPromises();
  return wrapper;
}

describe('the app shell', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
  });
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('loads info, batches, autonomy and settings at start and shows the first batch', async () => {
    startupBackend({ batches: [batch('b1', [['ls', 'allow']])], autonomy: { enabled: true, fingerprint: 'c0ffee12' } });
    const wrapper = await mountApp();
    expect([fakeIpc.requests('app:info').length, fakeIpc.requests('autonomy:status').length, fakeIpc.requests('settings:get').length]).toEqual([1, 1, 1]);
    // The first page of summaries, the pending ones for the header, the running one (for its live output), and the selected batch in full.
    expect(fakeIpc.requests('batch:list')).toEqual([{ limit: 100 }, { status: ['pending'], limit: 200 }, { status: ['running'], limit: 10 }]);
    expect(fakeIpc.requests('batch:get')).toEqual([{ id: 'b1' }]);
    expect(wrapper.findAll('[data-testid="batch-row"]')).toHaveLength(1);
    expect(wrapper.get('[data-testid="batch-panel"]').attributes('data-batch-id')).toBe('b1');
    expect(wrapper.get('[data-testid="autonomy-indicator"]').text()).toBe('Autonomy ON c0ffee12');
    expect(wrapper.get('[data-testid="emergency-stop"]').text()).toContain('Emergency stop');
    wrapper.unmount();
  });

  it('shows start-up problems in a banner that can be dismissed', async () => {
    startupBackend({ info: { problems: ['settings.json was invalid and was set aside', 'batch file x.json is unreadable'] } });
    const wrapper = await mountApp();
    const banner = wrapper.get('[data-testid="problems-banner"]');
    expect(banner.text()).toContain('Leash found 2 problems at start');
    expect(banner.text()).toContain('settings.json was invalid and was set aside');
    await wrapper.get('[data-testid="problems-dismiss"]').trigger('click');
    expect(wrapper.find('[data-testid="problems-banner"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('says so when main cannot be reached', async () => {
    startupBackend();
    fakeIpc.fail('app:info', 'DISCONNECTED', 'not connected to Leash');
    fakeIpc.fail('batch:list', 'DISCONNECTED', 'not connected to Leash');
    const wrapper = await mountApp();
    expect(wrapper.get('[data-testid="startup-error"]').text()).toContain('DISCONNECTED: not connected to Leash');
    expect(wrapper.get('[data-testid="batch-list-error"]').text()).toContain('DISCONNECTED');
    wrapper.unmount();
  });

  it('keeps up with batch:summary, batch:delta, entry:output and autonomy:changed events', async () => {
    startupBackend({ batches: [batch('b1', [['ls', 'allow']])] });
    const wrapper = await mountApp();
    const running = batch('b1', [], {
      status: 'running',
      updatedAt: '2025-03-04T10:00:05.000Z',
      startedAt: '2025-03-04T10:00:04.000Z',
      entries: [entry('b1', 1, 'ls', 'allow', { status: 'running', approved: true, startedAt: '2025-03-04T10:00:04.000Z' })],
    });
    const deltas = createDeltaTracker();
    fakeIpc.emit('batch:summary', summarize(running));
    fakeIpc.emit('batch:delta', deltas.next(running));
    fakeIpc.emit('batch:summary', summarize(batch('b2', [['pwd', 'allow']], { source: 'agent:claude', createdAt: '2025-03-04T11:00:00.000Z' })));
    fakeIpc.emit('entry:output', { batchId: 'b1', entryId: 'b1-1', stream: 'stdout', text: 'README.md\nsrc\n' });
    useOutputStore().flush();
    fakeIpc.emit('autonomy:changed', { enabled: true, fingerprint: 'feedbeef' });
    await flushPromises();
    expect(wrapper.findAll('[data-testid="batch-row"]').map((r) => r.attributes('data-batch-id'))).toEqual(['b2', 'b1']);
    expect(wrapper.get('[data-testid="batch-panel"]').attributes('data-status')).toBe('running');
    expect(wrapper.get('[data-testid="batch-progress-text"]').text()).toBe('0 / 1 done');
    expect(wrapper.findAll('[data-testid="output-line"]').map((l) => l.text())).toEqual(['README.md', 'src']);
    expect(wrapper.get('[data-testid="autonomy-indicator"]').attributes('data-state')).toBe('on');
    wrapper.unmount();
  });

  it('switches screens from the navigation', async () => {
    startupBackend();
    const wrapper = await mountApp();
    await wrapper.get('[data-testid="nav-settings"]').trigger('click');
    await viewSettled();
    expect(wrapper.get('[data-testid="main"]').attributes('data-view')).toBe('settings');
    expect(wrapper.find('[data-testid="autonomy-toggle"]').exists()).toBe(true);
    await wrapper.get('[data-testid="nav-audit"]').trigger('click');
    await viewSettled();
    expect(wrapper.find('[data-testid="audit-verify"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="emergency-stop"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="autonomy-indicator"]').exists()).toBe(true);
    wrapper.unmount();
  });
});

describe('the emergency stop', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
    startupBackend({ batches: [batch('b1', [['sleep 600', 'ask']], { status: 'running' })], autonomy: { enabled: true, fingerprint: 'c0ffee12' } });
  });
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('stops everything with one press, shows what was killed and cancelled, and keeps it through a second press', async () => {
    fakeIpc.handle('app:emergencyStop', () => {
      fakeIpc.handle('autonomy:status', () => ({ enabled: false, fingerprint: null }));
      return { killed: { batchId: 'b1', entryId: 'b1-1', command: 'sleep 600' }, cancelledBatches: ['b2', 'b3'], autonomyWasOn: true };
    });
    const wrapper = await mountApp();
    await wrapper.get('[data-testid="emergency-stop"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('app:emergencyStop')).toHaveLength(1);
    const report = wrapper.get('[data-testid="emergency-report"]');
    expect(report.get('[data-testid="emergency-killed"]').text()).toContain('sleep 600');
    expect(report.get('[data-testid="emergency-killed"]').text()).toContain('entry 1');
    expect(report.get('[data-testid="emergency-cancelled"]').text()).toContain('2 queued batches');
    expect(report.get('[data-testid="emergency-autonomy"]').text()).toBe('Semi-autonomy was ON and is now OFF.');
    expect(wrapper.get('[data-testid="autonomy-indicator"]').attributes('data-state')).toBe('off');
    fakeIpc.handle('app:emergencyStop', () => ({ killed: null, cancelledBatches: [], autonomyWasOn: false }));
    await wrapper.get('[data-testid="emergency-stop"]').trigger('click');
    await flushPromises();
    expect(report.get('[data-testid="emergency-killed"]').text()).toContain('sleep 600');
    expect(report.get('[data-testid="emergency-autonomy"]').text()).toBe('Semi-autonomy was ON and is now OFF.');
    await wrapper.get('[data-testid="emergency-report-dismiss"]').trigger('click');
    expect(wrapper.find('[data-testid="emergency-report"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('answers Ctrl+Shift+. even while typing, and says when nothing was running', async () => {
    fakeIpc.handle('app:emergencyStop', () => ({ killed: null, cancelledBatches: [], autonomyWasOn: false }));
    fakeIpc.handle('batch:preview', () => ({ ok: false, error: { code: 'NOTHING_FOUND', message: 'nothing' } }));
    const wrapper = await mountApp();
    await wrapper.get('[data-testid="nav-new"]').trigger('click');
    await viewSettled();
    const textarea = wrapper.get('[data-testid="paste-input"]').element;
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: '>', code: 'Period', ctrlKey: true, shiftKey: true, bubbles: true }));
    await flushPromises();
    const report = wrapper.get('[data-testid="emergency-report"]');
    expect(report.get('[data-testid="emergency-killed"]').text()).toBe('Nothing was running.');
    expect(report.get('[data-testid="emergency-cancelled"]').text()).toBe('No queued batches.');
    expect(report.get('[data-testid="emergency-autonomy"]').text()).toBe('Semi-autonomy was already off.');
    wrapper.unmount();
  });

  it('shows a failed emergency stop as an error with its code', async () => {
    fakeIpc.fail('app:emergencyStop', 'DISCONNECTED', 'the connection to Leash was lost');
    const wrapper = await mountApp();
    await wrapper.get('[data-testid="emergency-stop"]').trigger('click');
    await flushPromises();
    const toast = wrapper.get('[data-testid="toast"]');
    expect(toast.attributes('data-kind')).toBe('error');
    expect(toast.text()).toContain('Emergency stop failed');
    expect(toast.get('[data-testid="toast-code"]').text()).toBe('DISCONNECTED');
    wrapper.unmount();
  });
});
