import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AuditRecord, AuditStatus, AuditTailItem, AuditVerification } from '../model/contract';
import { describeError, formatProblem } from '../model/problem';
import { call } from '../services/ipc';

const LIMIT = 500;

/** What the header shows while the trail is in doubt: from open (quarantine) or from a failed verification. */
export interface AuditAlarm {
  title: string;
  detail: string;
  seq: number | null;
}

/** The latest audit records (live), an optional batch filter, the verifier's verdict and the trail's status. */
export const useAuditStore = defineStore('audit', () => {
  const items = ref<AuditTailItem[]>([]);
  const batchFilter = ref<string | null>(null);
  const loading = ref(false);
  const loaded = ref(false);
  const loadError = ref<string | null>(null);
  const verification = ref<AuditVerification | null>(null);
  const verifyError = ref<string | null>(null);
  const verifying = ref(false);
  const status = ref<AuditStatus | null>(null);
  /** The segment the table shows when it is one a verification set aside (live records are not added to it). */
  const setAside = ref<string | null>(null);
  let request = 0;

  /** The record verification named first, when it is one the table can mark. */
  const badSeq = computed(() => (verification.value && !verification.value.ok ? (verification.value.firstBad.seq ?? null) : null));

  /**
   * Stays set until a later verification passes (a problem found at open stays for the whole
   * run): a trail in doubt is not something a person should only learn on the Audit screen.
   */
  const alarm = computed<AuditAlarm | null>(() => {
    const result = verification.value;
    if (result && !result.ok) {
      const where = result.firstBad.seq === undefined ? `line ${result.firstBad.line}` : `record ${result.firstBad.seq}`;
      return { title: `Audit trail failed verification: ${result.firstBad.reason} at ${where}`, detail: result.firstBad.message, seq: result.firstBad.seq ?? null };
    }
    if (status.value?.startProblem) return { title: 'Audit trail failed verification and was set aside', detail: status.value.startProblem, seq: null };
    return null;
  });

  async function load(): Promise<void> {
    const mine = ++request;
    loading.value = true;
    try {
      const tail = await call('audit:tail', batchFilter.value ? { limit: LIMIT, batchId: batchFilter.value } : { limit: LIMIT });
      if (mine !== request) return;
      items.value = tail;
      setAside.value = null;
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
    if (!loaded.value || setAside.value) return;
    if (batchFilter.value && record.batchId !== batchFilter.value) return;
    const last = items.value.findLast((item) => item.ok);
    if (last?.ok && last.record.seq >= record.seq) return;
    items.value = [...items.value, { ok: true as const, record }].slice(-LIMIT);
  }

  /**
   * The full check (in main, streaming, off every other path). The table is read again with it,
   * so what is shown is what was verified, never text from before the check.
   */
  async function verify(): Promise<void> {
    verifying.value = true;
    verifyError.value = null;
    try {
      const { setAside: aside, ...result } = await call('audit:verify', {});
      verification.value = result;
      if (aside) {
        // Show the records that failed (the bad one marked), not the new segment they were moved out of.
        ++request;
        items.value = batchFilter.value ? aside.items.filter((item) => item.ok && item.record.batchId === batchFilter.value) : aside.items;
        setAside.value = aside.file;
        loaded.value = true;
        void loadStatus();
      } else if (loaded.value) {
        await load();
      }
    } catch (error) {
      verification.value = null;
      verifyError.value = formatProblem(describeError(error));
    } finally {
      verifying.value = false;
    }
  }

  async function loadStatus(): Promise<void> {
    try {
      status.value = await call('audit:status', {});
    } catch {
      // The header simply shows nothing extra; the Audit screen's own calls report failures.
    }
  }

  return { items, batchFilter, loading, loaded, loadError, verification, verifyError, verifying, status, setAside, badSeq, alarm, load, filterBy, append, verify, loadStatus };
});
