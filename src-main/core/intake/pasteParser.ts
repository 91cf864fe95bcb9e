import { Buffer } from 'node:buffer';
import { hasPrompts, transcriptReader } from './consoleTranscript.js';
import { findFences, type Fence, type Range } from './fences.js';
import { discoverJson } from './jsonDiscovery.js';
import { looksLikeProse } from './proseHeuristic.js';
import { splitShellCommands, type SplitResult } from './shellSplitter.js';
import { splitLines, type SourceLine, type TextLines } from './textLines.js';
import type { BlockCall, ExtractedBlock, ExtractResult, Finding, Note, PasteReading } from './types.js';

/** Larger pastes are refused outright (UTF-8 bytes), before any scanning. */
export const MAX_PASTE_BYTES = 1_000_000;
/** More commands than this are counted but not listed: no batch comes near it. */
export const MAX_LISTED_CALLS = 1000;

const QUOTE_LIMIT = 80;
const INVALID_EXAMPLES = 3;

interface Scan {
  findings: Finding[];
  notes: Note[];
  blocks: ExtractedBlock[];
}

function isShellFence(fence: Fence): boolean {
  return fence.kind === 'shell' || fence.kind === 'console';
}

function fenceName(fence: Fence): string {
  return fence.language === '' ? 'code block' : `\`\`\`${fence.language} block`;
}

function fromSplit(split: SplitResult, scan: Scan, block: Omit<ExtractedBlock, 'script' | 'marks'>): void {
  const index = scan.blocks.length;
  if (split.commands.length > 0) {
    scan.blocks.push({ ...block, script: { command: split.script.text, lines: split.script.lines }, marks: split.marks });
  }
  for (const command of split.commands) {
    scan.findings.push({ kind: 'call', offset: command.offset, command: command.text, origin: block.origin, block: index, lines: command.lines });
  }
  scan.notes.push(...split.notes);
}

function powerShellNote(scan: Scan): (line: SourceLine) => void {
  let told = false;
  return (line) => {
    if (told) return;
    told = true;
    scan.notes.push({ offset: line.offset, message: 'this looks like a PowerShell prompt; Leash runs commands with bash, so the line was kept as written' });
  };
}

function scanFence(fence: Fence, scan: Scan): void {
  const transcript = fence.kind === 'console' && hasPrompts(fence.content);
  if (fence.kind === 'console' && !transcript) {
    scan.notes.push({ offset: fence.open.offset, message: 'the ```console block has no `$ ` prompts; every line was read as a command' });
  } else if (fence.kind === 'unlabeled') {
    scan.notes.push({ offset: fence.open.offset, message: 'the code block has no language; its lines were read as shell commands' });
  }
  // Every shell block may hold prompts: AI answers put `$ ` in ```bash blocks too.
  const reader = transcriptReader(fence.content, { console: transcript, onPowerShell: powerShellNote(scan) });
  fromSplit(splitShellCommands(fence.content, reader), scan, { origin: 'fenced', line: fence.open.line, label: fenceName(fence) });
}

function quoted(text: string): string {
  const trimmed = text.trim();
  return `“${trimmed.length > QUOTE_LIMIT ? `${trimmed.slice(0, QUOTE_LIMIT)}…` : trimmed}”`;
}

/** Plain text: one command per line, skipping lines that read like prose or hold plain JSON. */
function scanLines(lines: TextLines, jsonOnlyLines: ReadonlySet<number>, scan: Scan): PasteReading | undefined {
  const reader = transcriptReader(lines.lines, {
    console: false,
    onPowerShell: powerShellNote(scan),
    fallback: (line) => {
      if (jsonOnlyLines.has(line.line)) return { skip: 'json' };
      return looksLikeProse(line.text) ? { skip: 'prose' } : { take: line.text };
    },
  });
  const split = splitShellCommands(lines.lines, reader);
  const prose = split.skipped.filter((skip) => skip.reason === 'prose');
  const firstProse = prose[0];
  if (split.commands.length === 0) {
    if (firstProse) {
      return nothingFound(
        `this reads like prose, not commands (line ${firstProse.line.line}: ${quoted(firstProse.line.text)}). ` +
          "Paste the AI's reply with its ```bash code blocks or tool calls, or only the commands, one per line.",
      );
    }
    if (split.skipped.length > 0) {
      return nothingFound('the JSON holds no tool call; a shell tool call looks like {"tool":"shell","command":"ls"}');
    }
    return nothingFound('there are no commands: the text is empty or holds only comments');
  }
  for (const { line } of prose) scan.notes.push({ offset: line.offset, message: 'skipped: it reads like prose, not a command' });
  split.skipped
    .filter((skip, index, all) => skip.reason === 'json' && all[index - 1]?.line.line !== skip.line.line - 1)
    .forEach(({ line }) => scan.notes.push({ offset: line.offset, message: 'skipped: JSON without a tool call' }));
  fromSplit(split, scan, { origin: 'lines', line: split.commands[0]?.line ?? 1, label: 'pasted lines' });
  return undefined;
}

