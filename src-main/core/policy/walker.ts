import type { Analysis, StdinInput } from './analysis.js';
import { childrenWithFields, type SyntaxNode } from './bashParser.js';
import { judgeCommand, judgeTest, type Extras } from './command.js';
import { fetcherIn } from './invocation.js';
import { within, type CommandInfo, type Context } from './model.js';
import { NODE_ROLES, STATEMENT_SEPARATORS, roleOf, type NodeType } from './nodeTypes.js';
import { ordinal } from './options.js';
import { scanForDenials } from './fallback.js';
import { judgeRedirect, type RedirectResult } from './redirects.js';
import type { Reason } from './types.js';
import { evaluateWord, nodeSpan, plainVariableName, staticValue } from './words.js';

/**
 * Walks a bash syntax tree exhaustively. Every statement type has a handler (the table below is
 * checked by the compiler against the node-role table); inside a handler every child is either
 * walked, evaluated as a word (whose substitutions are walked too) or reported. Nothing is
 * skipped silently: an unexpected child or token is `ask`, and its commands are still judged.
 */

/** Past this depth of nesting the walk stops (`ask`): bounded stack, bounded time. */
export const MAX_NODE_DEPTH = 200;

/** Word-level node types that never have children (the grammar's leaves): nothing runs in them. */
const LEAVES = new Set(['word', 'raw_string', 'ansi_c_string', 'string_content', 'variable_name', 'special_variable_name', 'file_descriptor', 'test_operator', 'regex', 'extglob_pattern', 'heredoc_content', 'heredoc_start', 'heredoc_end', 'comment']);

type StatementType = { [K in NodeType]: (typeof NODE_ROLES)[K] extends 'statement' ? K : never }[NodeType];
type Handler = (walker: Walker, node: SyntaxNode, context: Context, stdin?: StdinInput) => CommandInfo[];

/** Keywords and punctuation each container may hold besides statements and separators. */
const CONTAINER_TOKENS: Record<string, readonly string[]> = {
  program: [],
  list: [],
  subshell: ['(', ')'],
  compound_statement: ['{', '}', '((', '))'],
  do_group: ['do', 'done'],
  if_statement: ['if', 'then', 'fi'],
  elif_clause: ['elif', 'then'],
  else_clause: ['else'],
  while_statement: ['while', 'until'],
  case_item: ['(', ')', '|', ';;', ';&', ';;&'],
  case_statement: ['case', 'in', 'esac'],
  negated_command: ['!'],
};

const HANDLERS = {
  program: (w, n, c) => w.container(n, c),
  list: (w, n, c) => w.container(n, c),
  subshell: (w, n, c) => w.container(n, c),
  compound_statement: (w, n, c) => w.group(n, c),
  do_group: (w, n, c) => w.container(n, c),
  if_statement: (w, n, c) => w.container(n, c),
  elif_clause: (w, n, c) => w.container(n, c),
  else_clause: (w, n, c) => w.container(n, c),
  while_statement: (w, n, c) => w.container(n, c),
  case_statement: (w, n, c) => w.container(n, c),
  case_item: (w, n, c) => w.container(n, c),
  negated_command: (w, n, c) => w.container(n, c),
  for_statement: (w, n, c) => w.forLoop(n, c),
  c_style_for_statement: (w, n, c) => w.arithmeticLoop(n, c),
  pipeline: (w, n, c) => w.pipeline(n.children, c, []),
  command: (w, n, c, stdin) => judgeCommand(w, n, c, w.takeExtras(n) ?? { stdin, args: [], redirects: [] }),
  redirected_statement: (w, n, c) => w.redirected(n, c),
  function_definition: (w, n, c) => w.functionDefinition(n, c),
  declaration_command: (w, n, c) => w.shellState(n, c),
  unset_command: (w, n, c) => w.shellState(n, c),
  variable_assignment: (w, n, c) => w.shellState(n, c),
  variable_assignments: (w, n, c) => w.shellState(n, c),
  test_command: (w, n, c) => judgeTest(w, n, c),
} satisfies Record<StatementType, Handler>;

/** Nodes whose trailing redirection (and the words after it) belongs to their last command. */
const REDIRECT_PASSES_THROUGH = new Set(['pipeline', 'list', 'negated_command']);

