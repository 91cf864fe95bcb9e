import { isPlainObject } from './commandFile.js';
import { jsonText, readJsonIfExists, writeFileAtomic } from './folder.js';
import { InboxError } from './inboxError.js';
import { createSerialQueue } from './serialQueue.js';

/**
 * `meta/seen.json`: the ids and nonces of accepted commands, each kept until its command has
 * expired (plus the clock skew allowance). After that a replay is refused as `EXPIRED` anyway,
 * so the ledger stays small without ever letting a replay through. Ids that ran are refused for
 * good by their files in archive/ and results/, which the processor checks too.
 *
 * Only commands whose signature verified are recorded: a forged file must not be able to burn an
 * id or a nonce that its real sender will use.
 *
 * Ids are compared without regard to case, because on a case-insensitive file system `A` and
 * `a` would share their files in results/ and archive/.
 *
 * ```json
 * {"ids": {"<id>": "<expires_at>"}, "nonces": {"<nonce>": {"expires_at": "…", "id": "<id>"}}, "schemaVersion": 1}
 * ```
 */
export interface ReplayLedger {
  /** `REPLAYED_ID` or `REPLAYED_NONCE` if either was seen and has not expired yet; null otherwise. */
  check(id: string, nonce: string): 'REPLAYED_ID' | 'REPLAYED_NONCE' | null;
  /** Records both (idempotent), dropping entries that have expired, and writes the file atomically. */
  record(id: string, nonce: string, expiresAtMs: number): Promise<void>;
}

interface Seen {
  id: string;
  expiresMs: number;
}

/**
 * Opens the ledger at `path`. Throws {@link InboxError} `INBOX_META_UNREADABLE` if the file exists
 * but is not a ledger: the inbox fails closed rather than forget what it has seen.
 */
export async function openReplayLedger(path: string, options: { nowMs: () => number; retainMs: number }): Promise<ReplayLedger> {
  const ids = new Map<string, Seen>();
  const nonces = new Map<string, Seen>();
  load(await readLedger(path), ids, nonces);
  const queue = createSerialQueue();
  const live = (seen: Seen | undefined): boolean => seen !== undefined && seen.expiresMs + options.retainMs > options.nowMs();

  return {
    check(id, nonce) {
      if (live(ids.get(id.toLowerCase()))) return 'REPLAYED_ID';
      if (live(nonces.get(nonce))) return 'REPLAYED_NONCE';
      return null;
    },
    record(id, nonce, expiresMs) {
      return queue.run(async () => {
        for (const map of [ids, nonces]) for (const [key, seen] of map) if (!live(seen)) map.delete(key);
        const keep = (map: Map<string, Seen>, key: string): void => {
          const known = map.get(key);
          map.set(key, { id, expiresMs: Math.max(expiresMs, known?.expiresMs ?? 0) });
        };
        keep(ids, id.toLowerCase());
        keep(nonces, nonce);
        await writeFileAtomic(path, jsonText(serialize(ids, nonces)));
      });
    },
  };
}

async function readLedger(path: string): Promise<unknown> {
  try {
    return await readJsonIfExists(path);
  } catch (error) {
    throw new InboxError('INBOX_META_UNREADABLE', `the replay ledger ${path} cannot be read (${(error as Error).message}); fix or remove it to resume the inbox`);
  }
}

function load(value: unknown, ids: Map<string, Seen>, nonces: Map<string, Seen>): void {
  if (value === undefined) return;
  const bad = (): InboxError => new InboxError('INBOX_META_UNREADABLE', 'the replay ledger meta/seen.json is not a ledger; fix or remove it to resume the inbox');
  if (!isPlainObject(value) || !isPlainObject(value.ids) || !isPlainObject(value.nonces)) throw bad();
  for (const [id, expires] of Object.entries(value.ids)) {
    const expiresMs = typeof expires === 'string' ? Date.parse(expires) : NaN;
    if (Number.isNaN(expiresMs)) throw bad();
    ids.set(id.toLowerCase(), { id, expiresMs });
  }
  for (const [nonce, seen] of Object.entries(value.nonces)) {
    const expiresMs = isPlainObject(seen) && typeof seen.expires_at === 'string' ? Date.parse(seen.expires_at) : NaN;
    if (Number.isNaN(expiresMs) || !isPlainObject(seen) || typeof seen.id !== 'string') throw bad();
    nonces.set(nonce, { id: seen.id, expiresMs });
  }
}

/** Keys sorted, so the file changes by a line or two per command (it is published with results). */
function serialize(ids: Map<string, Seen>, nonces: Map<string, Seen>): unknown {
  const sorted = <T>(entries: Array<[string, T]>): Record<string, T> => Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    ids: sorted([...ids.values()].map((seen) => [seen.id, new Date(seen.expiresMs).toISOString()])),
    nonces: sorted([...nonces].map(([nonce, seen]) => [nonce, { expires_at: new Date(seen.expiresMs).toISOString(), id: seen.id }])),
    schemaVersion: 1,
  };
}
