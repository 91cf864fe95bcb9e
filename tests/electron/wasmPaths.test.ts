import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyWasmPaths, unpackedPath } from '../../src-main/electron/wasmPaths.js';

describe('the policy engine wasm paths', () => {
  it.each([
    ['/opt/Leash/resources/app.asar/node_modules/tree-sitter-bash/tree-sitter-bash.wasm', '/opt/Leash/resources/app.asar.unpacked/node_modules/tree-sitter-bash/tree-sitter-bash.wasm'],
    ['C:\\Program Files\\Leash\\resources\\app.asar\\node_modules\\web-tree-sitter\\web-tree-sitter.wasm', 'C:\\Program Files\\Leash\\resources\\app.asar.unpacked\\node_modules\\web-tree-sitter\\web-tree-sitter.wasm'],
    ['/work/main/node_modules/tree-sitter-bash/tree-sitter-bash.wasm', '/work/main/node_modules/tree-sitter-bash/tree-sitter-bash.wasm'],
    ['/opt/app.asar.unpacked/x.wasm', '/opt/app.asar.unpacked/x.wasm'],
  ])('maps %s to %s', (path, expected) => {
    expect(unpackedPath(path)).toBe(expected);
  });

  it('are the packages\' own files in development', () => {
    const { grammarPath, runtimePath } = policyWasmPaths(false);
    expect(grammarPath).toMatch(/tree-sitter-bash\.wasm$/);
    expect(runtimePath).toMatch(/web-tree-sitter\.wasm$/);
    expect(existsSync(grammarPath) && existsSync(runtimePath)).toBe(true);
  });
});