/**
 * A function whose body calls itself at least twice where one call runs in a new process (a
 * pipeline stage or a background job): every call starts two more, `:(){ :|:& };:` in any name.
 */
function isForkBomb(name: string, body: SyntaxNode, infos: readonly CommandInfo[]): boolean {
  if (name === '' || infos.filter((info) => info.program === name).length < 2) return false;
  const stack: SyntaxNode[] = [body];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === 'pipeline' || node.type === '&') return true;
    for (const child of node.children) if (child) stack.push(child);
  }
  return false;
}

export class Walker {
  private depth = 0;
  /**
   * Redirections the grammar hung on a whole pipeline or list (`a | b 2>/dev/null -x`) that bash
   * gives the last command: keyed by that command's node id.
   */
  private readonly attached = new Map<number, Extras>();

  constructor(readonly analysis: Analysis) {}

  add(reason: Reason, context: Context): void {
    this.analysis.findings.add(reason, context);
  }

  unexpected(node: SyntaxNode, context: Context, what = `\`${node.type}\``): void {
    this.add({ code: 'UNSUPPORTED_SYNTAX', message: `Leash does not judge ${what} here (near \`${node.text.slice(0, 40)}\`)`, span: nodeSpan(node) }, context);
  }

  /** Runs `visit` one level deeper, or reports NESTING_TOO_DEEP and stops descending. */
  deeper<T>(node: SyntaxNode, context: Context, fallback: T, visit: () => T): T {
    if (this.depth >= MAX_NODE_DEPTH) {
      this.add({ code: 'NESTING_TOO_DEEP', message: `constructs nested more than ${MAX_NODE_DEPTH} levels deep are not analysed`, span: nodeSpan(node) }, context);
      return fallback;
    }
    this.depth++;
    try {
      return visit();
    } finally {
      this.depth--;
    }
  }

  takeExtras(node: SyntaxNode): Extras | undefined {
    const extras = this.attached.get(node.id);
    this.attached.delete(node.id);
    return extras;
  }

  /** Judges any node standing where a statement may stand. */
  statement(node: SyntaxNode, context: Context, stdin?: StdinInput): CommandInfo[] {
    return this.deeper(node, context, [], () => {
      const role = roleOf(node.type);
      const extras = node.type === 'command' ? undefined : this.takeExtras(node);
      if (extras) {
        const own = extras.redirects.flatMap((r) => this.redirectOnCompound(r, context));
        return [...own, ...this.statement(node, context, stdin)];
      }
      if (role === 'statement') return HANDLERS[node.type as StatementType](this, node, context, stdin);
      if (role === 'inert') return [];
      if (role === 'arithmetic') {
        this.add({ code: 'ARITHMETIC_EXPANSION', message: `the arithmetic command \`${node.text.slice(0, 40)}\` can run substitutions hidden in array subscripts`, span: nodeSpan(node) }, context);
        return this.words(node, context);
      }
      // The grammar failed here (PARSE_ERROR is reported once for the whole text) or the node is
      // not a statement at all: judge whatever commands it holds.
      if (role !== 'error') this.unexpected(node, context);
      return this.anything(node, context);
    });
  }

  /** Judges every child of a node of unknown meaning: statements as statements, the rest as words. */
  anything(node: SyntaxNode, context: Context): CommandInfo[] {
    const infos: CommandInfo[] = [];
    for (const child of node.namedChildren) {
      if (!child) continue;
      infos.push(...(roleOf(child.type) === 'statement' ? this.statement(child, context) : this.words(child, context)));
    }
    return infos;
  }

