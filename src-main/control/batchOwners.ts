import { createHash } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Which agent session proposed which batch, so that an agent reads back only its own batches
 * (`get`, `wait`) unless the person allows more (setting `agentsReadAllBatches`).
 *
 * A session is a random value each `leash mcp` process makes when it starts and sends with every
 * request; only its SHA-256 is kept, in `agent-batches.json` in the data directory, so a session
 * outlives a restart of Leash but nothing stored lets one agent pose as another. (The MCP client's
 * name is chosen by the client itself, so it cannot be what scoping rests on.)
 */
export interface BatchOwners {
  record(batchId: string, session: string): Promise<void>;
  owns(batchId: string, session: string | undefined): boolean;
  /** The ids of the batches `session` proposed that start with `prefix` (case-insensitive), for resolving a short id. */
  readableBy(session: string | undefined, prefix: string): string[];
}

/** The newest batches are kept; an agent reading back a batch older than these gets the refusal. */
const MAX_ENTRIES = 10_000;

export function agentBatchesPath(dataDir: string): string {
  return join(dataDir, 'agent-batches.json');
}

function digest(session: string): string {
  return createHash('sha256').update(session).digest('hex');
}

/** Loads the owners file (a missing or damaged one counts as empty: scoping then refuses, never allows). */
export async function loadBatchOwners(dataDir: string): Promise<BatchOwners> {
  const path = agentBatchesPath(dataDir);
  const owners = new Map<string, string>();
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [batchId, owner] of Object.entries(value)) if (typeof owner === 'string' && /^[0-9a-f]{64}$/.test(owner)) owners.set(batchId, owner);
    }
  } catch {
    // Missing or unreadable: no batch is anyone's yet.
  }
  let saving = Promise.resolve();
  const save = async (): Promise<void> => {
    const temporary = `${path}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(Object.fromEntries(owners))}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  };
  return {
    record(batchId, session) {
      owners.set(batchId, digest(session));
      while (owners.size > MAX_ENTRIES) owners.delete(owners.keys().next().value as string);
      saving = saving.then(save, save);
      return saving;
    },
    owns(batchId, session) {
      return session !== undefined && owners.get(batchId) === digest(session);
    },
    readableBy(session, prefix) {
      if (session === undefined) return [];
      const mine = digest(session);
      const wanted = prefix.toLowerCase();
      return [...owners].filter(([id, owner]) => owner === mine && id.toLowerCase().startsWith(wanted)).map(([id]) => id);
    },
  };
}
