import { nextTick, onBeforeUnmount, onMounted } from 'vue';
import { unavailableReason, type BatchCommand } from '../model/batchActions';
import { matchShortcut, type ShortcutAction } from '../model/shortcuts';
import { resultsSummary } from '../model/resultsSummary';
import { useAppStore } from '../stores/app';
import { useBatchStore } from '../stores/batches';
import { useToastStore } from '../stores/toast';
import { useUiStore } from '../stores/ui';
import { useClipboard } from './useClipboard';

/**
 * Installs the global keyboard shortcuts (see `model/shortcuts.ts`) for the lifetime of the
 * calling component. Batch shortcuts act on the selected batch and only on the Batches screen;
 * while a dialog is open only the emergency stop and `?` answer.
 */
export function useShortcuts(): void {
  const app = useAppStore();
  const batches = useBatchStore();
  const ui = useUiStore();
  const toast = useToastStore();
  const { copy } = useClipboard();

  function perform(action: ShortcutAction): boolean {
    const batch = batches.selected;
    switch (action) {
      case 'emergencyStop':
        void app.emergencyStop();
        return true;
      case 'help':
        ui.toggleHelp();
        return true;
      case 'newBatch':
        ui.compose();
        return true;
      case 'showNew':
        ui.show('new');
        return true;
      case 'showBatches':
        ui.show('batches');
        return true;
      case 'searchBatches':
        ui.show('batches');
        void nextTick(() => document.getElementById('batch-search')?.focus());
        return true;
      case 'showSettings':
        ui.show('settings');
        return true;
      case 'showAudit':
        ui.show('audit');
        return true;
    }
    if (ui.view !== 'batches') return false;
    if (action === 'nextBatch' || action === 'previousBatch') {
      batches.selectNext(action === 'nextBatch' ? 1 : -1);
      return true;
    }
    if (!batch) return false;
    const actions: Partial<Record<ShortcutAction, () => unknown>> = {
      approveRun: () => batches.approveTicked(batch.id, { run: true }),
      approveOnly: () => batches.approveTicked(batch.id, { run: false }),
      unapprove: () => batches.unapprove(batch.id),
      run: () => batches.run(batch.id),
      dryRun: () => batches.dryRun(batch.id),
      reject: () => batches.askReject(batch.id),
      stop: () => batches.stop(batch.id),
      copySummary: () => copy(resultsSummary(batch), 'The results summary'),
    };
    const run = actions[action];
    if (!run) return false;
    if (action !== 'copySummary') {
      const reason = unavailableReason(batch, action as BatchCommand, batches.tickedFor(batch.id).length);
      if (reason) {
        toast.push('info', 'Not available', reason);
        return true;
      }
    }
    void run();
    return true;
  }

  function onKeydown(event: KeyboardEvent): void {
    if (event.defaultPrevented) return;
    const action = matchShortcut(event);
    if (!action) return;
    if (ui.openDialogs > 0 && action !== 'emergencyStop' && action !== 'help') return;
    if (perform(action)) event.preventDefault();
  }

  onMounted(() => window.addEventListener('keydown', onKeydown));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeydown));
}
