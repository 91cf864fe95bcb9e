#!/usr/bin/env node
// The `leash` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare):
// each command runs from its own bundle with V8's code cache (src-main/cli/bundleLoader.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const loaderFile = fileURLToPath(new URL('../dist/cli/bundleLoader.js', import.meta.url));
if (!existsSync(loaderFile)) {
  process.stderr.write('leash: the CLI is not built yet; run `npm run build:cli` (npm install does it for you).\n');
  process.exit(2);
}
const { bundleFor, bundlesDirectory, loadBundle } = await import(new URL('../dist/cli/bundleLoader.js', import.meta.url).href);
const argv = process.argv.slice(2);
const { bundle } = loadBundle(bundleFor(bundlesDirectory(fileURLToPath(new URL('../dist/cli/', import.meta.url))), argv[0]));
process.exitCode = await bundle.main(argv);
