import { ref, type Ref } from 'vue';
import { useToastStore } from '../stores/toast';

/** Old-style copy through a selected textarea, for when the async clipboard API is refused. */
function copyBySelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'clipboard-scratch';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

/**
 * Copies text and says so: `copied` is true for a moment after success; a failure becomes an
 * error toast (CLIPBOARD_FAILED) instead of passing silently.
 */
export function useClipboard(): { copied: Ref<boolean>; copy(text: string, what?: string): Promise<boolean> } {
  const copied = ref(false);
  const toast = useToastStore();
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function copy(text: string, what = 'Text'): Promise<boolean> {
    let ok = false;
    let reason = 'the clipboard is not available';
    try {
      if (!navigator.clipboard) throw new Error(reason);
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
      ok = copyBySelection(text);
    }
    if (!ok) {
      toast.push('error', `${what} was not copied`, reason, 'CLIPBOARD_FAILED');
      return false;
    }
    copied.value = true;
    clearTimeout(timer);
    timer = setTimeout(() => {
      copied.value = false;
    }, 2000);
    return true;
  }

  return { copied, copy };
}