function nothingFound(message: string): PasteReading {
  return { ok: false, error: { code: 'NOTHING_FOUND', message } };
}

function finish(scan: Scan, lines: TextLines): PasteReading {
  const located = (offset: number | undefined, message: string): string =>
    offset === undefined ? message : `line ${lines.lineAt(offset)}: ${message}`;
  const findings = [...scan.findings].sort((a, b) => a.offset - b.offset);
  const calls = findings.flatMap((f): BlockCall[] =>
    f.kind === 'call' ? [{ command: f.command, origin: f.origin, line: lines.lineAt(f.offset), block: f.block ?? null, lines: f.lines ?? [] }] : [],
  );
  const unusable = findings.flatMap((f) => (f.kind === 'unusable' ? [{ offset: f.offset, message: f.message }] : []));
  if (calls.length === 0) {
    const examples = unusable.slice(0, INVALID_EXAMPLES).map((u) => located(u.offset, u.message));
    const more = unusable.length > INVALID_EXAMPLES ? ` (and ${unusable.length - INVALID_EXAMPLES} more)` : '';
    return { ok: false, error: { code: 'INVALID_TOOL_CALL', message: `no tool call could be used: ${examples.join('; ')}${more}` } };
  }
  const notes = [...scan.notes, ...unusable]
    .sort((a, b) => (a.offset ?? Infinity) - (b.offset ?? Infinity))
    .map((note) => located(note.offset, note.message));
  if (calls.length > MAX_LISTED_CALLS) {
    notes.push(`found ${calls.length} commands; only the first ${MAX_LISTED_CALLS} are listed`);
  }
  return { ok: true, calls: calls.slice(0, MAX_LISTED_CALLS), blocks: scan.blocks, notes };
}

/**
 * Turns a pasted AI reply (or typed commands) into shell commands, in order of appearance:
 * JSON tool calls anywhere in the text (generic, OpenAI, Anthropic; inside ```json or other
 * non-shell blocks too), and one entry per command of each ```bash/```sh/```console block. Only
 * when neither is present is the text read as plain lines, unless it reads like prose.
 *
 * Command text is altered only by decoding JSON strings and removing prompts at the start of
 * shell lines (each removal is reported by `readPaste` as a mark); invisible characters stay
 * for the policy to flag. Line breaks are `\n` or `\r\n` (a multi-line command is rejoined
 * with `\n`). Unusable tool calls are skipped with a note; when nothing usable remains the result
 * is `INVALID_TOOL_CALL`. The same command twice is two entries.
 */
export function extractToolCalls(text: string): ExtractResult {
  const reading = readPaste(text);
  if (!reading.ok) return reading;
  return { ok: true, calls: reading.calls.map(({ command, origin, line }) => ({ command, origin, line })), notes: reading.notes };
}

/**
 * Reads a paste as `extractToolCalls` does, and also returns its shell blocks: each block's
 * commands point at their block, and each block carries the script it makes as one entry and
 * the lines that were changed (prompts removed) or left out (console output).
 */
export function readPaste(text: string): PasteReading {
  if (text.length > MAX_PASTE_BYTES || Buffer.byteLength(text, 'utf8') > MAX_PASTE_BYTES) {
    const megabytes = (Buffer.byteLength(text, 'utf8') / 1_000_000).toFixed(1);
    return { ok: false, error: { code: 'TOO_LARGE', message: `the pasted text is ${megabytes} MB; Leash reads at most 1 MB at a time` } };
  }
  const lines = splitLines(text);
  const { fences, outside } = findFences(lines.lines, text.length);
  const jsonRanges: Range[] = [
    ...outside,
    ...fences.filter((fence) => !isShellFence(fence)).map((fence) => ({ start: fence.contentStart, end: fence.contentEnd })),
  ].sort((a, b) => a.start - b.start);
  const json = discoverJson(text, jsonRanges, lines);
  const scan: Scan = { findings: [...json.findings], notes: [...json.notes], blocks: [] };
  for (const fence of fences) {
    if (!fence.closed) scan.notes.push({ offset: fence.open.offset, message: `the ${fenceName(fence)} is never closed; it runs to the end of the text` });
  }
  const shellFences = fences.filter(isShellFence);
  for (const fence of shellFences) scanFence(fence, scan);
  if (scan.findings.length > 0) return finish(scan, lines);

  const unlabeled = fences.filter((fence) => fence.kind === 'unlabeled');
  if (shellFences.length > 0) return nothingFound('the shell code blocks hold no commands, only comments or blank lines');
  if (unlabeled.length > 0) {
    for (const fence of unlabeled) scanFence(fence, scan);
    if (scan.findings.length > 0) return finish(scan, lines);
  }
  if (fences.length > 0) {
    const languages = [...new Set(fences.map((fence) => fence.language || 'no language'))].join(', ');
    return nothingFound(`found code blocks (${languages}) but no shell block (\`\`\`bash, \`\`\`sh, \`\`\`console) and no tool call`);
  }
  const failed = scanLines(lines, json.jsonOnlyLines, scan);
  return failed ?? finish(scan, lines);
}
