// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Batch } from '../../src-renderer/src/model/contract';
import { useBatchListStore } from '../../src-renderer/src/stores/batchList';
import { useBatchStore } from '../../src-renderer/src/stores/batches';
import { useToastStore } from '../../src-renderer/src/stores/toast';
import { serveBatches } from './backend';
import { batch, captured, entry } from './fixtures';
import { fakeIpc } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

const mixed = batch('b1', [
  ['ls -la', 'allow'],
  ['rm -rf /', 'deny'],
  ['make test', 'ask'],
  ['sudo reboot', 'deny'],
]);

/** Main holds `batches`; the store loads and selects the first. */
async function loaded(...batches: Batch[]): Promise<ReturnType<typeof useBatchStore>> {
  serveBatches(batches);
  const store = useBatchStore();
  await store.load();
  await flushPromises();
  return store;
}

describe('the batch store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
    fakeIpc.handle('batch:approve', ({ id }) => ({ ...mixed, id, status: 'approved', updatedAt: '2025-03-04T10:00:01.000Z' }));
  });

  it('approves all allowed and asked entries and never a blocked one', async () => {
    const store = await loaded(mixed);
    await store.approveAll('b1');
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-1', 'b1-3'], sandbox: 'workspace', network: false }]);
  });

  it('does not call main when every entry is blocked, and says why', async () => {
    const store = await loaded(batch('b2', [['rm -rf ~', 'deny']]));
    await store.approveAll('b2');
    expect(fakeIpc.requests('batch:approve')).toEqual([]);
    expect(useToastStore().toasts[0]?.title).toBe('Nothing to approve');
  });

  it('approves exactly the ticked entries, in batch order, and ignores ticks on blocked ones', async () => {
    const store = await loaded(mixed);
    store.setTicked('b1', 'b1-3', true);
    store.setTicked('b1', 'b1-2', true);
    store.setTicked('b1', 'b1-1', true);
    store.setTicked('b1', 'b1-1', false);
    store.setTicked('b1', 'b1-1', true);
    await store.approveSelected('b1');
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-1', 'b1-3'], sandbox: 'workspace', network: false }]);
  });

  it('reads the selected batch whole with batch:get, and keeps the newest copy when an older answer arrives late', async () => {
    const store = await loaded(mixed);
    expect(fakeIpc.requests('batch:get')).toEqual([{ id: 'b1' }]);
    store.upsert({ ...mixed, status: 'running', updatedAt: '2025-03-04T10:00:05.000Z' });
    store.upsert({ ...mixed, status: 'approved', updatedAt: '2025-03-04T10:00:02.000Z' });
    expect(store.selected?.status).toBe('running');
  });

  it('lists summaries newest first and moves the selection with next and previous', async () => {
    const store = await loaded(batch('old', [['ls', 'allow']], { createdAt: '2025-03-01T00:00:00.000Z' }), batch('new', [['ls', 'allow']], { createdAt: '2025-03-05T00:00:00.000Z' }));
    expect(useBatchListStore().ids).toEqual(['new', 'old']);
    expect(store.selectedId).toBe('new');
    store.selectNext(1);
    expect(store.selectedId).toBe('old');
    store.selectNext(1);
    expect(store.selectedId).toBe('old');
    store.selectNext(-1);
    expect(store.selectedId).toBe('new');
    await flushPromises();
    expect(store.selected?.id).toBe('new');
  });

  it('applies a delta to the selected batch without refetching it, and refetches when a capture changed', async () => {
    const store = await loaded(mixed);
    const { entries: _entries, ...fields } = { ...mixed, status: 'running' as const, updatedAt: '2025-03-04T10:00:03.000Z' };
    store.receiveDelta({ id: 'b1', updatedAt: fields.updatedAt, batch: fields, entries: [{ ...entry('b1', 1, 'ls -la', 'allow', { status: 'running', approved: true }), classification: undefined }] });
    expect(store.selected?.status).toBe('running');
    expect(store.selected?.entries[0]?.status).toBe('running');
    expect(store.selected?.entries[0]?.command).toBe('ls -la');
    expect(fakeIpc.requests('batch:get')).toHaveLength(1);

    const done = { ...mixed, status: 'running' as const, updatedAt: '2025-03-04T10:00:04.000Z', entries: mixed.entries.map((e, i) => (i === 0 ? { ...e, status: 'completed' as const, exitCode: 0, stdout: captured('total 0\n') } : e)) };
    serveBatches([done]);
    const { entries: _done, ...doneFields } = done;
    store.receiveDelta({ id: 'b1', updatedAt: done.updatedAt, batch: doneFields, entries: [{ id: 'b1-1', status: 'completed', approved: true, exitCode: 0, signal: null, startedAt: null, endedAt: null, durationMs: 5, error: null, note: null, outputChanged: true }] });
    await flushPromises();
    expect(fakeIpc.requests('batch:get')).toHaveLength(2);
    expect(store.selected?.entries[0]?.stdout?.head).toBe('total 0\n');
  });

  it('ignores a delta older than the batch it holds, and deltas of batches it does not show', async () => {
    const store = await loaded({ ...mixed, updatedAt: '2025-03-04T10:00:09.000Z' });
    const { entries: _entries, ...fields } = { ...mixed, status: 'cancelled' as const };
    store.receiveDelta({ id: 'b1', updatedAt: '2025-03-04T10:00:01.000Z', batch: fields, entries: [] });
    store.receiveDelta({ id: 'other', updatedAt: '2025-03-04T10:00:10.000Z', batch: { ...fields, id: 'other' }, entries: [] });
    expect(store.selected?.status).toBe('pending');
  });

  it('shows a refused action as an error toast with its code', async () => {
    fakeIpc.fail('batch:run', 'ILLEGAL_TRANSITION', 'batch b1 is pending; it cannot become running');
    const store = await loaded(mixed);
    await store.run('b1');
    const [toast] = useToastStore().toasts;
    expect(toast).toMatchObject({ kind: 'error', title: 'Run failed', code: 'ILLEGAL_TRANSITION', message: 'batch b1 is pending; it cannot become running' });
  });

  it('creates a batch from the previewed commands and selects it', async () => {
    fakeIpc.handle('batch:create', ({ entries }) => batch('created', entries.map((e) => [e.command, 'allow'] as [string, 'allow'])));
    const store = await loaded(mixed);
    await store.create(['git status', 'ls'], ' /tmp/work ');
    expect(fakeIpc.requests('batch:create')).toEqual([{ entries: [{ command: 'git status' }, { command: 'ls' }], cwd: '/tmp/work' }]);
    expect(store.selectedId).toBe('created');
    expect(store.selected?.entries.map((e) => e.command)).toEqual(['git status', 'ls']);
  });

  it('counts pending batches for the header from summaries, following status changes', async () => {
    await loaded(mixed, batch('b2', [['ls', 'allow']], { createdAt: '2025-03-04T09:00:00.000Z' }));
    const list = useBatchListStore();
    expect(list.pendingCount).toBe(2);
    const summary = fakeIpc.requests('batch:list').length;
    expect(summary).toBeGreaterThan(0);
    list.receive({ ...(list.summary('b1') as NonNullable<ReturnType<typeof list.summary>>), status: 'approved', updatedAt: '2025-03-04T10:00:05.000Z' });
    expect(list.pendingCount).toBe(1);
  });
});
