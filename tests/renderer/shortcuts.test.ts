// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../src-renderer/src/App.vue';
import { matchShortcut } from '../../src-renderer/src/model/shortcuts';
import { useUiStore } from '../../src-renderer/src/stores/ui';
import { startupBackend } from './backend';
import { batch } from './fixtures';
import { fakeIpc } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

function press(key: string, init: KeyboardEventInit = {}, target: EventTarget = window): void {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }));
}

function keyOn(tag: string, type?: string): KeyboardEvent {
  const element = document.createElement(tag);
  if (type) element.setAttribute('type', type);
  const event = new KeyboardEvent('keydown', { key: 'a' });
  Object.defineProperty(event, 'target', { value: element });
  return event;
}

describe('matchShortcut', () => {
  it.each([
    ['a', {}, 'approveAll'],
    ['A', { shiftKey: true }, 'approveSelected'],
    ['r', {}, 'run'],
    ['d', {}, 'dryRun'],
    ['x', {}, 'reject'],
    ['s', {}, 'stop'],
    ['c', {}, 'copySummary'],
    ['j', {}, 'nextBatch'],
    ['ArrowDown', {}, 'nextBatch'],
    ['k', {}, 'previousBatch'],
    ['ArrowUp', {}, 'previousBatch'],
    ['n', {}, 'newBatch'],
    ['?', { shiftKey: true }, 'help'],
    ['>', { ctrlKey: true, shiftKey: true, code: 'Period' }, 'emergencyStop'],
    ['.', { metaKey: true, shiftKey: true, code: 'Period' }, 'emergencyStop'],
    ['a', { ctrlKey: true }, null],
    ['r', { metaKey: true }, null],
    ['q', {}, null],
  ] as const)('reads %s %o as %s', (key, init, action) => {
    expect(matchShortcut(new KeyboardEvent('keydown', { key, ...init }))).toBe(action);
  });

  it.each([
    ['textarea', undefined],
    ['select', undefined],
    ['input', 'text'],
    ['input', 'number'],
    ['input', 'search'],
  ])('ignores keys typed in a %s %s', (tag, type) => {
    expect(matchShortcut(keyOn(tag, type))).toBeNull();
  });

  it('still answers on a focused checkbox or button', () => {
    expect(matchShortcut(keyOn('input', 'checkbox'))).toBe('approveAll');
    expect(matchShortcut(keyOn('button'))).toBe('approveAll');
  });
});

describe('the shortcuts in the app', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
    startupBackend({ batches: [batch('b1', [['ls', 'allow'], ['rm -rf /', 'deny']])] });
    fakeIpc.handle('batch:approve', ({ id }) => ({ ...batch(id, [['ls', 'allow']]), status: 'approved', updatedAt: '2025-03-04T10:00:09.000Z' }));
    fakeIpc.handle('batch:preview', () => ({ ok: false, error: { code: 'NOTHING_FOUND', message: 'nothing' } }));
  });
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('approves all with A on the Batches screen', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    press('a');
    await flushPromises();
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-1'], sandbox: 'workspace', network: false }]);
    wrapper.unmount();
  });

  it('does nothing while the person types in a field', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    press('n');
    await flushPromises();
    expect(useUiStore().view).toBe('new');
    const textarea = wrapper.get('[data-testid="paste-input"]').element;
    for (const key of ['a', 'r', 'x', 's', 'd', '1', 'j', '?']) press(key, {}, textarea);
    await flushPromises();
    expect(useUiStore().view).toBe('new');
    expect(useUiStore().helpOpen).toBe(false);
    expect(fakeIpc.requests('batch:approve')).toEqual([]);
    expect(fakeIpc.requests('batch:run')).toEqual([]);
    wrapper.unmount();
  });

  it('lists every shortcut in the ? overlay and keeps quiet while it is open', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    press('?', { shiftKey: true });
    await flushPromises();
    const help = wrapper.get('[data-testid="shortcut-help"]');
    for (const text of ['Approve all', 'Run the approved batch', 'Dry-run', 'Reject', 'Stop', 'Emergency stop', 'New batch', 'Next batch']) expect(help.text()).toContain(text);
    press('a');
    await flushPromises();
    expect(fakeIpc.requests('batch:approve')).toEqual([]);
    press('Escape', {}, help.element);
    await flushPromises();
    expect(wrapper.find('[data-testid="shortcut-help"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('says why a shortcut is not available instead of calling main', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    press('r');
    await flushPromises();
    expect(fakeIpc.requests('batch:run')).toEqual([]);
    expect(wrapper.get('[data-testid="toast"]').text()).toContain('approve the batch first');
    wrapper.unmount();
  });
});
