import { defineStore } from 'pinia';
import { ref } from 'vue';
import { describeError } from '../model/problem';

export type ToastKind = 'error' | 'success' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message: string;
  code: string | null;
}

const SUCCESS_MS = 4000;
const MAX_TOASTS = 6;

/**
 * Notifications. Errors stay until dismissed so that no failure passes unnoticed; successes fade
 * after a few seconds.
 */
export const useToastStore = defineStore('toast', () => {
  const toasts = ref<Toast[]>([]);
  let nextId = 1;

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((toast) => toast.id !== id);
  }

  function push(kind: ToastKind, title: string, message = '', code: string | null = null): number {
    const id = nextId++;
    toasts.value = [...toasts.value, { id, kind, title, message, code }].slice(-MAX_TOASTS);
    if (kind !== 'error') setTimeout(() => dismiss(id), SUCCESS_MS);
    return id;
  }

  /** Shows a failed action: `title` says what was attempted, the error gives code and message. */
  function failure(title: string, error: unknown): number {
    const problem = describeError(error);
    return push('error', title, problem.message, problem.code);
  }

  function success(title: string, message = ''): number {
    return push('success', title, message);
  }

  function clear(): void {
    toasts.value = [];
  }

  return { toasts, push, failure, success, dismiss, clear };
});
