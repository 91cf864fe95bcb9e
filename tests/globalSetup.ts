import { spawnSync } from 'node:child_process';

/** The CLI tests run the compiled `leash` binary: build it once, fresh, before any test. */
export default function setup(): void {
  const result = spawnSync(process.execPath, ['scripts/build-cli.js'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building the CLI failed');
}
