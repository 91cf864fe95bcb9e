import { SUSPICIOUS_CHARACTER } from '../../shared/suspiciousCharacters.js';
import { PatchError } from './types.js';

/**
 * What a path in a patch may say, judged on its text alone (the file system is checked
 * separately, component by component, in targetFs.ts). A path is relative, `/`-separated, and
 * names something strictly inside the target. Every rule is a refusal with a code:
 *
 * - `PATH_ESCAPE`: absolute paths, drive letters, `..`, backslashes (a separator on Windows and in
 *   some tools), and segments that Unicode compatibility folding (NFKC, what some file systems and
 *   tools apply) would turn into `..` or a separator (`．．`, `∕`, `⁄`);
 * - `HIDDEN`: any segment starting with a dot (`.git`, `.GIT`, `.env`, `.github`), also after folding;
 * - `PATH_RESERVED`: a first segment `commands` or `meta`, in any case or folding;
 * - `PATH_INVALID`: empty, `.` or empty segments, NUL, control, invisible or bidirectional
 *   characters, trailing dots or spaces (Windows drops them: `meta.` is `meta`), text that is not
 *   NFC (macOS would store another spelling), more than {@link MAX_PATH_LENGTH} characters, a
 *   segment longer than {@link MAX_SEGMENT_BYTES} bytes, more than {@link MAX_DEPTH} segments.
 */

export const MAX_PATH_LENGTH = 1024;
export const MAX_SEGMENT_BYTES = 255;
export const MAX_DEPTH = 32;

/** First segments that belong to the bridge, not to the project (compared case-folded). */
export const RESERVED_TOP_LEVEL = ['commands', 'meta'] as const;

const SUSPICIOUS = new RegExp(SUSPICIOUS_CHARACTER.source, 'u');
// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/u;
const SEPARATOR_LOOKALIKE = /[/\\]/u;

/** The path's segments, or throws {@link PatchError} with the code of the first rule it breaks. */
export function checkPatchPath(path: string): string[] {
  const shown = JSON.stringify(path.length > 120 ? `${path.slice(0, 120)}…` : path);
  const refuse = (code: PatchError['code'], why: string): never => {
    throw new PatchError(code, `path ${shown} ${why}`);
  };
  if (path.length === 0) refuse('PATH_INVALID', 'is empty');
  if (path.length > MAX_PATH_LENGTH) refuse('PATH_INVALID', `is longer than ${MAX_PATH_LENGTH} characters`);
  if (path.includes('\0')) refuse('PATH_INVALID', 'contains a NUL character');
  if (CONTROL.test(path)) refuse('PATH_INVALID', 'contains a control character');
  if (path.includes('\\')) refuse('PATH_ESCAPE', 'contains a backslash; use / between directories');
  if (path.startsWith('/')) refuse('PATH_ESCAPE', 'is absolute; paths are relative to the target');
  if (/^[A-Za-z]:/.test(path)) refuse('PATH_ESCAPE', 'starts with a drive letter');
  if (SUSPICIOUS.test(path)) refuse('PATH_INVALID', 'contains an invisible, bidirectional or unassigned character');
  if (path.normalize('NFC') !== path) refuse('PATH_INVALID', 'is not in Unicode normal form C');
  const segments = path.split('/');
  if (segments.length > MAX_DEPTH) refuse('PATH_INVALID', `has more than ${MAX_DEPTH} segments`);
  for (const [index, segment] of segments.entries()) {
    const folded = segment.normalize('NFKC');
    if (segment === '..' || folded === '..' || folded.split(SEPARATOR_LOOKALIKE).includes('..')) refuse('PATH_ESCAPE', 'goes up out of its directory (..)');
    if (SEPARATOR_LOOKALIKE.test(folded)) refuse('PATH_ESCAPE', 'contains a character that folds to a separator');
    if (segment === '' || segment === '.') refuse('PATH_INVALID', 'has an empty or "." segment');
    if (segment.startsWith('.') || folded.startsWith('.')) refuse('HIDDEN', 'goes into a hidden (dot) file or directory');
    if (/[. ]$/u.test(segment) || /[. ]$/u.test(folded)) refuse('PATH_INVALID', 'has a segment ending in a dot or a space');
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) refuse('PATH_INVALID', `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`);
    if (index === 0 && (RESERVED_TOP_LEVEL as readonly string[]).includes(foldCase(segment))) refuse('PATH_RESERVED', `goes into ${segment}/, which belongs to the bridge`);
  }
  return segments;
}

/** The comparison form of a name on a case-insensitive, normalizing file system (APFS, NTFS). */
export function foldCase(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFKC');
}
