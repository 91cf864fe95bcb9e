import type { Invocation, StdinInput } from './analysis.js';
import { childrenWithFields, type FieldChild, type SyntaxNode } from './bashParser.js';
import { expandWord } from './expansion.js';
import { invoke } from './invocation.js';
import { judgeSubscriptText } from './builtins.js';
import type { Arg, CommandInfo, Context } from './model.js';
import { roleOf } from './nodeTypes.js';
import { judgeRedirect, type RedirectResult } from './redirects.js';
import { evaluateWord, hasGlob, isDynamic, isUnknown, nodeSpan, wordValue, type Word } from './words.js';
import type { Walker } from './walker.js';

/**
 * Assembles a simple command the way bash does: assignments, then words in source order (those
 * tree-sitter files under a redirect's destination or a here-document's arguments included:
 * `find . 2>/dev/null -delete` is `find . -delete`), then the redirections, then `invoke`.
 */

export interface Extras {
  stdin?: StdinInput | undefined;
  /** Words the grammar put outside the command node that bash gives the command. */
  args: Arg[];
  /** Redirections written after the command (`redirected_statement`). */
  redirects: SyntaxNode[];
  /** Where to report what the redirections found (here-document continuations). */
  results?: RedirectResult[];
}

/** Appends `next` to `args`, joining the first of its fields to the last arg when bash sees one word. */
function pushJoined(args: Arg[], next: Arg[], adjacent: boolean, translated = false): void {
  let last = args[args.length - 1];
  const first = next[0];
  if (!adjacent || !last || !first) {
    args.push(...next);
    return;
  }
  if (translated) {
    // `$"…"` is a translated string: the `$` is not part of the word.
    const pieces = last.word.pieces.slice(0, -1);
    if (pieces.length === 0) {
      args.pop();
      args.push(...next);
      return;
    }
    last = { ...last, value: last.value.slice(0, -1), word: { ...last.word, pieces } };
  }
  const word: Word = { pieces: [...last.word.pieces, ...first.word.pieces], source: `${last.word.source}${first.word.source}`, span: { start: last.word.span.start, end: first.word.span.end } };
  if (last.word.nulCut || first.word.nulCut) word.nulCut = true;
  args[args.length - 1] = {
    value: `${last.value}${first.value}`,
    dynamic: last.dynamic || first.dynamic,
    unknown: (last.unknown ?? false) || (first.unknown ?? false),
    glob: last.glob || first.glob,
    word,
    nested: [...last.nested, ...first.nested],
  };
  args.push(...next.slice(1));
}

const NAMED_DESCRIPTOR = /^\{[A-Za-z_][A-Za-z0-9_]*(\[.*\])?\}$/s;

/** Evaluates a word node into arguments (after brace expansion and IFS splitting). */
export function wordArgs(walker: Walker, node: SyntaxNode, context: Context): Arg[] {
  const nested = walker.words(node, context);
  const word = evaluateWord(node, context.variables);
  return argsOf(walker, word, nested, context);
}

