import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { PatchOp, PatchRequest } from '../../../src-main/core/patch/index.js';

/** A fresh target directory and, beside it (never inside), a directory standing for "outside". */
export function patchDirs(): { root: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'leash-patch-'));
  const root = join(base, 'target');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  return { root, outside };
}

export function request(root: string, ops: PatchOp[], overrides: Partial<PatchRequest> = {}): PatchRequest {
  return { target: 'MAIN', root, ops, allowedActions: ['writeFile', 'moveFile'], allowDeletions: false, maxFilesChanged: 10, protectedPaths: [], ...overrides };
}

/** Every file under `dir` with its bytes (and links as their targets), sorted: a snapshot to compare before and after. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      const name = relative(dir, full);
      if (entry.isSymbolicLink()) out[name] = `-> link`;
      else if (entry.isDirectory()) {
        out[`${name}/`] = 'dir';
        walk(full);
      } else out[name] = `${readFileSync(full, 'utf8')} (mode ${(statSync(full).mode & 0o777).toString(8)})`;
    }
  };
  walk(dir);
  return out;
}
