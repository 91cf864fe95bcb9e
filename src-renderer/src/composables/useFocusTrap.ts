import { nextTick, onBeforeUnmount, onMounted, type Ref } from 'vue';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Modal focus handling for `panel`: on mount focus moves in (to `[data-autofocus]` or the first
 * control), Tab and Shift+Tab cycle inside, Escape calls `onEscape`; on unmount focus returns
 * to where it was. Returns the keydown handler to bind on the panel.
 */
export function useFocusTrap(panel: Readonly<Ref<HTMLElement | null>>, onEscape: () => void): { onKeydown(event: KeyboardEvent): void } {
  let previous: HTMLElement | null = null;

  function focusables(): HTMLElement[] {
    return panel.value ? [...panel.value.querySelectorAll<HTMLElement>(FOCUSABLE)] : [];
  }

  function onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onEscape();
      return;
    }
    if (event.key !== 'Tab') return;
    const items = focusables();
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  onMounted(async () => {
    previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    await nextTick();
    const target = panel.value?.querySelector<HTMLElement>('[data-autofocus]') ?? focusables()[0] ?? panel.value;
    target?.focus();
  });

  onBeforeUnmount(() => {
    if (previous?.isConnected) previous.focus();
  });

  return { onKeydown };
}
