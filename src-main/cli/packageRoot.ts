import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'leash';

/**
 * The directory of Leash's own package.json, found upward from `from` (this module by default).
 * The code runs from several depths: src-main/cli/ (tests), dist/cli/commands/ (compiled),
 * dist/cli/ (the launcher's bundles) and out/main/ (the app's chunks), so no fixed `../..` fits
 * all of them. Undefined when no ancestor holds it.
 */
export function packageRoot(from: string = import.meta.url): string | undefined {
  let directory = dirname(fileURLToPath(from));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: unknown };
      if (manifest.name === PACKAGE_NAME) return directory;
    } catch {
      // No package.json here, or not ours: keep climbing.
    }
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}
