// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import BatchPanel from '../../src-renderer/src/components/BatchPanel.vue';
import type { Batch } from '../../src-renderer/src/model/contract';
import { resultsSummary } from '../../src-renderer/src/model/resultsSummary';
import { useBatchStore } from '../../src-renderer/src/stores/batches';
import { batch, captured, entry } from './fixtures';
import { serveBatches } from './backend';
import { fakeIpc } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

async function mountPanel(value: Batch) {
  serveBatches([value]);
  const store = useBatchStore();
  store.select(value.id);
  await flushPromises();
  return mount(BatchPanel, { props: { batch: value }, attachTo: document.body });
}

describe('BatchPanel', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
  });

  it('disables the checkbox of a blocked entry and shows BLOCKED', async () => {
    const wrapper = await mountPanel(batch('b1', [['ls', 'allow'], ['rm -rf /', 'deny'], ['make', 'ask']]));
    const rows = wrapper.findAll('[data-testid="entry-row"]');
    expect(rows.map((r) => r.get('[data-testid="verdict-badge"]').text())).toEqual(['SAFE', 'BLOCKED', 'REVIEW']);
    expect(rows.map((r) => (r.get('[data-testid="entry-approve"]').element as HTMLInputElement).disabled)).toEqual([false, true, false]);
  });

  it("shows an entry's own working directory only where it differs from the batch's", async () => {
    const value = batch('b1', [['make', 'ask'], ['npm test', 'ask']]);
    value.entries[1] = { ...value.entries[1]!, cwd: '/home/dev/project/web' };
    const rows = (await mountPanel(value)).findAll('[data-testid="entry-row"]');
    expect(rows.map((row) => row.find('[data-testid="entry-cwd"]').exists())).toEqual([false, true]);
    expect(rows[1]!.get('[data-testid="entry-cwd"]').text()).toBe('runs in /home/dev/project/web');
  });

  it('sends the ticked entries with Approve selected only, and with Approve & run selected (run: true)', async () => {
    fakeIpc.handle('batch:approve', ({ id }) => ({ ...batch(id, [['ls', 'allow']]), status: 'approved' }));
    const wrapper = await mountPanel(batch('b1', [['ls', 'allow'], ['rm -rf /', 'deny'], ['make', 'ask'], ['pwd', 'allow']]));
    expect(wrapper.find('[data-testid="approve-selected"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="approve-all"]').text()).toContain('Approve only');
    expect(wrapper.get('[data-testid="approve-run"]').text()).toContain('Approve & run');
    const boxes = wrapper.findAll('[data-testid="entry-approve"]');
    await boxes[2]!.setValue(true);
    await boxes[3]!.setValue(true);
    const approveSelected = wrapper.get('[data-testid="approve-selected"]');
    expect(approveSelected.text()).toContain('Approve selected only (2)');
    expect(wrapper.get('[data-testid="approve-run"]').text()).toContain('Approve & run selected (2)');
    await approveSelected.trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-3', 'b1-4'], sandbox: 'workspace', network: false }]);
  });

  it('Approve & run sends every entry that is not blocked, with run: true, in one call', async () => {
    fakeIpc.handle('batch:approve', ({ id }) => ({ ...batch(id, [['ls', 'allow']]), status: 'running' }));
    const wrapper = await mountPanel(batch('b1', [['rm -rf /', 'deny'], ['ls', 'allow'], ['make', 'ask']]));
    await wrapper.get('[data-testid="approve-run"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-2', 'b1-3'], sandbox: 'workspace', network: false, run: true }]);
    expect(fakeIpc.requests('batch:run')).toEqual([]);
  });

  it('Approve only leaves blocked entries out of the payload', async () => {
    fakeIpc.handle('batch:approve', ({ id }) => ({ ...batch(id, [['ls', 'allow']]), status: 'approved' }));
    const wrapper = await mountPanel(batch('b1', [['rm -rf /', 'deny'], ['ls', 'allow'], ['make', 'ask']]));
    await wrapper.get('[data-testid="approve-all"]').trigger('click');
    expect(fakeIpc.requests('batch:approve')).toEqual([{ id: 'b1', entryIds: ['b1-2', 'b1-3'], sandbox: 'workspace', network: false }]);
  });

  it('shows a queued batch as queued behind the batch ahead, with Run disabled and saying why, and Cancel batch enabled', async () => {
    const queued = batch('b2', [['ls', 'allow']], { status: 'approved', approvedBy: 'manual', queuedAt: '2025-03-04T10:00:01.000Z', queuedBehind: '1a2b3c4d-aaaa-bbbb-cccc-000000000000' });
    queued.entries[0]!.approved = true;
    const wrapper = await mountPanel(queued);
    expect(wrapper.get('header [data-testid="status-pill"]').text()).toBe('Queued');
    expect(wrapper.get('[data-testid="batch-queued"]').text()).toContain('Queued behind batch 1a2b3c4d');
    const run = wrapper.get('[data-testid="run"]');
    expect(run.attributes('disabled')).toBeDefined();
    expect(run.attributes('title')).toBe('Run: not available, it is already queued behind batch 1a2b3c4d');
    const stop = wrapper.get('[data-testid="stop"]');
    expect(stop.text()).toContain('Cancel batch');
    expect(stop.attributes('disabled')).toBeUndefined();
    expect(stop.attributes('title')).toContain('cancels the batch before it starts');
    for (const id of ['unapprove', 'reject']) expect(wrapper.get(`[data-testid="${id}"]`).attributes('disabled')).toBeUndefined();
  });

  it("shows the person's message to the agent on a rejected batch, as text", async () => {
    const wrapper = await mountPanel(batch('b1', [['ls', 'allow']], { status: 'rejected', note: 'rejected by a person', rejectionMessage: 'use <b>make</b> check\ninstead' }));
    const shown = wrapper.get('[data-testid="batch-rejection-message"]');
    expect(shown.text()).toContain('use <b>make</b> check');
    expect(shown.find('b').exists()).toBe(false);
  });

  it('offers Run only once approved and Stop only while approved or running', async () => {
    const pending = await mountPanel(batch('p', [['ls', 'allow']]));
    expect(pending.get('[data-testid="run"]').attributes('disabled')).toBeDefined();
    expect(pending.get('[data-testid="stop"]').attributes('disabled')).toBeDefined();
    expect(pending.get('[data-testid="reject"]').attributes('disabled')).toBeUndefined();
    const running = await mountPanel(batch('r', [['ls', 'allow']], { status: 'running' }));
    expect(running.get('[data-testid="run"]').attributes('disabled')).toBeDefined();
    expect(running.get('[data-testid="stop"]').attributes('disabled')).toBeUndefined();
  });

  it('shows the dry-run report per entry', async () => {
    fakeIpc.handle('batch:dryRun', ({ id }) => ({
      batchId: id,
      entries: [
        { entryId: 'b1-1', tool: 'shell', command: 'ls', verdict: 'allow', reasons: [], executables: [{ program: 'ls', resolved: '/usr/bin/ls' }], cwd: '/w', cwdExists: true, syntax: { ok: true }, sandbox: null, ok: true },
        { entryId: 'b1-2', tool: 'shell', command: 'nope (', verdict: 'ask', reasons: [], executables: [{ program: 'nope', resolved: null }], cwd: '/gone', cwdExists: false, syntax: { ok: false, message: "syntax error near unexpected token `('" }, sandbox: null, ok: false },
      ],
    }));
    const wrapper = await mountPanel(batch('b1', [['ls', 'allow'], ['nope (', 'ask']]));
    await wrapper.get('[data-testid="dry-run"]').trigger('click');
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="dry-run-result"]')).toHaveLength(2));
    const [good, bad] = wrapper.findAll('[data-testid="dry-run-result"]');
    expect(good!.text()).toContain('ls → /usr/bin/ls');
    expect(good!.get('[data-testid="dry-run-syntax"]').text()).toContain('Syntax OK');
    expect(bad!.get('[data-testid="dry-run-executable"]').text()).toContain('not found');
    expect(bad!.get('[data-testid="dry-run-cwd"]').text()).toContain('does not exist');
    expect(bad!.get('[data-testid="dry-run-syntax"]').text()).toContain("syntax error near unexpected token `('");
  });

  it('shows results inline: exit code, signal, note and the captured output with what was not kept', async () => {
    const done = batch('b1', [], {
      status: 'error',
      entries: [
        entry('b1', 1, 'make test', 'ask', {
          status: 'error', approved: true, exitCode: 2, startedAt: '2025-03-04T10:00:00.000Z', endedAt: '2025-03-04T10:00:01.500Z', durationMs: 1500,
          stdout: captured('', { head: 'first\n', tail: 'last\n', truncated: true, bytes: 5000 }),
          stderr: captured('boom\n'),
        }),
        entry('b1', 2, 'sleep 100', 'allow', { status: 'cancelled', approved: true, signal: 'SIGTERM', startedAt: '2025-03-04T10:00:02.000Z', endedAt: '2025-03-04T10:00:03.000Z', durationMs: 1000, note: 'stopped by a person', stdout: captured(''), stderr: captured('') }),
      ],
    });
    const wrapper = await mountPanel(done);
    const [first, second] = wrapper.findAll('[data-testid="entry-row"]');
    expect(first!.get('[data-testid="entry-exit-code"]').text()).toBe('exit 2');
    expect(first!.get('[data-testid="entry-elapsed"]').text()).toBe('1.5 s');
    // A failed entry opens its output by itself; a cancelled one waits to be asked.
    expect(first!.get('[data-testid="entry-toggle-output"]').attributes('aria-expanded')).toBe('true');
    expect(second!.get('[data-testid="entry-toggle-output"]').attributes('aria-expanded')).toBe('false');
    expect(first!.get('[data-testid="captured-omitted"]').text()).toBe('… 4,989 bytes not shown …');
    await first!.get('[data-testid="output-tab-stderr"]').trigger('click');
    expect(first!.get('[data-testid="captured-stderr"]').text()).toContain('boom');
    expect(second!.get('[data-testid="entry-signal"]').text()).toBe('SIGTERM');
    expect(second!.get('[data-testid="entry-note"]').text()).toBe('stopped by a person');
  });

  it('opens the output of an entry it saw go from pending straight to completed, and not of one that was completed when shown', async () => {
    const ran = { status: 'completed' as const, approved: true, exitCode: 0, durationMs: 2, startedAt: '2025-03-04T10:00:00.000Z', endedAt: '2025-03-04T10:00:00.002Z', stdout: captured('hello\n'), stderr: captured('') };
    const wrapper = await mountPanel(batch('b1', [['cat notes.txt', 'allow']], { status: 'running' }));
    const toggle = () => wrapper.get('[data-testid="entry-toggle-output"]').attributes('aria-expanded');
    expect(wrapper.find('[data-testid="entry-toggle-output"]').exists()).toBe(false);
    // No 'running' render in between: the entry finished before the UI saw it start.
    await wrapper.setProps({ batch: batch('b1', [], { status: 'completed', entries: [entry('b1', 1, 'cat notes.txt', 'allow', ran)] }) });
    expect(toggle()).toBe('true');
    expect(wrapper.get('[data-testid="captured-stdout"]').text()).toContain('hello');

    const shownDone = await mountPanel(batch('b2', [], { status: 'completed', entries: [entry('b2', 1, 'cat notes.txt', 'allow', ran)] }));
    expect(shownDone.get('[data-testid="entry-toggle-output"]').attributes('aria-expanded')).toBe('false');
  });

  it('copies the results summary for the AI to the clipboard', async () => {
    const done = batch('b1', [], {
      status: 'completed',
      entries: [entry('b1', 1, 'ls', 'allow', { status: 'completed', approved: true, exitCode: 0, durationMs: 3, startedAt: 't', stdout: captured('a\nb\n'), stderr: captured('') })],
    });
    const wrapper = await mountPanel(done);
    await wrapper.get('[data-testid="copy-summary"]').trigger('click');
    await flushPromises();
    expect(await navigator.clipboard.readText()).toBe(resultsSummary(done));
    expect(wrapper.get('[data-testid="copy-summary"]').text()).toContain('Copied');
  });
});
