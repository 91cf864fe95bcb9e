import type { EntryRunResult, KillReason } from './types.js';

/** What the registry knows of a running entry: enough to kill it and to say what was killed. */
export interface RegisteredEntry {
  pid: number;
  command: string;
  result: Promise<EntryRunResult>;
  kill(reason: KillReason): Promise<void>;
}

export interface KilledEntry {
  pid: number;
  command: string;
}

/** The set of entries running now, for the emergency stop. */
export interface EntryRegistry {
  /** Adds an entry; the returned function removes it (called when the entry settles). */
  register(entry: RegisteredEntry): () => void;
  running(): RegisteredEntry[];
  /**
   * Kills every running entry at once, in parallel, with reason `cancelled`, and resolves when
   * all their results have settled, with what was killed. Waits on nothing else (no logging):
   * the caller records the stop after the processes are gone.
   */
  killAll(): Promise<KilledEntry[]>;
}

export function createEntryRegistry(): EntryRegistry {
  const entries = new Set<RegisteredEntry>();
  return {
    register(entry) {
      entries.add(entry);
      return () => {
        entries.delete(entry);
      };
    },
    running: () => [...entries],
    async killAll() {
      const victims = [...entries];
      await Promise.all(victims.map((entry) => entry.kill('cancelled')));
      return victims.map(({ pid, command }) => ({ pid, command }));
    },
  };
}

/**
 * The registry `startEntry` uses unless given another: one per Node process, so the emergency
 * stop reaches every entry this process started, whichever batch or caller started it.
 */
export const processEntryRegistry: EntryRegistry = createEntryRegistry();

/** Emergency stop for `registry` (by default every entry this process started); see `EntryRegistry.killAll`. */
export function killAll(registry: EntryRegistry = processEntryRegistry): Promise<KilledEntry[]> {
  return registry.killAll();
}
