import { defineStore } from 'pinia';
import { ref } from 'vue';

export type ViewName = 'batches' | 'new' | 'settings' | 'audit';

export const VIEWS: { name: ViewName; label: string; key: string }[] = [
  { name: 'batches', label: 'Batches', key: '1' },
  { name: 'new', label: 'New batch', key: '2' },
  { name: 'settings', label: 'Settings', key: '3' },
  { name: 'audit', label: 'Audit', key: '4' },
];

/** Which view is shown and which overlays are open. */
export const useUiStore = defineStore('ui', () => {
  const view = ref<ViewName>('batches');
  const helpOpen = ref(false);
  /** Open modal dialogs; while any is open, single-key shortcuts stay quiet. */
  const openDialogs = ref(0);
  /** Bumped by `N`: the New batch view puts the cursor in its text box each time it changes. */
  const composeFocus = ref(0);

  function show(name: ViewName): void {
    view.value = name;
  }

  /** Opens New batch with the cursor in the text box, ready to paste. */
  function compose(): void {
    view.value = 'new';
    composeFocus.value += 1;
  }

  function toggleHelp(open = !helpOpen.value): void {
    helpOpen.value = open;
  }

  function dialogOpened(): void {
    openDialogs.value += 1;
  }

  function dialogClosed(): void {
    openDialogs.value = Math.max(0, openDialogs.value - 1);
  }

  return { view, helpOpen, openDialogs, composeFocus, show, compose, toggleHelp, dialogOpened, dialogClosed };
});
