// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useBatchStore } from '../../src-renderer/src/stores/batches';
import { useToastStore } from '../../src-renderer/src/stores/toast';
import { batch } from './fixtures';
import { fakeIpc } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

const mixed = batch('b1', [
  ['ls -la', 'allow'],
  ['rm -rf /', 'deny'],
  ['make test', 'ask'],
  ['sudo reboot', 'deny'],
]);

describe('the batch store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
    fakeIpc.handle('batch:approve', ({ id }) => ({ ...mixed, id, status: 'approved', updatedAt: '2025-03-04T10:00:01.000Z' }));
  });

  it('approves all allowed and asked entries and never a blocked one', async () => {
    const store = useBatchStore();
    store.upsert(mixed);
    await store.approveAll('b1');
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-1', 'b1-3'], sandbox: 'workspace', network: false }]);
  });

  it('does not call main when every entry is blocked, and says why', async () => {
    const store = useBatchStore();
    store.upsert(batch('b2', [['rm -rf ~', 'deny']]));
    await store.approveAll('b2');
    expect(fakeIpc.requests('batch:approve')).toEqual([]);
    expect(useToastStore().toasts[0]?.title).toBe('Nothing to approve');
  });

  it('approves exactly the ticked entries, in batch order, and ignores ticks on blocked ones', async () => {
    const store = useBatchStore();
    store.upsert(mixed);
    store.setTicked('b1', 'b1-3', true);
    store.setTicked('b1', 'b1-2', true);
    store.setTicked('b1', 'b1-1', true);
    store.setTicked('b1', 'b1-1', false);
    store.setTicked('b1', 'b1-1', true);
    await store.approveSelected('b1');
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-1', 'b1-3'], sandbox: 'workspace', network: false }]);
  });

  it('keeps the newest copy of a batch when an older update arrives late', () => {
    const store = useBatchStore();
    store.upsert({ ...mixed, status: 'running', updatedAt: '2025-03-04T10:00:05.000Z' });
    store.upsert({ ...mixed, status: 'approved', updatedAt: '2025-03-04T10:00:02.000Z' });
    expect(store.batches[0]?.status).toBe('running');
  });

  it('lists batches newest first and moves the selection with next and previous', () => {
    const store = useBatchStore();
    store.upsert(batch('old', [['ls', 'allow']], { createdAt: '2025-03-01T00:00:00.000Z' }));
    store.upsert(batch('new', [['ls', 'allow']], { createdAt: '2025-03-05T00:00:00.000Z' }));
    expect(store.batches.map((b) => b.id)).toEqual(['new', 'old']);
    store.select('new');
    store.selectNext(1);
    expect(store.selectedId).toBe('old');
    store.selectNext(1);
    expect(store.selectedId).toBe('old');
    store.selectNext(-1);
    expect(store.selectedId).toBe('new');
  });

  it('shows a refused action as an error toast with its code', async () => {
    fakeIpc.fail('batch:run', 'ILLEGAL_TRANSITION', 'batch b1 is pending; it cannot become running');
    const store = useBatchStore();
    store.upsert(mixed);
    await store.run('b1');
    const [toast] = useToastStore().toasts;
    expect(toast).toMatchObject({ kind: 'error', title: 'Run failed', code: 'ILLEGAL_TRANSITION', message: 'batch b1 is pending; it cannot become running' });
  });

  it('creates a batch from the previewed commands and selects it', async () => {
    fakeIpc.handle('batch:create', ({ entries }) => batch('created', entries.map((e) => [e.command, 'allow'] as [string, 'allow'])));
    const store = useBatchStore();
    store.upsert(mixed);
    await store.create(['git status', 'ls'], ' /tmp/work ');
    expect(fakeIpc.requests('batch:create')).toEqual([{ entries: [{ command: 'git status' }, { command: 'ls' }], cwd: '/tmp/work' }]);
    expect(store.selectedId).toBe('created');
  });
});
