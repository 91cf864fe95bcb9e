import { isPlainObject } from './commandFile.js';
import { jsonText, readJsonIfExists, writeFileAtomic } from './folder.js';
import { InboxError } from './inboxError.js';
import { createSerialQueue } from './serialQueue.js';

/**
 * `meta/inflight.json`: every accepted command whose results are not written yet, with the id
 * of its batch once that exists. It is written *before* anything irreversible happens (the move
 * out of commands/, the batch), which is what lets a restart finish the work instead of losing
 * it or doing it twice.
 *
 * ```json
 * {"commands": {"<id>": {"accepted_at": "…", "batch_id": null, "file": "<name in commands/>",
 *   "input_sha256": "…", "verified_with": "env:LEASH_INBOX_HMAC_SECRET"}}, "schemaVersion": 1}
 * ```
 */
export interface InflightRecord {
  /** Null between the record and the batch (a restart then looks the batch up by its source). */
  batchId: string | null;
  /** The file's name in commands/, where it was before the move to meta/accepted/. */
  file: string;
  acceptedAt: string;
  /** SHA-256 of the original bytes, checked when the original is found again after a crash. */
  inputSha256: string;
  /** Label of the key the signature verified with (never the key). */
  verifiedWith: string;
}

export interface InflightStore {
  all(): Array<[string, InflightRecord]>;
  get(id: string): InflightRecord | undefined;
  /** Whether an id is in flight, ignoring case (see replayLedger.ts). */
  has(id: string): boolean;
  /** Whether a file of this name in commands/ may still be the original of an in-flight command (no batch yet). */
  holdsFile(name: string): boolean;
  put(id: string, record: InflightRecord): Promise<void>;
  remove(id: string): Promise<void>;
}

/** Opens the store at `path`. Throws {@link InboxError} `INBOX_META_UNREADABLE` for a damaged file. */
export async function openInflightStore(path: string): Promise<InflightStore> {
  const records = new Map<string, InflightRecord>();
  let value: unknown;
  try {
    value = await readJsonIfExists(path);
  } catch (error) {
    throw new InboxError('INBOX_META_UNREADABLE', `the in-flight list ${path} cannot be read (${(error as Error).message}); fix it to resume the inbox`);
  }
  if (value !== undefined) parse(value, records);
  const queue = createSerialQueue();
  const save = (): Promise<void> => writeFileAtomic(path, jsonText(serialize(records)));

  return {
    all: () => [...records].map(([id, record]) => [id, { ...record }]),
    get: (id) => {
      const record = records.get(id);
      return record && { ...record };
    },
    has: (id) => [...records.keys()].some((known) => known.toLowerCase() === id.toLowerCase()),
    // Once the batch id is recorded the original has left commands/: a file there now is a new command.
    holdsFile: (name) => [...records.values()].some((record) => record.file === name && record.batchId === null),
    put: (id, record) =>
      queue.run(async () => {
        records.set(id, { ...record });
        await save();
      }),
    remove: (id) =>
      queue.run(async () => {
        if (records.delete(id)) await save();
      }),
  };
}

function parse(value: unknown, into: Map<string, InflightRecord>): void {
  const bad = (): InboxError => new InboxError('INBOX_META_UNREADABLE', 'the in-flight list meta/inflight.json is damaged; fix it to resume the inbox');
  if (!isPlainObject(value) || !isPlainObject(value.commands)) throw bad();
  for (const [id, raw] of Object.entries(value.commands)) {
    if (
      !isPlainObject(raw) ||
      (raw.batch_id !== null && typeof raw.batch_id !== 'string') ||
      typeof raw.file !== 'string' ||
      typeof raw.accepted_at !== 'string' ||
      typeof raw.input_sha256 !== 'string' ||
      typeof raw.verified_with !== 'string'
    ) {
      throw bad();
    }
    into.set(id, { batchId: raw.batch_id, file: raw.file, acceptedAt: raw.accepted_at, inputSha256: raw.input_sha256, verifiedWith: raw.verified_with });
  }
}

function serialize(records: Map<string, InflightRecord>): unknown {
  const commands = [...records]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, r]) => [id, { accepted_at: r.acceptedAt, batch_id: r.batchId, file: r.file, input_sha256: r.inputSha256, verified_with: r.verifiedWith }]);
  return { commands: Object.fromEntries(commands), schemaVersion: 1 };
}
