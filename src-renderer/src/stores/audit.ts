import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AuditRecord, AuditTailItem, AuditVerification } from '../model/contract';
import { describeError, formatProblem } from '../model/problem';
import { call } from '../services/ipc';

const LIMIT = 500;

/** The latest audit records (live), an optional batch filter, and the verifier's verdict. */
export const useAuditStore = defineStore('audit', () => {
  const items = ref<AuditTailItem[]>([]);
  const batchFilter = ref<string | null>(null);
  const loading = ref(false);
  const loaded = ref(false);
  const loadError = ref<string | null>(null);
  const verification = ref<AuditVerification | null>(null);
  const verifyError = ref<string | null>(null);
  const verifying = ref(false);
  let request = 0;

  async function load(): Promise<void> {
    const mine = ++request;
    loading.value = true;
    try {
      const tail = await call('audit:tail', batchFilter.value ? { limit: LIMIT, batchId: batchFilter.value } : { limit: LIMIT });
      if (mine !== request) return;
      items.value = tail;
      loadError.value = null;
      loaded.value = true;
    } catch (error) {
      if (mine === request) loadError.value = formatProblem(describeError(error));
    } finally {
      if (mine === request) loading.value = false;
    }
  }

  function filterBy(batchId: string | null): Promise<void> {
    batchFilter.value = batchId;
    return load();
  }

  /** A record from `audit:appended`: kept if it matches the filter and is not already shown. */
  function append(record: AuditRecord): void {
    if (!loaded.value) return;
    if (batchFilter.value && record.batchId !== batchFilter.value) return;
    const last = items.value.findLast((item) => item.ok);
    if (last?.ok && last.record.seq >= record.seq) return;
    items.value = [...items.value, { ok: true as const, record }].slice(-LIMIT);
  }

  async function verify(): Promise<void> {
    verifying.value = true;
    verifyError.value = null;
    verification.value = null;
    try {
      verification.value = await call('audit:verify', {});
    } catch (error) {
      verifyError.value = formatProblem(describeError(error));
    } finally {
      verifying.value = false;
    }
  }

  return { items, batchFilter, loading, loaded, loadError, verification, verifyError, verifying, load, filterBy, append, verify };
});