export function argsOf(walker: Walker, word: Word, nested: CommandInfo[], context: Context): Arg[] {
  const expanded = expandWord(word, context.variables.get('IFS'));
  if (expanded.braces) {
    walker.add({ code: 'BRACE_EXPANSION', message: `the brace expansion \`${word.source}\` turns into ${expanded.fields ? `\`${expanded.fields.join(' ')}\`` : 'too many words'}`, span: word.span }, context);
  }
  const fields = expanded.fields ?? [wordValue(word)];
  const dynamic = isDynamic(word);
  const unknown = isUnknown(word);
  const glob = hasGlob(word);
  return fields.map((value) => ({ value, dynamic, unknown, glob, word, nested }));
}

function literalArg(node: SyntaxNode): Arg {
  const word: Word = { pieces: [{ kind: 'unquoted', text: node.type }], source: node.text, span: nodeSpan(node) };
  return { value: node.text, dynamic: false, glob: false, word, nested: [] };
}

export function judgeCommand(walker: Walker, node: SyntaxNode, context: Context, extras: Extras, given?: RedirectResult[]): CommandInfo[] {
  const results = given ?? extras.results ?? [];
  let lastWordEnd = -1;
  const infos: CommandInfo[] = [];
  const args: Arg[] = [];
  const assignments: Invocation['assignments'] = [];
  const assignmentNodes: SyntaxNode[] = [];
  let stdin = extras.stdin;
  const redirect = (child: SyntaxNode): void => {
    const result = judgeRedirect(walker, child, context);
    results.push(result);
    infos.push(...result.nested);
    if (result.stdin) stdin = result.stdin;
    for (const arg of result.args) {
      infos.push(...arg.nested);
      args.push(arg);
    }
  };
  const children = childrenWithFields(node);
  for (let i = 0; i < children.length; i++) {
    const { node: child, field } = children[i] as FieldChild;
    if (!child.isNamed) {
      if (field === 'argument') pushJoined(args, [literalArg(child)], child.startIndex === lastWordEnd);
      else walker.unexpected(child, context, `the token \`${child.type}\``);
      lastWordEnd = child.endIndex;
    } else if (child.type === 'variable_assignment' && args.length === 0) {
      const nameNode = child.childForFieldName('name');
      const name = nameNode?.text ?? '';
      if (nameNode?.type === 'subscript') walker.assign(child, context);
      const nested = child.namedChildren.flatMap((part) => (part && part !== nameNode ? walker.words(part, context) : []));
      infos.push(...nested);
      const word = evaluateWord(child, context.variables);
      assignments.push({ name, value: { value: child.text, dynamic: isDynamic(word), glob: false, word, nested } });
      assignmentNodes.push(child);
    } else if (field === 'name' || field === 'argument') {
      const next = children[i + 1]?.node;
      if (next && next.startIndex === child.endIndex && roleOf(next.type) === 'redirect' && NAMED_DESCRIPTOR.test(child.text)) {
        walker.add({ code: 'SHELL_STATE_CHANGE', message: `\`${child.text}\` makes bash store a new file descriptor in a variable`, span: nodeSpan(child) }, context);
      }
      const expanded = wordArgs(walker, child, context);
      infos.push(...(expanded[0]?.nested ?? []));
      // The grammar can split one bash word in two (`$\x41`: the token `$`, then a word).
      const previous = children[i - 1]?.node;
      const translated = child.type === 'string' && previous?.type === '$' && !previous.isNamed && previous.endIndex === child.startIndex;
      pushJoined(args, expanded, child.startIndex === lastWordEnd, translated);
      lastWordEnd = child.endIndex;
    } else if (field === 'redirect') {
      redirect(child);
    } else if (child.type !== 'comment') {
      walker.unexpected(child, context);
      infos.push(...walker.anything(child, context));
      // What the grammar could not read still stands in the argv, as a word of unknown value.
      if (child.type === 'ERROR' && args.length > 0) {
        const word: Word = { pieces: [{ kind: 'dynamic', text: child.text }], source: child.text, span: nodeSpan(child) };
        pushJoined(args, [{ value: child.text, dynamic: true, unknown: true, glob: false, word, nested: [] }], child.startIndex === lastWordEnd);
        lastWordEnd = child.endIndex;
      }
    }
  }
  for (const child of extras.redirects) redirect(child);
  args.push(...extras.args);
  // `$\x72m`: bash reads a `$` before a backslash as a literal `$` of the command name; the grammar
  // leaves it an ERROR just before the command. The name is then not what it seems: unknown.
  const statement = node.parent?.type === 'redirected_statement' ? node.parent : node;
  const before = statement.previousSibling;
  const name = args[0];
  if (name && before?.type === 'ERROR' && before.text === '$' && before.endIndex === statement.startIndex) {
    args[0] = { ...name, value: `$${name.value}`, dynamic: true, unknown: true };
  }
  const writes = results.flatMap((r) => (r.writes === undefined ? [] : [r.writes]));
  if (args.length === 0) {
    walker.add({ code: 'SHELL_STATE_CHANGE', message: `\`${node.text.split('\n')[0]}\` sets shell variables`, span: nodeSpan(node) }, context);
    for (const assignment of assignmentNodes) walker.assign(assignment, context);
    return infos;
  }
  const invocation: Invocation = { args, assignments, span: nodeSpan(node), writes };
  if (stdin) invocation.stdin = stdin;
  const own = invoke(walker.analysis, invocation, context);
  return [...own, ...infos.map((info) => ({ ...info, nestedIn: true }))];
}

