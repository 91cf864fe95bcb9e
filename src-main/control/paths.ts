import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The control socket of the Leash that owns `dataDir` (a named pipe on Windows). */
export function controlSocketPath(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `\\\\.\\pipe\\leash-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
  return join(dataDir, 'control.sock');
}

/** The per-install secret agents' bridges authenticate with; readable by the user only. */
export function controlSecretPath(dataDir: string): string {
  return join(dataDir, 'control.secret');
}
