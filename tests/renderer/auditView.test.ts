// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../../src-renderer/src/model/contract';
import { useAuditStore } from '../../src-renderer/src/stores/audit';
import { useBatchStore } from '../../src-renderer/src/stores/batches';
import AuditView from '../../src-renderer/src/views/AuditView.vue';
import { serveBatches } from './backend';
import { batch } from './fixtures';
import { fakeIpc } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

function record(seq: number, fields: Partial<AuditRecord>): AuditRecord {
  return { seq, ts: '2025-03-04T10:00:00.000Z', event: 'BATCH_CREATED', prevHash: '0'.repeat(64), hash: String(seq).repeat(64).slice(0, 64), ...fields };
}

const HEAD = 'ab'.repeat(32);
const SEALING = { keys: [], sealedThrough: 0, unsealed: null, verifyKey: 'not-given' as const, writer: 'running' as const, keyOnMachine: false, lateSealed: [], notes: [] };

describe('AuditView', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
    fakeIpc.handle('audit:tail', ({ batchId }) => {
      const all = [
        { ok: true as const, record: record(1, { event: 'BATCH_CREATED', batchId: 'b1' }) },
        { ok: true as const, record: record(2, { event: 'ENTRY_FINISHED', batchId: 'b1', entryId: 'b1-1', command: 'ls\u200B', verdict: 'allow', approvedBy: 'manual', exitCode: 0 }) },
        { ok: true as const, record: record(3, { event: 'AUTH_FAILURE', reason: 'the pasted autonomy token did not match' }) },
      ];
      return batchId ? all.filter((item) => item.record.batchId === batchId) : all;
    });
  });

  it('shows the latest records, newest first, with every column readable', async () => {
    const wrapper = mount(AuditView);
    await flushPromises();
    const rows = wrapper.findAll('[data-testid="audit-row"]');
    expect(rows.map((r) => r.attributes('data-seq'))).toEqual(['3', '2', '1']);
    const finished = rows[1]!.findAll('td').map((td) => td.text());
    expect(finished).toEqual(['2', expect.any(String), 'ENTRY_FINISHED', 'b1 #1', 'ls\\u{200B}', 'SAFE', 'manual', '0', '']);
    expect(rows[0]!.text()).toContain('the pasted autonomy token did not match');
  });

  it('adds records from audit:appended as they happen, respecting the batch filter', async () => {
    serveBatches([batch('b1', [['ls', 'allow']])]);
    await useBatchStore().load();
    const wrapper = mount(AuditView);
    await flushPromises();
    await wrapper.get('[data-testid="audit-filter"]').setValue('b1');
    await flushPromises();
    expect(fakeIpc.requests('audit:tail').at(-1)).toEqual({ limit: 500, batchId: 'b1' });
    expect(wrapper.findAll('[data-testid="audit-row"]')).toHaveLength(2);
    const audit = useAuditStore();
    audit.append(record(4, { event: 'SETTINGS_CHANGED' }));
    audit.append(record(5, { event: 'BATCH_APPROVED', batchId: 'b1', approvedBy: 'manual' }));
    await flushPromises();
    expect(wrapper.findAll('[data-testid="audit-row"]').map((r) => r.attributes('data-seq'))).toEqual(['5', '2', '1']);
  });

  it('reports an intact trail with its record count and head hash', async () => {
    fakeIpc.handle('audit:verify', () => ({ ok: true, records: 1234, headSeq: 1234, headHash: HEAD, checkpointLag: 0, sealing: SEALING, segments: [] }));
    const wrapper = mount(AuditView);
    await wrapper.get('[data-testid="audit-verify"]').trigger('click');
    await flushPromises();
    const result = wrapper.get('[data-testid="audit-verify-result"]');
    expect(result.attributes('data-ok')).toBe('true');
    expect(result.text()).toBe(`✓ Intact: 1,234 records, head ${HEAD}Not sealed yet.`);
  });

  it('names the first bad record: line, reason code and message', async () => {
    fakeIpc.handle('audit:verify', () => ({ ok: false, records: 41, firstBad: { seq: 42, line: 42, reason: 'EDITED', message: 'the record does not match its hash' }, sealing: SEALING, segments: [] }));
    const wrapper = mount(AuditView);
    await wrapper.get('[data-testid="audit-verify"]').trigger('click');
    await flushPromises();
    const result = wrapper.get('[data-testid="audit-verify-result"]');
    expect(result.attributes('data-ok')).toBe('false');
    expect(result.text()).toContain('line 42 (seq 42)');
    expect(result.text()).toContain('EDITED the record does not match its hash');
  });

  it('names the segment of a rotated trail that broke, and how many were checked', async () => {
    fakeIpc.handle('audit:verify', () => ({ ok: false, records: 41, firstBad: { seq: 42, line: 7, segment: 'audit.000002.jsonl', reason: 'EDITED', message: 'the record does not match its hash' }, sealing: SEALING, segments: ['audit.000001.jsonl', 'audit.000002.jsonl'] }));
    const wrapper = mount(AuditView);
    await wrapper.get('[data-testid="audit-verify"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="audit-verify-segment"]').text()).toBe('audit.000002.jsonl');
    expect(wrapper.get('[data-testid="audit-verify-result"]').text()).toContain('in audit.000002.jsonl at line 7 (seq 42)');
    fakeIpc.handle('audit:verify', () => ({ ok: true, records: 99, headSeq: 99, headHash: HEAD, checkpointLag: 0, sealing: SEALING, segments: ['audit.000001.jsonl', 'audit.000002.jsonl'] }));
    await wrapper.get('[data-testid="audit-verify"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="audit-verify-result"]').text()).toContain('99 records, head');
    expect(wrapper.get('[data-testid="audit-verify-result"]').text()).toContain('across 2 sealed segments and the active log');
  });

  it('shows a verification that could not run', async () => {
    fakeIpc.fail('audit:verify', 'AUDIT_NOT_FOUND', 'no audit log at /data/audit.jsonl');
    const wrapper = mount(AuditView);
    await wrapper.get('[data-testid="audit-verify"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="audit-verify-result"]').text()).toBe('Could not verify: AUDIT_NOT_FOUND: no audit log at /data/audit.jsonl');
  });

  it('marks the bad record in the table and reads the table again with the verification (no stale rows)', async () => {
    const wrapper = mount(AuditView);
    await flushPromises();
    const reads = fakeIpc.requests('audit:tail').length;
    fakeIpc.handle('audit:tail', () => [
      { ok: true as const, record: record(1, { event: 'BATCH_CREATED', batchId: 'b1' }) },
      { ok: true as const, record: record(2, { event: 'ENTRY_FINISHED', batchId: 'b1', command: 'echo changed on disk' }) },
    ]);
    fakeIpc.handle('audit:verify', () => ({ ok: false, records: 1, firstBad: { seq: 2, line: 2, reason: 'EDITED', message: 'content does not match its hash' }, sealing: SEALING, segments: [] }));
    await wrapper.get('[data-testid="audit-verify"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('audit:tail').length).toBe(reads + 1);
    const rows = wrapper.findAll('[data-testid="audit-row"]');
    expect(rows.map((r) => r.attributes('data-seq'))).toEqual(['2', '1']);
    expect(rows[0]?.attributes('data-bad')).toBe('true');
    expect(rows[0]?.text()).toContain('echo changed on disk');
    expect(rows[1]?.attributes('data-bad')).toBeUndefined();
    expect(wrapper.findAll('[data-testid="audit-bad-marker"]')).toHaveLength(1);
  });

  it('shows the verification key once with a copy button, and forgets it when the person has saved it', async () => {
    let onMachine = true;
    fakeIpc.handle('audit:status', () => ({ startProblem: null, sealingKeyId: '0123456789abcdef', keyOnMachine: onMachine }));
    fakeIpc.handle('audit:takeKey', () => ({ keyId: '0123456789abcdef', verificationKey: 'leash1-00000000-11111111-22222222-33333333-44444444-55555555-66666666-77777777' }));
    fakeIpc.handle('audit:forgetKey', () => {
      onMachine = false;
      return { forgotten: true };
    });
    const wrapper = mount(AuditView);
    await flushPromises();
    await wrapper.get('[data-testid="audit-key-show"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="audit-key-value"]').text()).toBe('leash1-00000000-11111111-22222222-33333333-44444444-55555555-66666666-77777777');
    expect(wrapper.find('[data-testid="audit-key-copy"]').exists()).toBe(true);
    await wrapper.get('[data-testid="audit-key-saved"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('audit:forgetKey')).toHaveLength(1);
    expect(wrapper.find('[data-testid="audit-key"]').exists()).toBe(false);
  });
});