/** Operators that make `[[ … ]]` evaluate both sides arithmetically (array subscripts run commands). */
const ARITHMETIC_TESTS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);

/**
 * `[[ … ]]` and `[ … ]`. The single bracket is the `[` builtin: its words go to `invoke` like any
 * command's. The double bracket is a keyword: its operands are judged here.
 */
export function judgeTest(walker: Walker, node: SyntaxNode, context: Context): CommandInfo[] {
  const double = node.children[0]?.type === '[[';
  const infos: CommandInfo[] = [];
  const words: Arg[] = [];
  const collect = (n: SyntaxNode, top: boolean): void => {
    for (const child of n.children) {
      if (!child) continue;
      if (!child.isNamed) {
        if (!(top && ['[[', ']]', '[', ']'].includes(child.type))) words.push(literalArg(child));
        continue;
      }
      const role = roleOf(child.type);
      if (role === 'arithmetic') collect(child, false);
      else if (role === 'statement') {
        walker.unexpected(child, context);
        infos.push(...walker.statement(child, context));
      } else if (child.type !== 'comment') {
        const expanded = wordArgs(walker, child, context);
        infos.push(...(expanded[0]?.nested ?? []));
        words.push(...expanded);
      }
    }
  };
  collect(node, true);
  const nested = infos.map((info) => ({ ...info, nestedIn: true }));
  if (!double) {
    const open = node.children[0];
    const close = node.children[node.childCount - 1];
    const bracket = (n: SyntaxNode | null | undefined): Arg => (n ? literalArg(n) : ({ value: ']', dynamic: false, glob: false, word: { pieces: [], source: ']', span: nodeSpan(node) }, nested: [] }));
    return [...invoke(walker.analysis, { args: [bracket(open), ...words, bracket(close)], assignments: [], span: nodeSpan(node), writes: [] }, context), ...nested];
  }
  judgeSubscriptText(walker.analysis, '[[', words, context);
  const values = words.map((w) => w.value);
  values.forEach((value, index) => {
    if (!ARITHMETIC_TESTS.has(value)) return;
    const operands = [words[index - 1], words[index + 1]];
    if (operands.some((o) => !o || o.dynamic || !/^[+-]?\d+$/.test(o.value))) {
      walker.add({ code: 'ARITHMETIC_EXPANSION', message: `\`[[ … ${value} … ]]\` evaluates its operands arithmetically, which can run substitutions hidden in array subscripts`, span: nodeSpan(node) }, context);
    }
  });
  const problem = testProblem(words);
  if (problem) walker.add({ code: problem.code, message: problem.message, span: nodeSpan(node) }, context);
  else walker.add({ code: 'ALLOWED_COMMAND', rule: 'allow:test', message: '`[[ … ]]` only tests a condition', span: nodeSpan(node) }, context);
  return [{ program: '[[', fetches: false, runsStdin: false, interpreter: false }, ...nested];
}

/** What keeps a test from being allowed: unknown words, or `-v`/`-R`, which evaluate subscripts. */
export function testProblem(words: readonly Arg[]): { code: 'DYNAMIC_ARGUMENT' | 'ARITHMETIC_EXPANSION'; message: string } | undefined {
  const dynamic = words.find((w) => w.dynamic);
  if (dynamic) return { code: 'DYNAMIC_ARGUMENT', message: `the test's operand \`${dynamic.word.source}\` is only known when it runs` };
  const named = words.find((w) => w.value === '-v' || w.value === '-R');
  if (named) return { code: 'ARITHMETIC_EXPANSION', message: `\`${named.value}\` looks a variable up by name and evaluates any array subscript in it, which can run commands` };
  return undefined;
}
