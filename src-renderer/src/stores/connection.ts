import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { setClockFrozen } from '../composables/useNow';
import { currentConnectionState, type ConnectionState } from '../services/connection';
import { useToastStore } from './toast';

/** What a stop control says, at once, when it cannot reach Leash. */
export const STOP_UNREACHABLE = 'not connected: the stop did not reach Leash — use the terminal\'s Ctrl+C or the tray';

const UNREACHABLE_CODES: Record<Exclude<ConnectionState, 'connected'>, string> = {
  connecting: 'DISCONNECTED',
  disconnected: 'DISCONNECTED',
  expired: 'SESSION_EXPIRED',
  'no-session': 'NO_SESSION',
};

/**
 * Whether this page can reach Leash (browser mode's socket; always on the desktop). While it
 * cannot, what the page shows is stale: running timers stop counting, and every stop control
 * says straight away that its press went nowhere.
 */
export const useConnectionStore = defineStore('connection', () => {
  const state = ref<ConnectionState>(currentConnectionState());
  const reachable = computed(() => state.value === 'connected');
  /** Shown but no longer current: the socket dropped or the session ended after it worked. */
  const stale = computed(() => state.value === 'disconnected' || state.value === 'expired' || state.value === 'no-session');

  function set(next: ConnectionState): void {
    state.value = next;
    setClockFrozen(next !== 'connected' && next !== 'connecting');
  }

  /** The answer came, so the connection works (the desktop, or a socket whose event is late). */
  function answered(): void {
    if (state.value === 'connecting') set('connected');
  }

  /**
   * For a stop control: when Leash cannot be reached, says so at once (an error that stays until
   * dismissed) and returns true, so the caller sends nothing.
   */
  function refuseUnreachableStop(control: string): boolean {
    if (state.value === 'connected' || state.value === 'connecting') return false;
    const session = state.value === 'disconnected' ? '' : ' This page\'s session has ended: open the new URL that leash serve printed in its terminal.';
    useToastStore().push('error', `${control} did not reach Leash`, `${STOP_UNREACHABLE}.${session}`, UNREACHABLE_CODES[state.value]);
    return true;
  }

  return { state, reachable, stale, set, answered, refuseUnreachableStop };
});
