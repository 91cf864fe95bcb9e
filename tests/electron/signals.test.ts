import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeDir, scratchDir } from './leashFixture.js';

/**
 * electron-store's writer (atomically → when-exit) hooks SIGTERM with a one-shot listener that
 * re-raises the signal. With no other listener, the default action is back by then and the
 * process dies at once: in Electron that skips `before-quit`, the emergency stop and
 * `leash.close()`. These run the real packages in a real Node process.
 */
const repo = join(import.meta.dirname, '../..');
const moduleUrl = (path: string): string => JSON.stringify(pathToFileURL(join(repo, path)).href);
let dir: string;

beforeEach(async () => {
  dir = await scratchDir('leash-signals-');
});
afterEach(async () => {
  await removeDir(dir);
});

async function runChild(listen: 'route' | 'none'): Promise<{ stdout: string; code: number | null; signal: NodeJS.Signals | null }> {
  const script = join(dir, 'child.mts');
  await writeFile(
    script,
    `
import ElectronStore from ${moduleUrl('node_modules/electron-store/index.js')};
import { routeSignalsToQuit } from ${moduleUrl('src-main/electron/quit.ts')};
const store = new ElectronStore({ cwd: ${JSON.stringify(dir)}, name: 'config' });
store.store = { maxBatchSize: 3 };
// What the quit path does: slow, asynchronous closing, then exit.
const closeThenExit = (reason: string): void => {
  setTimeout(() => {
    process.stdout.write('closed after ' + reason + '\\n');
    process.exit(0);
  }, 300);
};
let closing = false;
const guard = { quitWithoutAsking: (reason: string) => { if (!closing) { closing = true; closeThenExit(reason); } } };
if (${JSON.stringify(listen)} === 'route') routeSignalsToQuit(process, guard);
process.stdout.write('ready\\n');
setInterval(() => undefined, 1000);
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repo,
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent/electron-dist' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout === 'ready\n') child.kill('SIGTERM');
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ stdout, code, signal })));
}

describe('a termination signal with electron-store loaded', () => {
  it('reaches the quit path, which finishes before the process exits', async () => {
    const result = await runChild('route');
    expect(result).toEqual({ stdout: 'ready\nclosed after received SIGTERM\n', code: 0, signal: null });
  });

  it('kills the process outright when nothing of ours listens (the trap routeSignalsToQuit closes)', async () => {
    const result = await runChild('none');
    expect(result).toEqual({ stdout: 'ready\n', code: null, signal: 'SIGTERM' });
  });
});
