import { defineStore } from 'pinia';
import { markRaw, ref } from 'vue';
import type { EntryOutputEvent } from '../model/contract';
import { OutputBuffer, type OutputLimits } from '../model/outputBuffer';

/** Work done per frame before yielding, so streaming never blocks the main thread for long. */
const FRAME_BUDGET_MS = 6;
/** Timers still run in a hidden window where animation frames do not. */
const FALLBACK_MS = 250;
/** Big chunks are folded in pieces of this size, so the frame budget can be checked between them. */
const PIECE_CHARS = 16_384;
/** Buffers kept for entries that are not running; older ones are forgotten first. */
const MAX_BUFFERS = 40;

type Scheduler = (callback: () => void) => void;

function defaultScheduler(callback: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    callback();
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(once);
  setTimeout(once, FALLBACK_MS);
}

/**
 * Live output of every entry. Chunks from `entry:output` are queued and folded into bounded
 * buffers once per animation frame, within a time budget. The buffers are plain objects (never
 * reactive proxies); `revisions` is the reactive signal views watch to redraw.
 */
export const useOutputStore = defineStore('output', () => {
  const buffers = markRaw(new Map<string, OutputBuffer>());
  const revisions = ref<Record<string, number>>({});
  const queue: EntryOutputEvent[] = [];
  let head = 0;
  let scheduled = false;
  let schedule: Scheduler = defaultScheduler;
  let limits: Partial<OutputLimits> = {};

  function bufferFor(entryId: string): OutputBuffer {
    let buffer = buffers.get(entryId);
    if (!buffer) {
      buffer = markRaw(new OutputBuffer(limits));
      buffers.set(entryId, buffer);
      if (buffers.size > MAX_BUFFERS) {
        const oldest = buffers.keys().next().value;
        if (oldest !== undefined && oldest !== entryId) forget(oldest);
      }
    }
    return buffer;
  }

  function frame(): void {
    scheduled = false;
    // A hidden window draws nothing, so there is no frame to protect: catch up at once.
    flush(typeof document !== 'undefined' && document.hidden ? Infinity : FRAME_BUDGET_MS);
  }

  function receive(event: EntryOutputEvent): void {
    if (event.text.length <= PIECE_CHARS) queue.push(event);
    else for (let at = 0; at < event.text.length; at += PIECE_CHARS) queue.push({ ...event, text: event.text.slice(at, at + PIECE_CHARS) });
    if (!scheduled) {
      scheduled = true;
      schedule(frame);
    }
  }

  /** Folds queued chunks into buffers for up to `budgetMs` (Infinity: all of them). */
  function flush(budgetMs = Infinity): void {
    const started = performance.now();
    const touched = new Set<string>();
    while (head < queue.length) {
      const event = queue[head++];
      if (event) {
        bufferFor(event.entryId).append(event.stream, event.text);
        touched.add(event.entryId);
      }
      if (performance.now() - started > budgetMs) break;
    }
    if (head >= queue.length) {
      queue.length = 0;
      head = 0;
    } else if (!scheduled) {
      scheduled = true;
      schedule(frame);
    }
    if (touched.size > 0) {
      const next = { ...revisions.value };
      for (const id of touched) next[id] = (next[id] ?? 0) + 1;
      revisions.value = next;
    }
  }

  function buffer(entryId: string): OutputBuffer | undefined {
    return buffers.get(entryId);
  }

  function revision(entryId: string): number {
    return revisions.value[entryId] ?? 0;
  }

  function has(entryId: string): boolean {
    return revision(entryId) > 0;
  }

  function forget(entryId: string): void {
    buffers.delete(entryId);
    const next = { ...revisions.value };
    delete next[entryId];
    revisions.value = next;
  }

  /** For tests and tools: how chunks are scheduled and how big buffers may grow. */
  function configure(options: { scheduler?: Scheduler; limits?: Partial<OutputLimits> }): void {
    if (options.scheduler) schedule = options.scheduler;
    if (options.limits) limits = options.limits;
  }

  return { revisions, receive, flush, buffer, revision, has, forget, configure };
});
