import { MAX_SCRIPT_DEPTH, type Analysis } from './analysis.js';
import { createBashParser, type BashParser, type BashParserOptions, type SyntaxNode } from './bashParser.js';
import { escapeForMessage } from '../../shared/suspiciousCharacters.js';
import { findSuspiciousCharacters } from './characters.js';
import { joinContinuations } from './continuation.js';
import { scanForDenials } from './fallback.js';
import { createFindings, type CommandInfo, type Context, type Findings } from './model.js';
import {
  DEFAULT_POLICY_SETTINGS,
  VERDICT_RANK,
  VERDICT_SCORE,
  strictest,
  verdictOfCode,
  type Classification,
  type Entry,
  type JudgedCommand,
  type PolicySettings,
  type Reason,
  type Span,
  type Verdict,
} from './types.js';
import { MAX_NODE_DEPTH, Walker } from './walker.js';

/** Longer commands are not parsed: a person reads them (fail closed). */
export const MAX_COMMAND_LENGTH = 100_000;
const MAX_CHARACTER_REASONS = 8;

export interface PolicyEngine {
  /** Never throws: whatever goes wrong inside is an `ask` with a reason. */
  classify(entry: Entry, settings?: PolicySettings): Classification;
}

/** The first syntax error, found without recursion (trees of hostile input are deep). */
function firstError(root: SyntaxNode): SyntaxNode | undefined {
  if (!root.hasError) return undefined;
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as SyntaxNode;
    if (node.type === 'ERROR' || node.isMissing) return node;
    const children = node.children.filter((c): c is SyntaxNode => !!c && (c.hasError || c.isMissing || c.type === 'ERROR'));
    if (children.length === 0) return node;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as SyntaxNode);
  }
  return root;
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

function summarize(reasons: Reason[], programs: string[] = [], commands: JudgedCommand[] = []): Classification {
  let verdict: Verdict = reasons.length === 0 ? 'ask' : 'allow';
  for (const reason of reasons) verdict = strictest(verdict, verdictOfCode(reason.code));
  const sorted = reasons
    .map((reason, index) => ({ reason, index }))
    .sort((a, b) => VERDICT_RANK[verdictOfCode(b.reason.code)] - VERDICT_RANK[verdictOfCode(a.reason.code)] || a.index - b.index)
    // Reasons quote the command; a person reads them, so nothing in them may print raw (`l\u{200B}s`).
    .map((x) => ({ ...x.reason, message: escapeForMessage(x.reason.message) }));
  return { verdict, score: VERDICT_SCORE[verdict], requiresManual: verdict !== 'allow', reasons: sorted, programs, commands };
}

/** One classification: its findings, the walker and the nested-script recursion. */
function analyse(parser: BashParser, text: string, settings: PolicySettings): { findings: Findings; infos: CommandInfo[]; commands: number } {
  const findings = createFindings();
  const root: Context = { where: [], depth: 0, variables: new Map() };
  for (const reason of characterReasons(text)) findings.add(reason, root);
  let commands = 0;
  const analysis: Analysis = {
    parser,
    settings,
    findings,
    downloads: new Set(),
    functions: new Map(),
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
    if (script.includes('\0')) {
      findings.add({ code: 'CONTROL_CHARACTER', message: 'the text holds a NUL character, which bash cannot be given' }, context);
      script = script.replace(/\0/g, '');
    }
    const joined = script.includes('\\\n') ? withTree(parser, script, (tree) => joinContinuations(script, tree)) : { text: script, changed: false, insideWord: false };
    if (joined.insideWord) {
      findings.add({ code: 'LINE_CONTINUATION', message: 'a backslash-newline joins two halves of a word, so what you read is not how bash splits it', span: { start: 0, end: script.length } }, context);
    }
    // Spans refer to the text as written; after joining they would not, so they cover it all.
    const inner: Context = joined.changed ? { ...context, outerSpan: context.outerSpan ?? { start: 0, end: script.length } } : context;
    return withTree(parser, joined.text, (tree) => {
      const error = firstError(tree.rootNode);
      if (error) {
        const span: Span = { start: error.startIndex, end: Math.max(error.endIndex, error.startIndex + 1) };
        findings.add({ code: 'PARSE_ERROR', message: `bash cannot parse this as written (near \`${error.text.slice(0, 40) || joined.text.slice(span.start, span.start + 20)}\`)`, span }, inner);
        scanForDenials(analysis, joined.text, inner, { start: 0, end: joined.text.length });
      }
      const infos = walker.statement(tree.rootNode, inner);
      commands += infos.length;
      return infos;
    });
  };
  const infos = analyzeScript(text, root);
  if (commands === 0 && findings.reasons.length === 0) {
    findings.add({ code: 'EMPTY_COMMAND', message: 'there is no command to run (only comments or whitespace)' }, root);
  }
  return { findings, infos, commands };
}

function withTree<T>(parser: BashParser, text: string, use: (tree: ReturnType<BashParser['parse']>) => T): T {
  const tree = parser.parse(text);
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
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
      try {
        const { findings, infos } = analyse(parser, text, settings);
        return summarize(findings.reasons, [...new Set(infos.map((i) => i.program).filter((p) => p !== ''))], findings.commands);
      } catch (error) {
        // Fail closed: an engine fault (or a stack exhausted by hostile nesting) is a person's call.
        const deep = error instanceof RangeError;
        return summarize([{
          code: deep ? 'NESTING_TOO_DEEP' : 'ANALYSIS_FAILED',
          message: deep ? `the command is nested too deeply to analyse (limit ${MAX_NODE_DEPTH} levels)` : `Leash could not analyse this command (${(error as Error).message}); a person must read it`,
        }]);
      }
    },
  };
}

export async function createPolicyEngine(options: BashParserOptions = {}): Promise<PolicyEngine> {
  return createPolicyEngineWith(await createBashParser(options));
}
