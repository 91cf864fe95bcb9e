// Compiles the core and the CLI (plain Node, no Electron) to dist/ for `npx leash`.
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.cli.json'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
