/**
 * Reads bash's xtrace output back into argument vectors. Bash prints each simple command after
 * expansion, words separated by spaces and quoted when needed: `'…'` (a quote inside as `'\''`)
 * or, for non-printable characters, `$'…'`. Records start at a line beginning with the oracle's
 * PS4 (its first character repeated once per level of nesting).
 */
export const TRACE_MARKER = 'LEASHTRACE> ';
const RECORD = /^\++LEASHTRACE> /gm;

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

function decodeAnsi(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (char !== '\\' || i + 1 >= body.length) {
      out += char;
      continue;
    }
    const next = body[++i] as string;
    if (ESCAPES[next] !== undefined) out += ESCAPES[next];
    else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i))?.[0] ?? next;
      out += String.fromCharCode(parseInt(digits, 8) & 0xff);
      i += digits.length - 1;
    } else if (next === 'x') {
      const digits = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1))?.[0] ?? '';
      out += String.fromCharCode(parseInt(digits || '0', 16));
      i += digits.length;
    } else out += `\\${next}`;
  }
  return out;
}

/** Splits one record's text into words. */
export function traceWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === ' ' || char === '\n') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (char === "'") {
      const close = text.indexOf("'", i + 1);
      current += text.slice(i + 1, close === -1 ? undefined : close);
      i = close === -1 ? text.length : close;
    } else if (char === '$' && text[i + 1] === "'") {
      let k = i + 2;
      for (; k < text.length && text[k] !== "'"; k++) if (text[k] === '\\') k++;
      current += decodeAnsi(text.slice(i + 2, k));
      i = k;
    } else if (char === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else {
      current += char;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** Every record of a trace, as words, in order. */
export function parseTrace(trace: string): string[][] {
  const starts = [...trace.matchAll(RECORD)].map((m) => ({ index: m.index, length: m[0].length }));
  return starts.map((start, k) => {
    const end = k + 1 < starts.length ? (starts[k + 1] as { index: number }).index : trace.length;
    return traceWords(trace.slice(start.index + start.length, end).replace(/\n$/, ''));
  });
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[.*\])?\+?=/s;
const KEYWORDS = new Set(['[[', '((', 'for', 'select', 'case']);

/**
 * The records that are simple commands (not assignments, not `[[`, `((`, `for`, `case` headers).
 * Bash 5.2 traces `coproc CMD` inside `$(…)` as `COPROC CMD` (and runs a command named COPROC):
 * the coprocess name is dropped so the record shows the command that was asked for.
 */
export function executedCommands(records: readonly string[][]): string[][] {
  return records
    .map((words) => {
      let start = 0;
      while (words[start] === 'COPROC' && start + 1 < words.length) start++;
      return words.slice(start);
    })
    .filter((words) => words.length > 0 && !ASSIGNMENT.test(words[0] as string) && !KEYWORDS.has(words[0] as string));
}
