/* global window, document, performance, PerformanceObserver, requestAnimationFrame, setInterval */
/**
 * Page-side probe for bench/ui.bench.ts, injected with `page.addInitScript` so it is in place
 * before the app's first script runs. Plain browser JavaScript on purpose: it is sent as source
 * text, so no bundler helper can leak into it, and the bench's Node-only tsconfig needs no DOM
 * types. Node drives it through `window.__leashUiProbe`: `start()`, `status()`, `stop()`.
 *
 * While recording it keeps: every long task (the browser's own >50 ms main-thread tasks, with
 * `buffered: true` so none is missed before the observer ran), the gap between consecutive
 * animation frames (a second measure of jank that also sees work the long-task API attributes
 * elsewhere), and every SAMPLE_MS the DOM node count. It also keeps the running entry's live
 * output on screen, as a person watching the batch would (and counts the samples in which it
 * already was), and notes when the batch finished.
 */
(() => {
  const SAMPLE_MS = 50;
  const FINISHED = ['completed', 'error', 'cancelled', 'rejected', 'interrupted'];

  const longTasks = [];
  let recording = false;
  let startedAt = 0;
  let doneAt = null;
  let batchStatus = null;
  let lastFrame = null;
  let frameGaps = [];
  let samples = [];
  let followedEntry = null;
  let runningSamples = 0;
  let runningVisibleSamples = 0;

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });

  const onFrame = (now) => {
    if (recording && lastFrame !== null) frameGaps.push({ at: now, gap: now - lastFrame });
    lastFrame = now;
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);

  /** Line counts shown in each entry's output toolbar ("20,000 lines"), in entry order. */
  const shownLineCounts = () =>
    [...document.querySelectorAll('[data-testid="entry-row"]')].map((row) => {
      const label = row.querySelector('[data-testid="output-line-count"]');
      return label ? Number(label.textContent.replace(/[^0-9]/g, '')) : null;
    });

  const sample = () => {
    if (!recording) return;
    const now = performance.now();
    const panel = document.querySelector('[data-testid="batch-panel"]');
    batchStatus = panel ? panel.dataset.status : null;
    if (doneAt === null && FINISHED.includes(batchStatus)) doneAt = now;
    const running = document.querySelector('[data-testid="entry-row"][data-status="running"]');
    const view = running && running.querySelector('[data-testid="output-viewport"]');
    if (view) {
      // Counted before any correction: was the output in view without our help this time?
      const box = view.getBoundingClientRect();
      const inView = box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
      const isNew = followedEntry !== running.dataset.entryId;
      if (!isNew) {
        runningSamples += 1;
        if (inView) runningVisibleSamples += 1;
      }
      // Like a person following along: bring each new running entry to the top of the panel
      // (its output box grows below it), and bring it back should anything push it away.
      if (isNew || !inView) {
        followedEntry = running.dataset.entryId;
        running.scrollIntoView({ block: 'start' });
      }
    }
    samples.push({
      at: now,
      phase: doneAt === null ? 'streaming' : 'after',
      nodes: document.getElementsByTagName('*').length,
      outputLines: document.querySelectorAll('[data-testid="output-line"]').length,
    });
  };
  setInterval(sample, SAMPLE_MS);

  window.__leashUiProbe = {
    start() {
      recording = true;
      startedAt = performance.now();
      doneAt = null;
      frameGaps = [];
      samples = [];
      followedEntry = null;
      runningSamples = 0;
      runningVisibleSamples = 0;
      sample();
      return startedAt;
    },
    status() {
      const counts = shownLineCounts();
      return { doneAt, batchStatus, lastLineCount: counts[counts.length - 1] ?? null, now: performance.now() };
    },
    stop() {
      sample();
      recording = false;
      const stoppedAt = performance.now();
      return {
        startedAt,
        doneAt,
        stoppedAt,
        batchStatus,
        visibility: document.visibilityState,
        longTasks: longTasks.filter((task) => task.start + task.duration >= startedAt && task.start <= stoppedAt),
        frameGaps,
        samples,
        runningSamples,
        runningVisibleSamples,
        shownLineCounts: shownLineCounts(),
      };
    },
  };
})();
