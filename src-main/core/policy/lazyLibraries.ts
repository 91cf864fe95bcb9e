import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import type * as ShellQuote from 'shell-quote';

/**
 * Libraries the engine needs only on some paths, loaded on first use instead of at start-up:
 * re2js (about 260 kB of JavaScript) matches a person's allow patterns, shell-quote tokenizes
 * what the grammar cannot parse and quotes words for those patterns. Importing them eagerly
 * cost a fifth of the time to a first verdict (`npm run bench:policy`, start-up), which every
 * short-lived `leash` process pays. Both ship CommonJS builds, so a synchronous `require` keeps
 * `classify` synchronous.
 */

// Not named `require`: electron-vite's ESM shim declares a module-level `require` in the bundle.
const load = createRequire(import.meta.url);

let re2: typeof RE2JS | undefined;
let shellQuote: typeof ShellQuote | undefined;

/** The RE2JS class (linear-time regular expressions), loaded on the first call. */
export function re2js(): typeof RE2JS {
  re2 ??= (load('re2js') as { RE2JS: typeof RE2JS }).RE2JS;
  return re2;
}

/** shell-quote's `parse` and `quote`, loaded on the first call. */
export function shellQuoting(): typeof ShellQuote {
  shellQuote ??= load('shell-quote') as typeof ShellQuote;
  return shellQuote;
}
