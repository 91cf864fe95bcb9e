import { MAX_SCRIPT_DEPTH, type Analysis } from './analysis.js';
import { createBashParser, type BashParser, type BashParserOptions, type SyntaxNode } from './bashParser.js';
import { escapeForMessage } from '../../shared/suspiciousCharacters.js';
import { findSuspiciousCharacters } from './characters.js';
import { scanForDenials } from './fallback.js';
import { createFindings, type CommandInfo, type Context } from './model.js';
import {
  DEFAULT_POLICY_SETTINGS,
  VERDICT_RANK,
  VERDICT_SCORE,
  strictest,
  verdictOfCode,
  type Classification,
  type Entry,
  type PolicySettings,
  type Reason,
  type Span,
  type Verdict,
} from './types.js';
import { Walker } from './walker.js';

/** Longer commands are not parsed: a person reads them (fail closed). */
export const MAX_COMMAND_LENGTH = 100_000;
const MAX_CHARACTER_REASONS = 8;
const LINE_CONTINUATION = /\\\r?\n/;

export interface PolicyEngine {
  classify(entry: Entry, settings?: PolicySettings): Classification;
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'ERROR' || node.isMissing) return node;
  if (!node.hasError) return undefined;
  for (const child of node.children) {
    const found = child && firstError(child);
    if (found) return found;
  }
  return node;
}

function characterReasons(text: string): Reason[] {
  const found = findSuspiciousCharacters(text);
  const reasons: Reason[] = found.slice(0, MAX_CHARACTER_REASONS).map((c) => ({
    code: 'INVISIBLE_CHARACTER',
    message: `contains the invisible or look-alike character ${c.label}: what you see is not exactly what runs`,
    span: c.span,
  }));
  if (found.length > MAX_CHARACTER_REASONS) {
    reasons.push({ code: 'INVISIBLE_CHARACTER', message: `and ${found.length - MAX_CHARACTER_REASONS} more such characters` });
  }
  return reasons;
}

function summarize(reasons: Reason[], programs: string[] = []): Classification {
  let verdict: Verdict = reasons.length === 0 ? 'ask' : 'allow';
  for (const reason of reasons) verdict = strictest(verdict, verdictOfCode(reason.code));
  const sorted = reasons
    .map((reason, index) => ({ reason, index }))
    .sort((a, b) => VERDICT_RANK[verdictOfCode(b.reason.code)] - VERDICT_RANK[verdictOfCode(a.reason.code)] || a.index - b.index)
    // Reasons quote the command; a person reads them, so nothing in them may print raw (`l\u{200B}s`).
    .map((x) => ({ ...x.reason, message: escapeForMessage(x.reason.message) }));
  return { verdict, score: VERDICT_SCORE[verdict], requiresManual: verdict !== 'allow', reasons: sorted, programs };
}

/**
 * Classifies tool calls. `classify` is synchronous and deterministic: the same entry and
 * settings always give the same result, reasons included.
 */
export function createPolicyEngineWith(parser: BashParser): PolicyEngine {
  return {
    classify(entry, settings = DEFAULT_POLICY_SETTINGS) {
      if (entry.tool !== 'shell') {
        return summarize([{ code: 'UNSUPPORTED_TOOL', message: `\`${entry.tool}\` code is not analysed; a person must read it` }]);
      }
      const text = entry.command;
      if (text.trim() === '') return summarize([{ code: 'EMPTY_COMMAND', message: 'the command is empty' }]);
      if (text.length > MAX_COMMAND_LENGTH) {
        return summarize([{ code: 'COMMAND_TOO_LONG', message: `the command is longer than ${MAX_COMMAND_LENGTH} characters; Leash does not analyse it` }]);
      }
      const findings = createFindings();
      const root: Context = { where: [], depth: 0, variables: new Map() };
      for (const reason of characterReasons(text)) findings.add(reason, root);
      let commands = 0;
      const analysis: Analysis = {
        parser,
        settings,
        findings,
        downloads: new Set(),
        analyzeScript(script, context, outerSpan) {
          return analyzeScript(script, { ...context, depth: context.depth + 1, outerSpan: context.outerSpan ?? outerSpan });
        },
      };
      const walker = new Walker(analysis);
      const analyzeScript = (script: string, context: Context): CommandInfo[] => {
        if (context.depth > MAX_SCRIPT_DEPTH) {
          findings.add({ code: 'NESTING_TOO_DEEP', message: `scripts nested more than ${MAX_SCRIPT_DEPTH} levels deep are not analysed` }, context);
          return [];
        }
        if (context.depth > 0) for (const reason of characterReasons(script)) findings.add(reason, context);
        const tree = parser.parse(script);
        try {
          const error = firstError(tree.rootNode);
          if (error) {
            const span: Span = { start: error.startIndex, end: Math.max(error.endIndex, error.startIndex + 1) };
            findings.add({ code: 'PARSE_ERROR', message: `bash cannot parse this as written (near \`${error.text.slice(0, 40) || script.slice(span.start, span.start + 20)}\`)`, span }, context);
            scanForDenials(analysis, script, context, { start: 0, end: script.length });
          }
          const infos = walker.statement(tree.rootNode, context);
          commands += infos.length;
          if (LINE_CONTINUATION.test(script)) lookAgainJoined(script, context);
          return infos;
        } finally {
          tree.delete();
        }
      };
      /** The grammar splits words at `\\<newline>` where bash joins them (`r\\<nl>m`): judge the joined text too. */
      const lookAgainJoined = (script: string, context: Context): void => {
        const joined = parser.parse(script.replace(new RegExp(LINE_CONTINUATION, 'g'), ''));
        try {
          walker.statement(joined.rootNode, { ...context, denyOnly: true, outerSpan: context.outerSpan ?? { start: 0, end: script.length } });
        } finally {
          joined.delete();
        }
      };
      const infos = analyzeScript(text, root);
      if (commands === 0 && findings.reasons.length === 0) {
        findings.add({ code: 'EMPTY_COMMAND', message: 'there is no command to run (only comments or whitespace)' }, root);
      }
      return summarize(findings.reasons, [...new Set(infos.map((i) => i.program).filter((p) => p !== ''))]);
    },
  };
}

export async function createPolicyEngine(options: BashParserOptions = {}): Promise<PolicyEngine> {
  return createPolicyEngineWith(await createBashParser(options));
}
