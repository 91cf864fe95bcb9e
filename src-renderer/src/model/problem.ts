import type { IpcError } from './contract';

/**
 * Any failure as the `{code, message}` pair the UI shows. IPC refusals already carry a stable
 * code (see `IpcFailure`); anything else is unexpected and says so.
 */
export function describeError(error: unknown): IpcError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && code.length > 0) return { code, message };
  return { code: 'UNEXPECTED', message };
}

export function formatProblem(problem: IpcError): string {
  return `${problem.code}: ${problem.message}`;
}
