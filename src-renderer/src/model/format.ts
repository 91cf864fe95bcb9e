/** Small formatting rules shared by the views. */

/** `850 ms`, `12.3 s`, `2 m 05 s`, `1 h 02 m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.floor(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} m ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

/** Milliseconds between two ISO timestamps, or from `start` to `now` while it is still going. */
export function elapsedMs(start: string | null, end: string | null, now: number): number | null {
  if (!start) return null;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return Number.isNaN(from) || Number.isNaN(to) ? null : Math.max(0, to - from);
}

/** Local date and time, to the second: `2025-01-02 03:04:05`. */
export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Local time of day to the minute: `14:05`. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** The first 8 characters of an id: enough to tell batches apart at a glance. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** `512 B`, `1.5 KB`, `3.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const numbers = new Intl.NumberFormat('en-US');

/** `1,234` (one formatter for all: `toLocaleString` builds a new one on every call). */
export function formatCount(count: number): string {
  return numbers.format(count);
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** How long something has waited, rounded down: `less than a minute`, `3 min`, `1 h 05 min`. */
export function formatWaited(ms: number): string {
  return formatMinutes(Math.floor(Math.max(0, ms) / 60_000));
}

/**
 * How long is left, to the nearest minute and never 0 before the end: `1 min`, `60 min`,
 * `2 h 05 min`. (Rounded, not up: a clock a moment behind main's must not read 16 of 15 minutes.)
 */
export function formatLeft(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  // Autonomy lasts an hour at most: `60 min` is shorter than `1 h 00 min` where space is tight.
  return minutes <= 90 ? `${minutes} min` : formatMinutes(minutes);
}

function formatMinutes(minutes: number): string {
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
