import { BatchError } from './errors.js';

/** The shortest prefix that is looked up: shorter ones would match too much to be useful. */
export const MIN_ID_PREFIX = 4;
/** How many characters of an id people are shown (the app, the CLI list, messages to agents). */
export const SHORT_ID_CHARS = 8;
/** How many candidates an ambiguous prefix names. */
const MAX_CANDIDATES = 10;

/** A refused short id, with the ids it could mean (at most ten) when it is ambiguous. */
export class BatchIdError extends BatchError {
  constructor(
    code: 'BATCH_NOT_FOUND' | 'BATCH_ID_AMBIGUOUS' | 'BATCH_ID_TOO_SHORT',
    message: string,
    readonly candidates: string[] = [],
  ) {
    super(code, message);
  }
}

/**
 * The one batch id that `idOrPrefix` names among `ids`: an exact id, or the only id starting
 * with it (case-insensitive, at least MIN_ID_PREFIX characters). Throws BATCH_NOT_FOUND,
 * BATCH_ID_TOO_SHORT, or BATCH_ID_AMBIGUOUS naming the candidates — never a guess. `ids` should
 * be only what the caller may see: candidates are shown to it.
 */
export function resolveBatchId(ids: Iterable<string>, idOrPrefix: string): string {
  const wanted = idOrPrefix.toLowerCase();
  const matches: string[] = [];
  for (const id of ids) {
    if (id === idOrPrefix) return id;
    if (id.toLowerCase().startsWith(wanted)) matches.push(id);
  }
  if (matches.length === 1 && wanted.length >= MIN_ID_PREFIX) return matches[0] as string;
  if (matches.length === 0) throw new BatchIdError('BATCH_NOT_FOUND', `no batch with id ${idOrPrefix}`);
  if (wanted.length < MIN_ID_PREFIX) {
    throw new BatchIdError('BATCH_ID_TOO_SHORT', `"${idOrPrefix}" is too short to name a batch: give at least ${MIN_ID_PREFIX} characters of its id`);
  }
  matches.sort();
  const named = matches.slice(0, MAX_CANDIDATES);
  const more = matches.length > named.length ? ` and ${matches.length - named.length} more` : '';
  throw new BatchIdError('BATCH_ID_AMBIGUOUS', `"${idOrPrefix}" is the start of ${matches.length} batch ids (${named.join(', ')}${more}): give more characters`, named);
}

/** The first SHORT_ID_CHARS characters of an id, as the app shows it. */
export function shortBatchId(id: string): string {
  return id.length > SHORT_ID_CHARS ? id.slice(0, SHORT_ID_CHARS) : id;
}
