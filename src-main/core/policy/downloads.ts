import { posix } from 'node:path';
import type { Analysis } from './analysis.js';
import type { Arg } from './model.js';
import { longOptions, scanOptions, shortOptions, type OptionSpec } from './options.js';
import type { Reason } from './types.js';

/**
 * Download-then-run within one command: `curl -o x.sh … && sh x.sh`, `wget …/setup.sh; bash
 * setup.sh`, `./install.sh` after a fetch. The walker visits commands in script order, so a file
 * is known as downloaded before anything later runs it.
 */


/** curl's and wget's options that take a value, so a clustered `-fsSLo FILE` is read as getopt does. */
const CURL_OPTIONS: OptionSpec = {
  short: shortOptions('#0123467:ABfGgIiJjkLlMNnOpqRsSvVZz', 'abcCdDeEFhHKmoPQrtTuUwxXYy'),
  long: longOptions([], ['output', 'output-dir', 'config', 'upload-file', 'data', 'url', 'user', 'header', 'request', 'cookie', 'cookie-jar', 'dump-header', 'trace', 'trace-ascii', 'stderr', 'write-out']),
};
const WGET_OPTIONS: OptionSpec = {
  short: shortOptions('46bcdEFhHkKLmNnpqrSvVx', 'aAcDeIilLoOPQRtTUwXY'),
  long: longOptions([], ['output-document', 'directory-prefix', 'output-file', 'append-output', 'input-file', 'execute']),
};

/**
 * Where a fetcher saves: its output option (`curl -o F`, `-fsSLo F`, `wget -O F`, `--output F`),
 * the files its output is redirected to, and, for any URL, the URL's last segment (`curl -O`,
 * wget's default). Over-recording only matters if the same command then runs that file.
 */
export function recordDownloads(analysis: Analysis, program: string, args: readonly Arg[], writes: readonly string[]): void {
  const values = args.map((a) => a.value);
  const wget = program.startsWith('wget');
  const scanned = scanOptions(values, wget ? WGET_OPTIONS : CURL_OPTIONS);
  const outputs = wget ? ['-O', '--output-document'] : ['-o', '--output'];
  for (const option of scanned.options) if (outputs.includes(option.name) && option.value) analysis.downloads.add(option.value);
  for (const value of values) {
    const attached = /^--(?:output|output-document|out)=(.+)$/.exec(value)?.[1];
    if (attached) analysis.downloads.add(attached);
    const url = /^[a-z][a-z0-9+.-]*:\/\/[^?#]*\/([^/?#]+)(?:[?#].*)?$/i.exec(value);
    if (url?.[1]) analysis.downloads.add(url[1]);
  }
  for (const file of writes) analysis.downloads.add(file);
}

/** `curl … | tee FILE`: every file tee writes holds the download. */
export function recordTee(analysis: Analysis, args: readonly Arg[]): void {
  for (const arg of args) if (!arg.value.startsWith('-')) analysis.downloads.add(arg.value);
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
