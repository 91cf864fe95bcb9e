import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENTS, functionName } from '../../src-main/ipc/channels.js';
import type { LeashApi } from '../../src-main/ipc/contract.js';
import { fake, resetFake } from './fakeElectron.js';

vi.mock('electron', async () => (await import('./fakeElectron.js')).electronModule());

let api: LeashApi;

beforeEach(async () => {
  resetFake();
  vi.resetModules();
  await import('../../src-preload/index.js');
  api = fake().contextBridge.exposed.get('leash') as LeashApi;
});

describe('the preload', () => {
  it('exposes only `leash`: one named function per contract channel, and `on`', () => {
    expect([...fake().contextBridge.exposed.keys()]).toEqual(['leash']);
    expect(Object.keys(api).sort()).toEqual([...CHANNELS.map(functionName), 'on'].sort());
    for (const value of Object.values(api)) expect(value).toBeTypeOf('function');
  });

  it('invokes the named channel with the request, an empty object when there is none', async () => {
    await api.batchGet({ id: 'b1' });
    await (api.appInfo as unknown as () => Promise<unknown>)();
    expect(fake().ipcRenderer.invoked).toEqual([
      ['batch:get', { id: 'b1' }],
      ['app:info', {}],
    ]);
  });

  it('subscribes to contract events only, and unsubscribes', () => {
    const listener = vi.fn();
    const off = api.on('batch:summary', listener);
    fake().ipcRenderer.emit('batch:summary', { sender: 'main' }, { id: 'b1' });
    expect(listener).toHaveBeenCalledWith({ id: 'b1' });
    off();
    fake().ipcRenderer.emit('batch:summary', {}, { id: 'b2' });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(() => api.on('electron-store-get-data' as (typeof EVENTS)[number], listener)).toThrow(/unknown event/);
  });
});
