// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import AutonomyIndicator from '../../src-renderer/src/components/AutonomyIndicator.vue';
import AutonomySettings from '../../src-renderer/src/components/AutonomySettings.vue';
import { useAutonomyStore } from '../../src-renderer/src/stores/autonomy';
import { fakeIpc, IpcFailure } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

const TOKEN = '5b0f3c52-8d7e-4a51-9d2b-0c6f1e2a7b94';
const Screen = defineComponent(() => () => h('div', [h(AutonomyIndicator), h(AutonomySettings)]));

function backend(): void {
  fakeIpc.handle('autonomy:begin', () => ({ token: TOKEN, expiresAt: '2025-03-04T10:10:00.000Z' }));
  fakeIpc.handle('autonomy:confirm', ({ token }) => {
    if (token !== TOKEN) throw new IpcFailure('AUTH_FAILURE', 'that is not the token Leash showed; autonomy stays off');
    return { enabled: true, fingerprint: '9f86d081' };
  });
  fakeIpc.handle('autonomy:disable', () => ({ enabled: false, fingerprint: null }));
}

describe('turning semi-autonomy on and off', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
    backend();
    useAutonomyStore().set({ enabled: false, fingerprint: null });
  });

  it('explains the danger, shows a token to copy, and refuses a wrong paste', async () => {
    const wrapper = mount(Screen, { attachTo: document.body });
    expect(wrapper.get('[data-testid="autonomy-indicator"]').text()).toBe('Autonomy OFF');

    await wrapper.get('[data-testid="autonomy-toggle"]').trigger('click');
    const explanation = wrapper.get('[data-testid="autonomy-explanation"]').text();
    expect(explanation).toContain('every command in it is SAFE');
    expect(explanation).toContain('Emergency stop');
    expect(fakeIpc.requests('autonomy:begin')).toHaveLength(0);

    await wrapper.get('[data-testid="autonomy-continue"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="autonomy-token"]').text()).toBe(TOKEN);

    await wrapper.get('[data-testid="autonomy-token-copy"]').trigger('click');
    await flushPromises();
    expect(await navigator.clipboard.readText()).toBe(TOKEN);

    await wrapper.get('[data-testid="autonomy-token-input"]').setValue('not-the-token');
    await wrapper.get('[data-testid="autonomy-confirm"]').trigger('click');
    await flushPromises();
    const refusal = wrapper.get('[data-testid="autonomy-confirm-error"]').text();
    expect(refusal).toContain('AUTH_FAILURE');
    expect(refusal).toContain('that is not the token Leash showed');
    expect(wrapper.get('[data-testid="autonomy-indicator"]').attributes('data-state')).toBe('off');
    expect(wrapper.find('[data-testid="autonomy-dialog"]').exists()).toBe(true);

    await wrapper.get('[data-testid="autonomy-token-input"]').setValue(` ${TOKEN}\n`);
    await wrapper.get('[data-testid="autonomy-confirm"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('autonomy:confirm').map((r) => r.token)).toEqual(['not-the-token', TOKEN]);
    expect(wrapper.find('[data-testid="autonomy-dialog"]').exists()).toBe(false);
    const indicator = wrapper.get('[data-testid="autonomy-indicator"]');
    expect(indicator.attributes('data-state')).toBe('on');
    expect(indicator.text()).toBe('Autonomy ON 9f86d081');
    wrapper.unmount();
  });

  it('turns it off in one click, without a dialog', async () => {
    useAutonomyStore().set({ enabled: true, fingerprint: '9f86d081' });
    const wrapper = mount(Screen, { attachTo: document.body });
    await wrapper.get('[data-testid="autonomy-toggle"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('autonomy:disable')).toHaveLength(1);
    expect(wrapper.find('[data-testid="autonomy-dialog"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="autonomy-indicator"]').text()).toBe('Autonomy OFF');
    wrapper.unmount();
  });

  it('cancelling leaves autonomy off and asks main for nothing', async () => {
    const wrapper = mount(Screen, { attachTo: document.body });
    await wrapper.get('[data-testid="autonomy-toggle"]').trigger('click');
    await wrapper.get('[data-testid="autonomy-cancel"]').trigger('click');
    expect(wrapper.find('[data-testid="autonomy-dialog"]').exists()).toBe(false);
    expect(fakeIpc.requests('autonomy:begin')).toHaveLength(0);
    wrapper.unmount();
  });

  it('shows whatever state the store holds', async () => {
    const wrapper = mount(AutonomyIndicator);
    useAutonomyStore().set({ enabled: true, fingerprint: 'abcdef12' });
    await flushPromises();
    expect(wrapper.text()).toBe('Autonomy ON abcdef12');
  });
});

describe('autonomy that ends', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
    backend();
    useAutonomyStore().set({ enabled: false, fingerprint: null });
  });

  it('sends the chosen duration with the token (one hour unless another is chosen)', async () => {
    const wrapper = mount(Screen, { attachTo: document.body });
    await wrapper.get('[data-testid="autonomy-toggle"]').trigger('click');
    expect((wrapper.get('[data-testid="autonomy-duration-1h"]').element as HTMLInputElement).checked).toBe(true);
    await wrapper.get('[data-testid="autonomy-duration-until-quit"]').trigger('change');
    await wrapper.get('[data-testid="autonomy-continue"]').trigger('click');
    await flushPromises();
    await wrapper.get('[data-testid="autonomy-token-input"]').setValue(TOKEN);
    expect(wrapper.get('[data-testid="autonomy-confirm"]').text()).toBe('Turn semi-autonomy on until Leash quits');
    await wrapper.get('[data-testid="autonomy-confirm"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('autonomy:confirm')).toEqual([{ token: TOKEN, duration: 'until-quit' }]);
    wrapper.unmount();
  });

  it('shows the time left and says so when main ends it on time', async () => {
    const store = useAutonomyStore();
    store.set({ enabled: true, fingerprint: '9f86d081', duration: '15m', endsAt: new Date(Date.now() + 12 * 60_000 + 5_000).toISOString() });
    const wrapper = mount(Screen, { attachTo: document.body });
    expect(wrapper.get('[data-testid="autonomy-left"]').text()).toBe('12 min left');
    store.set({ enabled: false, fingerprint: null, ended: 'expired' });
    await flushPromises();
    expect(wrapper.get('[data-testid="autonomy-indicator"]').text()).toBe('Autonomy OFF');
    const { useToastStore } = await import('../../src-renderer/src/stores/toast');
    expect(useToastStore().toasts.map((t) => t.title)).toEqual(['Semi-autonomy has ended']);
    wrapper.unmount();
  });
});
