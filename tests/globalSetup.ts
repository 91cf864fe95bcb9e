import { spawnSync } from 'node:child_process';

/**
 * The CLI tests run the compiled `leash` binary and the end-to-end tests serve the built
 * renderer: build both once, fresh, before any test. A renderer that fails to build fails the
 * end-to-end tests (they say why), not every other suite.
 */
export default function setup(): void {
  const cli = spawnSync(process.execPath, ['scripts/build-cli.js'], { stdio: 'inherit' });
  if (cli.status !== 0) throw new Error('building the CLI failed');
  if (process.env.LEASH_SKIP_APP_BUILD === '1') return;
  const app = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build', '--logLevel', 'error'], { stdio: 'inherit' });
  if (app.status !== 0) console.error('warning: building the app failed; the end-to-end tests will fail');
}
