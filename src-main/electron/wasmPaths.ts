import { defaultWasmPaths } from '../core/policy/bashParser.js';

/**
 * The unpacked twin of a path inside `app.asar`. electron-builder's `asarUnpack` puts the
 * tree-sitter wasm files in `app.asar.unpacked/`; Electron's patched `fs` would also read them
 * through the archive, but a real file path is what any non-patched reader (a worker, a child
 * process, a future native loader) needs.
 */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/**
 * Where the policy engine's wasm files are: the packages' own copies in development, their
 * unpacked copies in a packaged app. For `createPolicyEngine(...)` once `openLeash` accepts it.
 */
export function policyWasmPaths(packaged: boolean): { grammarPath: string; runtimePath: string } {
  const paths = defaultWasmPaths();
  if (!packaged) return paths;
  return { grammarPath: unpackedPath(paths.grammarPath), runtimePath: unpackedPath(paths.runtimePath) };
}
