import { watchEffect } from 'vue';
import { useBatchListStore } from '../stores/batchList';

export const APP_TITLE = 'Leash';

/** `(2) Leash` while two batches wait for approval, `Leash` when none does: visible on a background tab. */
export function pageTitle(pending: number): string {
  return pending > 0 ? `(${pending}) ${APP_TITLE}` : APP_TITLE;
}

/** Keeps the document title on the pending count for as long as the calling component lives. */
export function usePageTitle(): void {
  const list = useBatchListStore();
  watchEffect(() => {
    document.title = pageTitle(list.pendingCount);
  });
}
