import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { plural } from '../model/format';
import type { BatchSummary } from '../model/contract';
import { isBrowserMode } from '../services/ipc';
import {
  notificationPermission,
  notificationsSupported,
  rememberChoice,
  rememberedChoice,
  requestPermission,
  showNotification,
} from '../services/pageNotifications';
import { useBatchListStore } from './batchList';
import { useBatchStore } from './batches';
import { useToastStore } from './toast';
import { useUiStore } from './ui';

/**
 * How long a new batch must stay pending before a notification goes out: with autonomy on, a
 * batch of allowed commands is approved moments after it arrives and needs nobody (the desktop
 * app waits the same way).
 */
export const SETTLE_MS = 400;
/** The first command in a notification's body, at most this long. */
const BODY_CHARS = 120;

/**
 * Drawing a person to waiting work in browser mode: the offer to turn on notifications (asked
 * once, only after a click), the notifications themselves while the tab is hidden, and opening
 * a batch from anywhere (a notification, the header's waiting chip).
 */
export const useAttentionStore = defineStore('attention', () => {
  const list = useBatchListStore();
  /** Browser mode, notifications supported, the browser never asked and the person never answered. */
  const unanswered = ref(isBrowserMode && notificationsSupported() && notificationPermission() === 'default' && rememberedChoice() === null);
  /**
   * The offer shows when it means something: once a batch from an agent (not pasted here)
   * waits, which is what a notification would have announced.
   */
  const offerOpen = computed(() => unanswered.value && [...list.pending.values()].some((summary) => summary.source !== 'paste'));
  const asking = ref(false);
  const announced = new Set<string>();

  /** Shows the batch on the Batches screen, whatever screen is open. */
  function openBatch(id: string): void {
    useUiStore().show('batches');
    useBatchStore().select(id);
  }

  /** "Enable": the person's click, then the browser's own question. */
  async function enable(): Promise<void> {
    asking.value = true;
    try {
      const answer = await requestPermission();
      rememberChoice(answer === 'granted' ? 'granted' : answer === 'denied' ? 'denied' : 'not-now');
      unanswered.value = false;
      if (answer === 'granted') useToastStore().success('Notifications are on', 'Leash tells you when a batch waits while this tab is in the background.');
      else useToastStore().push('info', 'Notifications stay off', 'The browser did not allow them. You can change that in its site settings for this page.');
    } finally {
      asking.value = false;
    }
  }

  function notNow(): void {
    rememberChoice('not-now');
    unanswered.value = false;
  }

  /** A batch the page learned of just now: announced once, if it still waits, the tab is hidden and permission is granted. */
  function batchArrived(summary: BatchSummary): void {
    if (!isBrowserMode || summary.status !== 'pending' || announced.has(summary.id)) return;
    announced.add(summary.id);
    setTimeout(() => {
      const still = list.pending.get(summary.id);
      if (!still || document.visibilityState !== 'hidden') return;
      const first = still.firstCommand.length > BODY_CHARS ? `${still.firstCommand.slice(0, BODY_CHARS - 1)}…` : still.firstCommand;
      showNotification(`${still.source}: ${plural(still.entryCount, 'command')} to review`, { body: first, tag: `leash-batch-${still.id}` }, () => openBatch(still.id));
    }, SETTLE_MS);
  }

  return { offerOpen, asking, openBatch, enable, notNow, batchArrived };
});
