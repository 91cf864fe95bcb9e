/* global window, document, performance, PerformanceObserver, MutationObserver */
/**
 * Page-side probe for bench/uiList.bench.ts, injected before the app's first script. Records
 * when the first batch row appears (ms since navigation start), every long task, and lets Node
 * mark the start of a phase (`window.__leashListProbe.mark()`).
 */
(() => {
  const longTasks = [];
  let firstRowAt = null;
  let markAt = null;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  const observer = new MutationObserver(() => {
    if (firstRowAt === null && document.querySelector('[data-testid="batch-row"]')) {
      firstRowAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  window.__leashListProbe = {
    mark() {
      markAt = performance.now();
    },
    report() {
      return { firstRowAt, markAt, longTasks: longTasks.slice(), nodes: document.getElementsByTagName('*').length, now: performance.now() };
    },
  };
})();
