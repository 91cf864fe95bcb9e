import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/**
 * A hard link to one of Leash's files, made somewhere a command may write, would let the
 * command change that file through the link: no mount covers an inode reached by another
 * name. A sandboxed command cannot make such a link (the state is hidden, and `link()` does not
 * cross mounts), but something outside any sandbox could have, before the run. Leash's own
 * files never have a second name, so any file of its state with more than one link is refused.
 *
 * Checked: each state path that is a file (the audit, its checkpoint and lock) and the files
 * directly in each state directory (settings, the control secret). Batch files are not walked
 * (their number grows with history, and this runs before every entry): each is replaced by a
 * rename on every write, so a link to one goes stale at the next change.
 */
export function linkedStateFile(statePaths: readonly string[]): string | null {
  for (const path of statePaths) {
    const info = lstatOrNull(path);
    if (info === null) continue;
    if (info.isFile() && info.nlink > 1) return path;
    if (!info.isDirectory()) continue;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      continue;
    }
    for (const name of names) {
      const child = lstatOrNull(join(path, name));
      if (child?.isFile() && child.nlink > 1) return join(path, name);
    }
  }
  return null;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
