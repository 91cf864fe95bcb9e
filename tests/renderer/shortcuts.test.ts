// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../src-renderer/src/App.vue';
import { matchShortcut } from '../../src-renderer/src/model/shortcuts';
import { useUiStore } from '../../src-renderer/src/stores/ui';
import { startupBackend, viewSettled } from './backend';
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
    ['a', {}, 'approveRun'],
    ['Enter', {}, 'approveRun'],
    ['A', { shiftKey: true }, 'approveOnly'],
    ['Enter', { shiftKey: true }, null],
    ['Enter', { ctrlKey: true }, null],
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
    expect(matchShortcut(keyOn('input', 'checkbox'))).toBe('approveRun');
    expect(matchShortcut(keyOn('button'))).toBe('approveRun');
  });

  it.each([
    ['button', undefined],
    ['a', undefined],
    ['input', 'checkbox'],
    ['summary', undefined],
    ['textarea', undefined],
  ])('leaves Enter to a focused %s %s (it presses, follows or toggles it)', (tag, type) => {
    const event = keyOn(tag, type);
    Object.defineProperty(event, 'key', { value: 'Enter' });
    expect(matchShortcut(event)).toBeNull();
  });

  it('leaves Enter to anything inside a control or a focusable widget such as the batch list', () => {
    const list = document.createElement('div');
    list.setAttribute('role', 'listbox');
    list.tabIndex = 0;
    const inner = document.createElement('span');
    list.append(inner);
    for (const target of [list, inner]) {
      const event = new KeyboardEvent('keydown', { key: 'Enter' });
      Object.defineProperty(event, 'target', { value: target });
      expect(matchShortcut(event)).toBeNull();
    }
    const plain = new KeyboardEvent('keydown', { key: 'Enter' });
    Object.defineProperty(plain, 'target', { value: document.createElement('section') });
    expect(matchShortcut(plain)).toBe('approveRun');
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

  it('approves and runs with A on the Batches screen, in one call', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    press('a');
    await flushPromises();
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-1'], sandbox: 'workspace', network: false, run: true }]);
    expect(fakeIpc.requests('batch:run')).toEqual([]);
    wrapper.unmount();
  });

  it('approves only with Shift+A', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    press('A', { shiftKey: true });
    await flushPromises();
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-1'], sandbox: 'workspace', network: false }]);
    wrapper.unmount();
  });

  it('approves and runs with Enter pressed on the page, not on a focused button', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    press('Enter', {}, wrapper.get('[data-testid="dry-run"]').element);
    await flushPromises();
    expect(fakeIpc.requests('batch:approve')).toEqual([]);
    press('Enter', {}, document.body);
    await flushPromises();
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-1'], sandbox: 'workspace', network: false, run: true }]);
    wrapper.unmount();
  });

  it('opens the reject dialog with X; Ctrl+Enter in it sends the message', async () => {
    fakeIpc.handle('batch:reject', ({ id, message }) => ({ ...batch(id, [['ls', 'allow']]), status: 'rejected', rejectionMessage: message, updatedAt: '2025-03-04T10:00:09.000Z' }));
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    press('x');
    await flushPromises();
    const field = wrapper.get('[data-testid="reject-message"]');
    await field.setValue('  use make check instead  ');
    expect(wrapper.get('[data-testid="reject-message-count"]').text()).toBe('22 / 2000');
    press('Enter', { ctrlKey: true }, field.element);
    await flushPromises();
    expect(fakeIpc.requests('batch:reject')).toEqual([{ id: 'b1', message: '  use make check instead  ' }]);
    expect(wrapper.find('[data-testid="reject-dialog"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('does nothing while the person types in a field', async () => {
    const wrapper = mount(App, { attachTo: document.body });
    await flushPromises();
    press('n');
    await viewSettled();
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
    for (const text of ['Approve & run', 'Approve only', 'Run the approved batch', 'Dry-run', 'Reject', 'Stop', 'Emergency stop', 'New batch', 'Next batch']) expect(help.text()).toContain(text);
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
