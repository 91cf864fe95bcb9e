import type { Range } from './fences.js';
import { findJsonRegions, type JsonRegion } from './jsonRegions.js';
import { parseJsonAt } from './jsonValue.js';
import type { TextLines } from './textLines.js';
import { readToolCalls } from './toolCalls.js';
import type { Finding, Note } from './types.js';

export interface JsonDiscovery {
  findings: Finding[];
  notes: Note[];
  /**
   * Lines wholly taken by JSON that holds no tool call: plain-line mode must not turn them into
   * commands.
   */
  jsonOnlyLines: Set<number>;
}

/** How much of a broken region is searched for signs of a tool call. */
const SNIFF_LENGTH = 4096;
/** Keys (double- or single-quoted, as in a Python dict) that only tool calls have together with JSON. */
const TOOL_CALL_SIGNS =
  /(["'])(?:tool|tool_name|tool_calls|function_call|command|cmd|arguments)\1\s*:|(["'])type\2\s*:\s*(["'])(?:tool_use|function|function_call)\3/;

/**
 * Parsing budget, in characters read, as a multiple of the input. Each region is parsed once,
 * and a region's children only when it fails to parse, so ordinary text uses about one input's
 * worth; the budget stops nested regions that each fail late from making the work quadratic.
 * (One parse may overrun it, so the total stays below budget + input.)
 */
const BUDGET_FACTOR = 4;
const BUDGET_MINIMUM = 65_536;

class Discovery {
  readonly result: JsonDiscovery = { findings: [], notes: [], jsonOnlyLines: new Set() };
  private budget: number;
  private exhausted = false;

  constructor(
    private readonly text: string,
    private readonly lines: TextLines,
  ) {
    this.budget = Math.max(BUDGET_MINIMUM, BUDGET_FACTOR * text.length);
  }

  scan(range: Range): void {
    for (const region of findJsonRegions(this.text, range.start, range.end)) {
      if (this.isShellArgument(region)) continue;
      this.result.findings.push(...this.visit(region));
    }
  }

  finish(): JsonDiscovery {
    if (this.exhausted) {
      this.result.notes.push({
        message: 'the text holds too much bracketed content to search it all for JSON; some tool calls may be missing',
      });
    }
    return this.result;
  }

  private visit(region: JsonRegion): Finding[] {
    if (!region.closed) return this.visitChildren(region, 'is never closed');
    if (this.budget <= 0) {
      this.exhausted = true;
      return [];
    }
    const parsed = parseJsonAt(this.text, region.start, region.end);
    // A parse reads up to where it fails; charge what it read.
    this.budget -= (parsed.ok ? region.end : parsed.offset + 1) - region.start;
    if (!parsed.ok) return this.visitChildren(region, `is not valid JSON (${parsed.message} on line ${this.lines.lineAt(parsed.offset)})`);
    const findings = readToolCalls(parsed.value, parsed.offsets, region.start);
    if (findings.length === 0) this.markJsonOnlyLines(region);
    return findings;
  }

  /**
   * A broken region may still hold whole tool calls (a truncated `tool_calls` list). If not, it
   * is reported as a broken tool call only when it starts a line: broken JSON in the middle of a
   * line is more likely part of a command (`python -c 'print({"cmd": 1,})'`) than a tool call.
   */
  private visitChildren(region: JsonRegion, why: string): Finding[] {
    const inner = region.children.flatMap((child) => this.visit(child));
    if (inner.length > 0 || this.exhausted || !this.startsLine(region.start)) return inner;
    const head = this.text.slice(region.start, Math.min(region.end, region.start + SNIFF_LENGTH));
    if (!TOOL_CALL_SIGNS.test(head)) return [];
    return [{ kind: 'unusable', offset: region.start, message: `this looks like a tool call, but it ${why}` }];
  }

  /** `'{"command":"x"}'` is a quoted shell argument (`curl -d '…'`), not a tool call. */
  private isShellArgument(region: JsonRegion): boolean {
    return region.closed && this.text[region.start - 1] === "'" && this.text[region.end] === "'";
  }

  private startsLine(offset: number): boolean {
    const line = this.lines.lines[this.lines.lineAt(offset) - 1];
    return line !== undefined && /^[ \t]*$/.test(this.text.slice(line.offset, offset));
  }

  private markJsonOnlyLines(region: JsonRegion): void {
    const first = this.lines.lineAt(region.start);
    const last = this.lines.lineAt(region.end - 1);
    const before = this.text.slice(this.lines.lines[first - 1]?.offset ?? 0, region.start);
    const lastLine = this.lines.lines[last - 1];
    const after = lastLine ? lastLine.text.slice(region.end - lastLine.offset) : '';
    if (!/^[ \t]*$/.test(before) || !/^[ \t]*,?[ \t]*$/.test(after)) return;
    for (let line = first; line <= last; line++) this.result.jsonOnlyLines.add(line);
  }
}

/**
 * Finds JSON tool calls anywhere in the given ranges of the text: every balanced bracket region
 * is parsed, outermost first; a region that does not parse is searched inside. JSON that parses
 * but holds no tool call is ignored (its lines are reported in `jsonOnlyLines`); a region that
 * looks like a tool call but is broken becomes an `unusable` finding.
 */
export function discoverJson(text: string, ranges: readonly Range[], lines: TextLines): JsonDiscovery {
  const discovery = new Discovery(text, lines);
  for (const range of ranges) discovery.scan(range);
  return discovery.finish();
}
