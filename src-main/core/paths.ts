import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'Leash';

/**
 * The per-user data directory, the same one Electron's `userData` resolves to, so the desktop
 * app, the CLI and browser mode share settings, batches and the audit trail. `LEASH_HOME`
 * overrides it (tests always set it to a temporary directory).
 */
export function dataDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.LEASH_HOME) return env.LEASH_HOME;
  const home = env.HOME || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_NAME);
}

/** Well-known files inside the data directory. */
export function dataPaths(dir: string): { settings: string; audit: string; batches: string; lock: string; sandboxProbe: string } {
  return {
    settings: join(dir, 'config.json'),
    audit: join(dir, 'audit.jsonl'),
    batches: join(dir, 'batches'),
    lock: join(dir, 'leash.lock'),
    // A passed sandbox probe, remembered (core/sandbox/probeCache.ts).
    sandboxProbe: join(dir, 'sandbox-probe.json'),
  };
}
