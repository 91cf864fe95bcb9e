import { resolveExecutable } from './executable.js';
import type { EntryError, EntryRequest } from './types.js';
import { cwdExists } from './workingDirectory.js';

/**
 * Names why a process could not be created. The OS reports a missing cwd and a missing shell
 * with the same ENOENT, so we look at both ourselves, in the order a person would fix them.
 */
export async function classifySpawnFailure(request: EntryRequest, shell: string, reason: string): Promise<EntryError> {
  if (!(await cwdExists(request.cwd))) {
    return { code: 'CWD_NOT_FOUND', message: `Working directory not found or not a directory: ${request.cwd}` };
  }
  if ((await resolveExecutable(shell, request.env, request.cwd))?.kind !== 'file') {
    return { code: 'SHELL_NOT_FOUND', message: `Shell not found or not executable: ${shell}` };
  }
  return { code: 'SPAWN_FAILED', message: reason };
}
