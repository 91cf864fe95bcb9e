import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { DEFAULT_DURATION, describeLasting, durationLabel, lowerFirst, type AutonomyDuration } from '../model/autonomyDuration';
import type { AutonomyChallenge, AutonomyStatus, IpcError } from '../model/contract';
import { describeError } from '../model/problem';
import { call } from '../services/ipc';
import { useToastStore } from './toast';

/**
 * Semi-autonomy: its status, and the token round trip that switches it on. The token lives only
 * in memory while the dialog is open; main keeps nothing but its hash.
 */
export const useAutonomyStore = defineStore('autonomy', () => {
  const toast = useToastStore();
  const status = ref<AutonomyStatus>({ enabled: false, fingerprint: null });
  const known = ref(false);
  const challenge = ref<AutonomyChallenge | null>(null);
  const confirmError = ref<IpcError | null>(null);
  const busy = ref(false);
  /** The duration chosen in the dialog; main gets it with the pasted token. */
  const duration = ref<AutonomyDuration>(DEFAULT_DURATION);

  const enabled = computed(() => status.value.enabled);

  function set(next: AutonomyStatus): void {
    const was = status.value;
    // Main ended it on time (the page may be on any screen): say so once, with what it was.
    if (next.ended === 'expired' && was.enabled) {
      toast.push('info', 'Semi-autonomy has ended', `The ${was.duration ? lowerFirst(durationLabel(was.duration)) : 'time'} it was switched on for is over: batches wait for a person again.`);
    }
    status.value = next;
    known.value = true;
  }

  async function load(): Promise<void> {
    try {
      set(await call('autonomy:status', {}));
    } catch (error) {
      toast.failure('Could not read the autonomy state', error);
    }
  }

  /** Asks main for a fresh token to show the person. */
  async function begin(): Promise<boolean> {
    busy.value = true;
    confirmError.value = null;
    try {
      challenge.value = await call('autonomy:begin', {});
      return true;
    } catch (error) {
      toast.failure('Could not start enabling semi-autonomy', error);
      return false;
    } finally {
      busy.value = false;
    }
  }

  /** Sends the pasted token back; a wrong one is refused (and audited by main as AUTH_FAILURE). */
  function choose(next: AutonomyDuration): void {
    duration.value = next;
  }

  async function confirm(pasted: string): Promise<boolean> {
    busy.value = true;
    confirmError.value = null;
    try {
      set(await call('autonomy:confirm', { token: pasted.trim(), duration: duration.value }));
      challenge.value = null;
      toast.success('Semi-autonomy is on', `${describeLasting(status.value)}. Token fingerprint ${status.value.fingerprint ?? '?'}.`);
      duration.value = DEFAULT_DURATION;
      return true;
    } catch (error) {
      confirmError.value = describeError(error);
      return false;
    } finally {
      busy.value = false;
    }
  }

  function clearError(): void {
    confirmError.value = null;
  }

  function cancel(): void {
    challenge.value = null;
    duration.value = DEFAULT_DURATION;
    confirmError.value = null;
  }

  async function disable(): Promise<void> {
    busy.value = true;
    try {
      set(await call('autonomy:disable', {}));
      toast.success('Semi-autonomy is off');
    } catch (error) {
      toast.failure('Could not turn semi-autonomy off', error);
    } finally {
      busy.value = false;
    }
  }

  return { status, known, enabled, challenge, confirmError, busy, duration, set, load, begin, choose, confirm, clearError, cancel, disable };
});
