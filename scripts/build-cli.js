// Compiles the core and the CLI (plain Node, no Electron) to dist/ for `npx leash`: tsc writes
// dist/ module by module (what the benchmarks import), then esbuild writes one self-contained
// CommonJS bundle per command to dist/cli/bundles/ with V8's code cache beside it, which is what
// bin/leash.js runs (src-main/cli/bundleLoader.ts says why).
// Builds into a fresh directory and swaps it in, so a `leash` already running (or started
// meanwhile) never sees a half-built dist/.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const root = new URL('../', import.meta.url);
const staging = new URL(`dist.building-${process.pid}/`, root);
const retired = new URL(`dist.retired-${process.pid}/`, root);
const dist = new URL('dist/', root);

function fail(message) {
  rmSync(staging, { recursive: true, force: true });
  if (message) console.error(`build-cli: ${message}`);
  process.exit(1);
}

const tsc = require.resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.cli.json', '--outDir', fileURLToPath(staging)], { stdio: 'inherit', cwd: root });
if (result.status !== 0) fail();

const loader = await import(pathToFileURL(fileURLToPath(new URL('cli/bundleLoader.js', staging))).href);
const bundles = loader.bundlesDirectory(fileURLToPath(new URL('cli/', staging)));

/** In the bundle of one command, every other command's module is a stub that is never loaded. */
function onlyCommand(command) {
  return {
    name: 'only-command',
    setup(b) {
      b.onResolve({ filter: /^\.\/commands\/[a-z]+\.js$/ }, (args) => {
        if (!args.importer.endsWith(`${'src-main'}/cli/index.ts`) || args.path === `./commands/${command}.js`) return undefined;
        return { path: args.path, namespace: 'absent-command' };
      });
      b.onLoad({ filter: /.*/, namespace: 'absent-command' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`leash: ${args.path} is not in the ${command} bundle (bin/leash.js picks the bundle by command)`)});`,
        loader: 'js',
      }));
    },
  };
}

/**
 * zod's `z.locales` (every language's error messages, 400 kB) is never used: errors are in the
 * English zod registers by itself. web-tree-sitter imports node's own modules with `import()`,
 * which a script compiled by `vm.Script` cannot do; `require` gives the same modules.
 */
const trimDependencies = {
  name: 'trim-dependencies',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]v4[\\/]classic[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'unused-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'unused-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
    const builtins = new Set(builtinModules);
    b.onLoad({ filter: /[\\/]node_modules[\\/]web-tree-sitter[\\/].*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8').replace(/\bimport\((["'])([^"']+)\1\)/g, (call, quote, name) =>
        builtins.has(name.replace(/^node:/, '')) ? `Promise.resolve(__leash_require(${quote}${name}${quote}))` : call,
      );
      return { contents: text, loader: 'js' };
    });
  },
};

const commands = [...loader.BUNDLED_COMMANDS, 'help'];
try {
  await Promise.all(
    commands.map((command) =>
      build({
        // The command's module is imported up front as well, so its code runs (and is compiled,
        // and lands in the code cache) when the bundle loads rather than on the first call.
        stdin: {
          contents: `export { main } from './index.ts';\n${command === 'help' ? '' : `import './commands/${command}.ts';\n`}`,
          resolveDir: fileURLToPath(new URL('src-main/cli/', root)),
          sourcefile: `leash-${command}.ts`,
          loader: 'ts',
        },
        outfile: loader.bundleFor(bundles, command),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        charset: 'ascii',
        minifyWhitespace: true,
        minifySyntax: true,
        legalComments: 'none',
        // A bundle finds its package (the wasm files, package.json, the renderer) from its own path.
        define: { 'import.meta.url': '__leash_import_meta_url' },
        banner: { js: "var __leash_import_meta_url = require('url').pathToFileURL(__filename).href, __leash_require = require;" },
        // Loaded at run time with createRequire (lazily, see core/policy/lazyLibraries.ts).
        external: ['re2js'],
        plugins: [onlyCommand(command), trimDependencies],
        logLevel: 'warning',
      }),
    ),
  );
} catch (error) {
  fail(`bundling failed: ${error.message}`);
}

// The code caches, each made by a fresh node (the one building) with default flags, as bin/leash.js runs.
const finalBundles = loader.bundlesDirectory(fileURLToPath(new URL('cli/', dist)));
for (const command of commands) {
  const file = loader.bundleFor(bundles, command);
  const options = { writeCache: true, scriptName: loader.bundleFor(finalBundles, command) };
  const made = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `import { loadBundle } from ${JSON.stringify(pathToFileURL(fileURLToPath(new URL('cli/bundleLoader.js', staging))).href)}; loadBundle(${JSON.stringify(file)}, ${JSON.stringify(options)});`],
    { stdio: 'inherit', cwd: root },
  );
  if (made.status !== 0) fail(`could not make the code cache of ${file}`);
}

if (existsSync(dist)) renameSync(dist, retired);
renameSync(staging, dist);
rmSync(retired, { recursive: true, force: true });
