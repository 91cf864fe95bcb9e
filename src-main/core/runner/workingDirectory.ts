import { stat } from 'node:fs/promises';

/** Resolves true when `cwd` names an existing directory (following symlinks); never rejects. */
export async function cwdExists(cwd: string): Promise<boolean> {
  try {
    return (await stat(cwd)).isDirectory();
  } catch {
    return false;
  }
}