  /**
   * `{ …; }`. Bash reads `{` as the keyword only when a blank follows it: `{}` and `{ls;}` are
   * words, so a command named `{}` or `{ls` runs, where the grammar sees a group.
   */
  group(node: SyntaxNode, context: Context): CommandInfo[] {
    if (node.text.startsWith('{') && !/^\{[ \t\n]/.test(node.text)) {
      this.add({ code: 'UNSUPPORTED_SYNTAX', message: `bash reads \`${node.text.slice(0, 20)}\` as a command name, not as a group`, span: nodeSpan(node) }, context);
      scanForDenials(this.analysis, node.text, context, nodeSpan(node));
      return [];
    }
    return this.container(node, context);
  }

  /** Statement containers: lists, groups, subshells, control flow. */
  container(node: SyntaxNode, context: Context): CommandInfo[] {
    const tokens = CONTAINER_TOKENS[node.type] ?? [];
    const infos: CommandInfo[] = [];
    for (const child of node.children) {
      if (!child) continue;
      if (!child.isNamed) {
        if (child.type === '&') this.add({ code: 'BACKGROUND_JOB', message: 'runs a command in the background (`&`), beyond the reach of a timeout', span: nodeSpan(child) }, context);
        else if (!STATEMENT_SEPARATORS.has(child.type) && !tokens.includes(child.type)) this.unexpected(child, context, `the token \`${child.type}\``);
        continue;
      }
      const role = roleOf(child.type);
      if (role === 'word' && (node.type === 'case_statement' || node.type === 'case_item')) {
        infos.push(...this.words(child, context));
      } else if (role === 'arithmetic' || role === 'statement' || role === 'inert' || role === 'error') {
        infos.push(...this.statement(child, context));
      } else {
        this.unexpected(child, context);
        infos.push(...this.anything(child, context));
      }
    }
    return infos;
  }

  forLoop(node: SyntaxNode, context: Context): CommandInfo[] {
    const infos: CommandInfo[] = [];
    for (const { node: child, field } of childrenWithFields(node)) {
      if (!child.isNamed) {
        if (child.type === 'select') this.add({ code: 'UNSUPPORTED_SYNTAX', message: '`select` reads choices from the terminal', span: nodeSpan(child) }, context);
        else if (!['for', 'in', 'select', ';', '\n'].includes(child.type)) this.unexpected(child, context, `the token \`${child.type}\``);
      } else if (field === 'variable') {
        context.variables.delete(child.text);
      } else if (field === 'value') {
        infos.push(...this.words(child, context));
      } else if (field === 'body') {
        infos.push(...this.statement(child, context));
      } else if (child.type !== 'comment') {
        this.unexpected(child, context);
        infos.push(...this.anything(child, context));
      }
    }
    return infos;
  }

  arithmeticLoop(node: SyntaxNode, context: Context): CommandInfo[] {
    this.add({ code: 'ARITHMETIC_EXPANSION', message: 'the arithmetic `for ((…))` loop can run substitutions hidden in array subscripts', span: nodeSpan(node) }, context);
    return this.anything(node, context);
  }

  functionDefinition(node: SyntaxNode, context: Context): CommandInfo[] {
    const name = node.childForFieldName('name')?.text ?? '';
    this.add({ code: 'FUNCTION_DEFINITION', message: `defines the shell function \`${name}\``, span: nodeSpan(node) }, context);
    const inner = within(context, `in the body of function \`${name}\``);
    const infos: CommandInfo[] = [];
    for (const { node: child, field } of childrenWithFields(node)) {
      if (!child.isNamed) {
        if (!['function', '(', ')'].includes(child.type)) this.unexpected(child, context, `the token \`${child.type}\``);
      } else if (field === 'body') infos.push(...this.statement(child, inner));
      else if (field === 'redirect') infos.push(...this.redirectOnCompound(child, inner));
      else if (field !== 'name' && child.type !== 'comment') {
        this.unexpected(child, context);
        infos.push(...this.anything(child, context));
      }
    }
    const body = node.childForFieldName('body');
    if (body && isForkBomb(name, body, infos)) {
      this.add({ code: 'FORK_BOMB', rule: 'deny:fork-bomb', message: `blocked: the function \`${name}\` calls itself more than once in new processes (a fork bomb)`, span: nodeSpan(node) }, context);
    }
    // Calling the function later runs the body: a fetch inside it makes the call a fetcher.
    this.analysis.functions.set(name, { fetches: fetcherIn(infos) !== undefined });
    return infos.map((info) => ({ ...info, nestedIn: true }));
  }

  private redirectOnCompound(node: SyntaxNode, context: Context): CommandInfo[] {
    const result = judgeRedirect(this, node, context);
    if (result.args.length > 0) this.add({ code: 'PARSE_ERROR', message: `bash rejects words after a redirection of a compound command (\`${node.text.slice(0, 40)}\`)`, span: nodeSpan(node) }, context);
    return [...result.nested, ...result.args.flatMap((a) => a.nested), ...result.continuations.flatMap((c) => this.statement(c, context))];
  }

  /** `x=1`, `declare`, `export`, `unset`: record static values, judge what runs in them. */
  shellState(node: SyntaxNode, context: Context): CommandInfo[] {
    this.add({ code: 'SHELL_STATE_CHANGE', message: `\`${node.text.split('\n')[0]}\` changes the state of the shell`, span: nodeSpan(node) }, context);
    const assignments = node.type === 'variable_assignment' ? [node] : node.namedChildren.filter((c) => c?.type === 'variable_assignment');
    for (const assignment of assignments) this.assign(assignment, context);
    if (node.type !== 'variable_assignment' && node.type !== 'variable_assignments') {
      // `declare`, `export`, `local`, `unset` evaluate array subscripts in names arithmetically.
      const subscripted = node.namedChildren.find((c) => c && c.type !== 'variable_assignment' && /\[/.test(c.text));
      if (subscripted) this.add({ code: 'ARITHMETIC_EXPANSION', message: `\`${subscripted.text}\` names an array element, whose subscript bash evaluates (and can run commands in)`, span: nodeSpan(subscripted) }, context);
    }
    const infos: CommandInfo[] = [];
    const argv: { value: string; known: boolean }[] = [];
    for (const child of node.children) {
      if (!child) continue;
      if (!child.isNamed) {
        if (argv.length === 0) argv.push({ value: child.type, known: true });
        continue;
      }
      if (child.type === 'variable_assignment' && node.type !== 'variable_assignment') {
        infos.push(...this.anything(child, context));
        const name = child.childForFieldName('name')?.text ?? '';
        const value = child.childForFieldName('value');
        const known = value ? staticValue(evaluateWord(value, context.variables)) : '';
        argv.push({ value: `${name}=${known ?? value?.text ?? ''}`, known: known !== undefined });
      } else {
        infos.push(...this.words(child, context));
        const known = staticValue(evaluateWord(child, context.variables));
        argv.push({ value: known ?? child.text, known: known !== undefined });
      }
    }
    // `declare`, `export`, `local`, `unset` are builtins bash runs with these words.
    if (!context.denyOnly && (node.type === 'declaration_command' || node.type === 'unset_command')) {
      const unknown = argv.flatMap((w, i) => (w.known ? [] : [i]));
      this.analysis.findings.commands.push({ argv: argv.map((w) => w.value), ...(unknown.length > 0 ? { unknown } : {}) });
    }
    return infos;
  }

  assign(assignment: SyntaxNode | null, context: Context): void {
    const name = assignment?.childForFieldName('name');
    if (!assignment || !name) return;
    if (name.type === 'subscript') {
      this.add({ code: 'ARITHMETIC_EXPANSION', message: `the assignment to \`${name.text}\` evaluates its subscript, which can run commands`, span: nodeSpan(name) }, context);
      return;
    }
    const valueNode = assignment.childForFieldName('value');
    const appends = assignment.children.some((c) => c?.type === '+=');
    const word = valueNode ? evaluateWord(valueNode, context.variables) : undefined;
    // `known` pieces count: `x=rm; y=$x; $y -rf ~` must reach `rm`.
    const value = word && word.pieces.every((p) => p.kind !== 'dynamic' && p.kind !== 'split') ? word.pieces.map((p) => p.text).join('') : word ? staticValue(word) : '';
    if (value === undefined || (appends && !context.variables.has(name.text))) context.variables.delete(name.text);
    else context.variables.set(name.text, appends ? `${context.variables.get(name.text) ?? ''}${value}` : value);
  }

  redirected(node: SyntaxNode, context: Context): CommandInfo[] {
    const extras: Extras = { args: [], redirects: [] };
    const continuations: SyntaxNode[] = [];
    let body: SyntaxNode | undefined;
    for (const { node: child, field } of childrenWithFields(node)) {
      if (field === 'body') body = child;
      else if (child.type === 'file_redirect' || child.type === 'heredoc_redirect' || child.type === 'herestring_redirect') extras.redirects.push(child);
      else if (child.type !== 'comment') this.unexpected(child, context);
    }
    if (!body) {
      this.add({ code: 'SHELL_STATE_CHANGE', message: `\`${node.text.split('\n')[0]}\` has redirections but no command`, span: nodeSpan(node) }, context);
      return extras.redirects.flatMap((r) => this.redirectOnCompound(r, context));
    }
    if (body.type === 'command') {
      const results: RedirectResult[] = [];
      const infos = judgeCommand(this, body, context, extras, results);
      for (const result of results) continuations.push(...result.continuations);
      return this.continue(infos, continuations, context);
    }
    if (REDIRECT_PASSES_THROUGH.has(body.type)) {
      // Bash gives a trailing redirection to the last command, not to the whole pipeline, list or
      // negation (`! find . 2>/dev/null -delete` runs `find . -delete`).
      let last: SyntaxNode = body;
      while (REDIRECT_PASSES_THROUGH.has(last.type)) {
        const named = last.namedChildren.filter((c): c is SyntaxNode => !!c && c.type !== 'comment');
        const tail = named[named.length - 1];
        if (!tail) break;
        last = tail;
      }
      if (last !== body) {
        const results: RedirectResult[] = [];
        this.attached.set(last.id, { ...extras, results });
        const infos = this.statement(body, context);
        for (const result of results) continuations.push(...result.continuations);
        return this.continue(infos, continuations, context);
      }
    }
    const results = extras.redirects.map((r) => judgeRedirect(this, r, context));
    const stdin = results.reduce<StdinInput | undefined>((s, r) => r.stdin ?? s, undefined);
    for (const result of results) {
      continuations.push(...result.continuations);
      if (result.args.length > 0) this.add({ code: 'PARSE_ERROR', message: `bash rejects words after a redirection of a compound command`, span: nodeSpan(node) }, context);
    }
    const infos = [...results.flatMap((r) => [...r.nested, ...r.args.flatMap((a) => a.nested)]), ...this.statement(body, context, stdin)];
    return this.continue(infos, continuations, context);
  }

  /** What follows a here-document's delimiter on its line: `cat <<EOF | sh`, `<<EOF && rm …`. */
  private continue(infos: CommandInfo[], continuations: SyntaxNode[], context: Context): CommandInfo[] {
    const pipeTail = continuations.find((c) => c.type === 'pipeline');
    const all = pipeTail ? this.pipeline(pipeTail.children, context, [infos]) : [...infos];
    for (const continuation of continuations) if (continuation !== pipeTail) all.push(...this.statement(continuation, context));
    return all;
  }

  /**
   * Finds substitutions and risky expansions anywhere inside a word-like node and judges the
   * commands they run. Every descendant is visited.
   */
  words(node: SyntaxNode, context: Context): CommandInfo[] {
    if (LEAVES.has(node.type)) return [];
    return this.deeper(node, context, [], () => {
      switch (node.type) {
        case 'command_substitution':
        case 'process_substitution': {
          const process = node.type === 'process_substitution';
          this.add({
            code: process ? 'PROCESS_SUBSTITUTION' : 'COMMAND_SUBSTITUTION',
            message: process ? `runs \`${node.text.slice(0, 60)}\` as a process substitution` : `runs \`${node.text.slice(0, 60)}\` and uses its output as text`,
            span: nodeSpan(node),
          }, context);
          const inner = within(context, process ? 'inside a process substitution' : 'inside a command substitution');
          const infos: CommandInfo[] = [];
          for (const child of node.children) {
            if (!child) continue;
            if (!child.isNamed) {
              if (!['$(', '`', ')', '<(', '>(', ';', '\n', '&'].includes(child.type)) this.unexpected(child, inner, `the token \`${child.type}\``);
              if (child.type === '&') this.add({ code: 'BACKGROUND_JOB', message: 'runs a command in the background (`&`)', span: nodeSpan(child) }, inner);
            } else if (child.type === 'file_redirect') {
              // `$(< file)` reads the file: judged as a redirect (credential paths).
              infos.push(...this.redirectOnCompound(child, inner));
            } else {
              infos.push(...this.statement(child, inner));
            }
          }
          return infos.map((info) => ({ ...info, nestedIn: true }));
        }
        case 'expansion':
          if (plainVariableName(node) === undefined) {
            this.add({ code: 'PARAMETER_EXPANSION', message: `the expansion \`${node.text.slice(0, 60)}\` uses operators whose result Leash cannot predict`, span: nodeSpan(node) }, context);
          }
          break;
        case 'arithmetic_expansion':
          this.add({ code: 'ARITHMETIC_EXPANSION', message: `the arithmetic expansion \`${node.text.slice(0, 60)}\` can run hidden substitutions`, span: nodeSpan(node) }, context);
          break;
        case 'subscript':
          this.add({ code: 'ARITHMETIC_EXPANSION', message: `the array subscript in \`${node.text.slice(0, 60)}\` is evaluated arithmetically and can run substitutions`, span: nodeSpan(node) }, context);
          break;
        default: {
          const role = roleOf(node.type);
          if (role === 'statement') return this.statement(node, context);
          if (role === 'redirect' || role === 'heredoc' || role === undefined) this.unexpected(node, context);
        }
      }
      const infos: CommandInfo[] = [];
      for (const child of node.namedChildren) if (child) infos.push(...this.words(child, context));
      return infos;
    });
  }

  /** Visits pipeline stages and checks what flows from one into the next. Linear in the stages. */
  pipeline(children: readonly (SyntaxNode | null)[], context: Context, earlier: CommandInfo[][]): CommandInfo[] {
    let upstreamFetcher = fetcherIn(earlier.flat());
    let previous = earlier[earlier.length - 1] ?? [];
    let position = earlier.length;
    const all: CommandInfo[] = [];
    for (const stage of children) {
      if (!stage) continue;
      if (!stage.isNamed) {
        if (stage.type !== '|' && stage.type !== '|&') this.unexpected(stage, context, `the token \`${stage.type}\``);
        continue;
      }
      if (stage.type === 'comment') continue;
      const stageContext = within(context, `in the ${ordinal(position + 1)} command of a pipeline`);
      // A stage reads what the stages before it wrote (`curl … | tee f` saves the download in f).
      const piped: StdinInput | undefined = position > 0 ? { producers: upstreamFetcher ? [upstreamFetcher] : previous, label: 'pipe' } : undefined;
      const infos = this.statement(stage, stageContext, piped);
      for (const info of [...infos]) {
        if (position === 0 || !info.interpreter || info.nestedIn) {
          // `curl … | tee >(sh)`: a substitution of a later stage that runs its input as code.
          if (position > 0 && info.nestedIn && info.runsStdin && upstreamFetcher) this.denyPiped(upstreamFetcher, info, stage, stageContext);
          continue;
        }
        this.add({ code: 'PIPE_TO_INTERPRETER', message: `pipes the output of the previous command into \`${info.program}\``, span: nodeSpan(stage) }, stageContext);
        if (upstreamFetcher && info.runsStdin) this.denyPiped(upstreamFetcher, info, stage, stageContext);
        const text = previous.find((p) => p.staticOutput !== undefined && !p.nestedIn)?.staticOutput;
        if (text !== undefined && info.runsStdin) {
          infos.push(...this.analysis.analyzeScript(text, within(stageContext, `inside the text piped into \`${info.program}\``), nodeSpan(stage)));
        }
      }
      // What a stage passes on counts as fetched when a fetcher ran upstream and the stage copies it (`tee`, `cat`).
      upstreamFetcher = fetcherIn(infos) ?? upstreamFetcher;
      previous = infos;
      position++;
      all.push(...infos);
    }
    return all;
  }

  private denyPiped(fetcher: CommandInfo, info: CommandInfo, stage: SyntaxNode, context: Context): void {
    this.add({ code: 'REMOTE_CODE_EXECUTION', rule: 'deny:remote-code', message: `blocked: what \`${fetcher.program}\` downloads is piped into \`${info.program}\``, span: nodeSpan(stage) }, context);
  }
}
