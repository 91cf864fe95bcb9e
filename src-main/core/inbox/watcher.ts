import { watch, type FSWatcher } from 'node:fs';
import { listCommandFiles, type CommandFileInfo } from './folder.js';
import { createSerialQueue } from './serialQueue.js';

/**
 * Watches `commands/` by polling; `fs.watch` is only a hint that makes the next poll come sooner
 * (it misses events on network and synced folders, which are exactly where inboxes live).
 *
 * A file is offered to `onReady` once it has *settled*: its inode, size and modification time
 * were the same at two polls at least `stableForMs` apart. A sender writing in place therefore
 * has to pause for longer than that before a half-written file is read; a sender that writes a
 * hidden or non-`.json` temporary file and renames it into place (recommended) is never read
 * half-way at all. The reader checks the same fingerprint again around the read itself.
 */
export interface CommandWatcherOptions<T> {
  dir: string;
  pollMs: number;
  stableForMs: number;
  onReady(file: CommandFileInfo): Promise<T>;
  /** Runs after each poll's files (the inbox resumes in-flight work there). */
  afterPoll?(): Promise<void>;
  onError(error: unknown): void;
  /** Monotonic milliseconds; settling is measured on it, never on the wall clock. */
  monotonicMs?: () => number;
}

export interface PollReport<T> {
  /** What `onReady` returned for each settled file, in name order. */
  processed: T[];
  /** Files seen but not settled yet. */
  waiting: string[];
}

export interface CommandWatcher<T> {
  /** Polls now (after any poll in progress). */
  pollNow(): Promise<PollReport<T>>;
  /** Starts the poll timer and the fs.watch hint. */
  start(): void;
  /** Stops both and waits for the poll in progress. */
  stop(): Promise<void>;
}

interface Sighting {
  size: number;
  mtimeMs: number;
  ino: number;
  since: number;
}

/** How soon a poll follows an fs.watch event: writers usually emit several in a row. */
const HINT_DELAY_MS = 50;

export function createCommandWatcher<T>(options: CommandWatcherOptions<T>): CommandWatcher<T> {
  const monotonicMs = options.monotonicMs ?? (() => performance.now());
  const sightings = new Map<string, Sighting>();
  const queue = createSerialQueue();
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Infinity;
  let hint: FSWatcher | undefined;
  let running = false;

  const poll = async (): Promise<PollReport<T>> => {
    const files = await listCommandFiles(options.dir);
    const now = monotonicMs();
    const present = new Set(files.map((f) => f.name));
    for (const name of sightings.keys()) if (!present.has(name)) sightings.delete(name);
    const settled: CommandFileInfo[] = [];
    const waiting: string[] = [];
    for (const file of files) {
      const seen = sightings.get(file.name);
      if (!seen || seen.size !== file.size || seen.mtimeMs !== file.mtimeMs || seen.ino !== file.ino) {
        sightings.set(file.name, { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino, since: now });
        waiting.push(file.name);
      } else if (now - seen.since < options.stableForMs) {
        waiting.push(file.name);
      } else {
        settled.push(file);
      }
    }
    const processed: T[] = [];
    for (const file of settled) {
      try {
        processed.push(await options.onReady(file));
      } catch (error) {
        options.onError(error);
      }
    }
    try {
      await options.afterPoll?.();
    } catch (error) {
      options.onError(error);
    }
    return { processed, waiting };
  };

  const schedule = (delayMs: number): void => {
    if (!running) return;
    const due = monotonicMs() + delayMs;
    if (timer !== undefined && timerDue <= due) return;
    clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(() => {
      timer = undefined;
      timerDue = Infinity;
      void pollNow().then(
        (report) => schedule(report.waiting.length > 0 ? Math.min(options.pollMs, Math.max(options.stableForMs, HINT_DELAY_MS)) : options.pollMs),
        () => schedule(options.pollMs),
      );
    }, delayMs);
    timer.unref?.();
  };

  const pollNow = (): Promise<PollReport<T>> =>
    queue.run(poll).catch((error: unknown) => {
      options.onError(error);
      return { processed: [], waiting: [] };
    });

  return {
    pollNow,
    start() {
      if (running) return;
      running = true;
      try {
        hint = watch(options.dir, { persistent: false }, () => schedule(HINT_DELAY_MS));
        hint.on('error', () => hint?.close());
      } catch {
        // No fs.watch here (some network file systems): polling alone still works.
      }
      schedule(0);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      hint?.close();
      await queue.idle();
    },
  };
}
