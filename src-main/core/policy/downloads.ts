import { posix } from 'node:path';
import type { Analysis } from './analysis.js';
import type { Arg } from './model.js';
import type { Reason } from './types.js';

/**
 * Download-then-run within one command: `curl -o x.sh … && sh x.sh`, `wget …/setup.sh; bash
 * setup.sh`, `./install.sh` after a fetch. The walker visits commands in script order, so a file
 * is known as downloaded before anything later runs it.
 */


/**
 * Where a fetcher saves: its output option (`curl -o F`, `wget -O F`, `--output F`, …) and, for
 * any URL, the URL's last segment (`curl -O`, `wget`'s default). Over-recording only matters if
 * the same command then runs that file.
 */
export function recordDownloads(analysis: Analysis, program: string, args: readonly Arg[]): void {
  const outputOption = program === 'curl' ? /^(-o|--output)$/ : program.startsWith('wget') ? /^(-O|--output-document)$/ : /^(-o|-O|--output|--out)$/;
  const attachedOption = program === 'curl' ? /^(?:-o|--output=)(.+)$/ : program.startsWith('wget') ? /^(?:-O|--output-document=)(.+)$/ : /^(?:-[oO]|--output=|--out=)(.+)$/;
  const values = args.map((a) => a.value);
  values.forEach((value, index) => {
    const next = values[index + 1];
    if (outputOption.test(value) && next !== undefined) analysis.downloads.add(next);
    const attached = attachedOption.exec(value)?.[1];
    if (attached) analysis.downloads.add(attached);
    const url = /^[a-z][a-z0-9+.-]*:\/\/[^?#]*\/([^/?#]+)(?:[?#].*)?$/i.exec(value);
    if (url?.[1]) analysis.downloads.add(url[1]);
  });
}

/** The download `path` names, if any: same path, or the same file name in the working directory. */
function downloadedFile(analysis: Analysis, path: string): string | undefined {
  const normal = (p: string): string => p.replace(/^(\.\/)+/, '');
  const target = normal(path);
  for (const file of analysis.downloads) {
    const saved = normal(file);
    if (saved === target || (!saved.includes('/') && posix.basename(target) === saved) || (!target.includes('/') && posix.basename(saved) === target)) return file;
  }
  return undefined;
}

/** `runner` undefined: the downloaded file is itself the command (`./install.sh`). */
export function denyDownloadedRun(analysis: Analysis, runner: string | undefined, path: string | undefined, add: (r: Reason) => void): boolean {
  const file = path === undefined ? undefined : downloadedFile(analysis, path);
  if (file === undefined || path === undefined) return false;
  add({
    code: 'REMOTE_CODE_EXECUTION',
    rule: 'deny:remote-code',
    message: `blocked: ${runner === undefined ? 'runs' : `\`${runner}\` runs`} \`${path}\`, which a network fetch earlier in this command downloaded`,
  });
  return true;
}
