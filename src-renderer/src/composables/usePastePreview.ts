import { onScopeDispose, ref, watch, type Ref } from 'vue';
import type { IpcError, PreviewResult } from '../model/contract';
import { describeError } from '../model/problem';
import { call } from '../services/ipc';

/** The request schema's limit on pasted text (characters). */
export const MAX_PASTE_CHARS = 1_000_000;
/** Main reads at most this much UTF-8 at a time (core/intake's MAX_PASTE_BYTES). */
export const MAX_PASTE_BYTES = 1_000_000;

/** Why `value` is too large to preview, or null. Counts UTF-8 only when characters alone cannot tell. */
function tooLarge(value: string): string | null {
  if (value.length > MAX_PASTE_CHARS) {
    return `the text is ${value.length.toLocaleString('en-US')} characters; at most ${MAX_PASTE_CHARS.toLocaleString('en-US')} can be previewed`;
  }
  if (value.length * 3 <= MAX_PASTE_BYTES) return null;
  const bytes = new TextEncoder().encode(value).length;
  if (bytes <= MAX_PASTE_BYTES) return null;
  return `the text is ${(bytes / 1_000_000).toFixed(1)} MB (${value.length.toLocaleString('en-US')} characters); Leash reads at most 1 MB at a time: paste it in parts`;
}

/**
 * A live `batch:preview` of `text`, debounced, judged with the person's rules for `cwd` (the
 * batch's working directory; empty is home). `pending` is true from the moment the text or the
 * directory changes until the preview of that very text is in, so nothing can be created from a
 * stale preview; answers to older requests are dropped.
 */
export function usePastePreview(text: Ref<string>, cwd: Ref<string> = ref(''), delayMs = 250): {
  result: Ref<PreviewResult | null>;
  previewedText: Ref<string>;
  pending: Ref<boolean>;
  error: Ref<IpcError | null>;
} {
  const result = ref<PreviewResult | null>(null);
  const previewedText = ref('');
  const pending = ref(false);
  const error = ref<IpcError | null>(null);
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function preview(value: string, dir: string, mine: number): Promise<void> {
    try {
      const answer = await call('batch:preview', dir.trim() === '' ? { text: value } : { text: value, cwd: dir });
      if (mine !== sequence) return;
      result.value = answer;
      previewedText.value = value;
      error.value = null;
    } catch (failure) {
      if (mine !== sequence) return;
      result.value = null;
      error.value = describeError(failure);
    } finally {
      if (mine === sequence) pending.value = false;
    }
  }

  watch(
    [text, cwd],
    ([value, dir]) => {
      clearTimeout(timer);
      const mine = ++sequence;
      if (value.trim() === '') {
        result.value = null;
        error.value = null;
        pending.value = false;
        return;
      }
      const large = tooLarge(value);
      if (large) {
        result.value = null;
        error.value = { code: 'PASTE_TOO_LARGE', message: large };
        pending.value = false;
        return;
      }
      pending.value = true;
      timer = setTimeout(() => void preview(value, dir, mine), delayMs);
    },
    { immediate: true },
  );

  onScopeDispose(() => clearTimeout(timer));

  return { result, previewedText, pending, error };
}
