// Compiles the core and the CLI (plain Node, no Electron) to dist/ for `npx leash`.
// Builds into a fresh directory and swaps it in, so a `leash` already running (or started
// meanwhile) never sees a half-built dist/.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('../', import.meta.url);
const staging = new URL(`dist.building-${process.pid}/`, root);
const retired = new URL(`dist.retired-${process.pid}/`, root);
const dist = new URL('dist/', root);

const tsc = require.resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.cli.json', '--outDir', staging.pathname], { stdio: 'inherit', cwd: root });
if (result.status !== 0) {
  rmSync(staging, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
if (existsSync(dist)) renameSync(dist, retired);
renameSync(staging, dist);
rmSync(retired, { recursive: true, force: true });
