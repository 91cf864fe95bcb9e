import type { IpcError } from './contract.js';

const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

/**
 * Turns a thrown error into the `{code, message}` a renderer can act on. Our own errors carry a
 * stable code (BatchError, AuditError, SettingsError, autonomy failures); anything else is a bug
 * and is reported as INTERNAL without leaking a stack.
 */
export function describeProblem(error: unknown): IpcError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && CODE.test(code)) return { code, message };
  return { code: 'INTERNAL', message: `internal error: ${message}` };
}
