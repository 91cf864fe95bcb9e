import type { Analysis, Invocation, StdinInput } from './analysis.js';
import type { SyntaxNode } from './bashParser.js';
import { credentialPath } from './credentials.js';
import { isBlockDevice } from './denyRules.js';
import { expandWord } from './expansion.js';
import { fetcherIn, invoke } from './invocation.js';
import { within, type Arg, type CommandInfo, type Context } from './model.js';
import { ordinal } from './options.js';
import {
  evaluateWord,
  hasGlob,
  isDynamic,
  nodeSpan,
  plainVariableName,
  staticValue,
  wordValue,
} from './words.js';
import type { Reason } from './types.js';

/**
 * Walks a bash syntax tree and visits every simple command wherever it stands: lists, pipelines,
 * subshells, groups, control flow, functions, substitutions and here-documents. Structural risks
 * (redirections, substitutions, background jobs, …) are reported here; commands go to `invoke`.
 */

/** Node types that hold statements and need no judgement of their own. */
const CONTAINERS = new Set([
  'program', 'list', 'compound_statement', 'subshell', 'do_group', 'if_statement', 'elif_clause', 'else_clause',
  'while_statement', 'for_statement', 'case_statement', 'case_item', 'negated_command',
]);

const STATEMENTS = new Set([
  ...CONTAINERS, 'command', 'pipeline', 'redirected_statement', 'function_definition', 'variable_assignment',
  'variable_assignments', 'declaration_command', 'unset_command', 'test_command', 'c_style_for_statement', 'ERROR',
]);

const ARITHMETIC = new Set([
  'binary_expression', 'unary_expression', 'postfix_expression', 'ternary_expression', 'parenthesized_expression',
  'c_style_for_statement',
]);

const REDIRECTS = new Set(['file_redirect', 'heredoc_redirect', 'herestring_redirect']);

const HARMLESS_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty']);

export class Walker {
  constructor(private readonly analysis: Analysis) {}

  private add(reason: Reason, context: Context): void {
    this.analysis.findings.add(reason, context);
  }

  statement(node: SyntaxNode, context: Context, stdin?: StdinInput): CommandInfo[] {
    switch (node.type) {
      case 'command':
        return this.command(node, context, stdin);
      case 'pipeline':
        return this.pipeline(node.namedChildren.filter(isStatement), context, []);
      case 'redirected_statement':
        return this.redirected(node, context);
      case 'function_definition': {
        const name = node.childForFieldName('name')?.text ?? '';
        this.add({ code: 'FUNCTION_DEFINITION', message: `defines the shell function \`${name}\``, span: nodeSpan(node) }, context);
        return this.children(node, within(context, `in the body of function \`${name}\``));
      }
      case 'variable_assignment':
      case 'variable_assignments':
      case 'declaration_command':
      case 'unset_command':
        return this.shellState(node, context);
      case 'test_command': {
        this.add({ code: 'ALLOWED_COMMAND', rule: 'allow:test', message: `\`${node.text.startsWith('[[') ? '[[ … ]]' : '[ … ]'}\` only tests a condition`, span: nodeSpan(node) }, context);
        return [{ program: 'test', fetches: false, runsStdin: false, interpreter: false }, ...this.words(node, context)];
      }
      case 'comment':
        return [];
      case 'ERROR':
        return this.children(node, context);
      default:
        if (CONTAINERS.has(node.type)) return this.children(node, context);
        if (ARITHMETIC.has(node.type)) {
          this.add({ code: 'ARITHMETIC_EXPANSION', message: 'arithmetic evaluation can run substitutions hidden in array subscripts', span: nodeSpan(node) }, context);
          return this.words(node, context);
        }
        this.add({ code: 'UNSUPPORTED_SYNTAX', message: `Leash does not judge \`${node.type}\` constructs`, span: nodeSpan(node) }, context);
        return this.children(node, context);
    }
  }

  /** Visits the children of a container: statements as statements, everything else as words. */
  private children(node: SyntaxNode, context: Context): CommandInfo[] {
    const infos: CommandInfo[] = [];
    for (const child of node.children) {
      if (!child) continue;
      if (!child.isNamed) {
        if (child.type === '&') this.add({ code: 'BACKGROUND_JOB', message: 'runs a command in the background (`&`), beyond the reach of a timeout', span: nodeSpan(child) }, context);
        continue;
      }
      if (child.type === 'variable_name' && node.type === 'for_statement') {
        context.variables.delete(child.text);
        continue;
      }
      if (ARITHMETIC.has(child.type)) {
        this.add({ code: 'ARITHMETIC_EXPANSION', message: `the arithmetic command \`${node.text}\` can run substitutions hidden in array subscripts`, span: nodeSpan(node) }, context);
      }
      infos.push(...(isStatement(child) ? this.statement(child, context) : this.words(child, context)));
    }
    return infos;
  }

  /**
   * Finds substitutions and risky expansions inside a word-like node and visits the commands
   * they run. Returns those commands (marked as nested).
   */
  words(node: SyntaxNode, context: Context): CommandInfo[] {
    const infos: CommandInfo[] = [];
    const visit = (n: SyntaxNode, root = false): void => {
      switch (n.type) {
        case 'command_substitution':
        case 'process_substitution': {
          const process = n.type === 'process_substitution';
          this.add({
            code: process ? 'PROCESS_SUBSTITUTION' : 'COMMAND_SUBSTITUTION',
            message: process ? `runs \`${n.text}\` as a process substitution` : `runs \`${n.text}\` and uses its output as text`,
            span: nodeSpan(n),
          }, context);
          const inner = within(context, process ? 'inside a process substitution' : 'inside a command substitution');
          for (const child of n.namedChildren) if (child) infos.push(...(isStatement(child) ? this.statement(child, inner) : this.words(child, inner)));
          return;
        }
        case 'expansion':
          if (plainVariableName(n) === undefined) {
            this.add({ code: 'PARAMETER_EXPANSION', message: `the expansion \`${n.text}\` uses operators whose result Leash cannot predict`, span: nodeSpan(n) }, context);
          }
          break;
        case 'arithmetic_expansion':
          this.add({ code: 'ARITHMETIC_EXPANSION', message: `the arithmetic expansion \`${n.text}\` can run hidden substitutions`, span: nodeSpan(n) }, context);
          break;
        default:
          if (!root && isStatement(n)) {
            infos.push(...this.statement(n, context));
            return;
          }
      }
      for (const child of n.namedChildren) if (child) visit(child);
    };
    visit(node, true);
    return infos;
  }

  /** Evaluates a word node into arguments (after brace expansion and IFS splitting). */
  private args(node: SyntaxNode, context: Context): Arg[] {
    const nested = this.words(node, context);
    const word = evaluateWord(node, context.variables);
    const expanded = expandWord(word);
    if (expanded.braces) {
      this.add({ code: 'BRACE_EXPANSION', message: `the brace expansion \`${word.source}\` turns into ${expanded.fields ? `\`${expanded.fields.join(' ')}\`` : 'too many words'}`, span: word.span }, context);
    }
    const fields = expanded.fields ?? [wordValue(word)];
    const dynamic = isDynamic(word);
    const glob = hasGlob(word);
    return fields.map((value) => ({ value, dynamic, glob, word, nested }));
  }

  private command(node: SyntaxNode, context: Context, stdin?: StdinInput): CommandInfo[] {
    const infos: CommandInfo[] = [];
    const args: Arg[] = [];
    const assignments: Invocation['assignments'] = [];
    const writes: string[] = [];
    let input = stdin;
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'variable_assignment') {
        const name = child.childForFieldName('name')?.text ?? '';
        const nested = this.words(child, context);
        infos.push(...nested);
        const word = evaluateWord(child, context.variables);
        assignments.push({ name, value: { value: child.text, dynamic: isDynamic(word), glob: false, word, nested } });
      } else if (REDIRECTS.has(child.type)) {
        const redirect = this.redirect(child, context);
        infos.push(...redirect.nested);
        if (redirect.stdin) input = redirect.stdin;
        if (redirect.writes !== undefined) writes.push(redirect.writes);
      } else if (child.type !== 'comment') {
        const expanded = this.args(child, context);
        infos.push(...(expanded[0]?.nested ?? []));
        args.push(...expanded);
      }
    }
    if (args.length === 0) {
      this.add({ code: 'SHELL_STATE_CHANGE', message: `\`${node.text}\` sets shell variables`, span: nodeSpan(node) }, context);
      return infos;
    }
    const invocation: Invocation = { args, assignments, span: nodeSpan(node) };
    if (input) invocation.stdin = input;
    const own = invoke(this.analysis, invocation, context);
    this.noteDownloads(own, writes);
    return [...own, ...infos.map((info) => ({ ...info, nestedIn: true }))];
  }

  private shellState(node: SyntaxNode, context: Context): CommandInfo[] {
    this.add({ code: 'SHELL_STATE_CHANGE', message: `\`${node.text.split('\n')[0]}\` changes the state of the shell`, span: nodeSpan(node) }, context);
    const assignments = node.type === 'variable_assignment' ? [node] : node.namedChildren.filter((c) => c?.type === 'variable_assignment');
    for (const assignment of assignments) {
      if (!assignment) continue;
      const name = assignment.childForFieldName('name')?.text;
      const valueNode = assignment.childForFieldName('value');
      if (!name) continue;
      const value = valueNode ? staticValue(evaluateWord(valueNode, context.variables)) : '';
      if (value === undefined) context.variables.delete(name);
      else context.variables.set(name, value);
    }
    return this.words(node, context);
  }

  private redirected(node: SyntaxNode, context: Context): CommandInfo[] {
    const infos: CommandInfo[] = [];
    const continuations: SyntaxNode[] = [];
    const writes: string[] = [];
    let stdin: StdinInput | undefined;
    for (const redirect of node.childrenForFieldName('redirect')) {
      if (!redirect) continue;
      const result = this.redirect(redirect, context);
      infos.push(...result.nested);
      if (result.stdin) stdin = result.stdin;
      if (result.writes !== undefined) writes.push(result.writes);
      continuations.push(...result.continuations);
    }
    const body = node.childForFieldName('body');
    const pipeTail = continuations.find((c) => c.type === 'pipeline');
    const first = body ? (pipeTail ? within(context, 'in the 1st command of a pipeline') : context) : context;
    const bodyInfos = body ? this.statement(body, first, stdin) : [];
    this.noteDownloads(bodyInfos, writes);
    if (!body) this.add({ code: 'SHELL_STATE_CHANGE', message: `\`${node.text.split('\n')[0]}\` has redirections but no command`, span: nodeSpan(node) }, context);
    if (pipeTail) {
      infos.push(...this.pipeline(pipeTail.namedChildren.filter(isStatement), context, [[...bodyInfos, ...infos]]));
    } else {
      infos.push(...bodyInfos);
    }
    for (const continuation of continuations) if (continuation !== pipeTail) infos.push(...this.statement(continuation, context));
    return infos;
  }

  private redirect(node: SyntaxNode, context: Context): { nested: CommandInfo[]; stdin?: StdinInput; continuations: SyntaxNode[]; writes?: string } {
    const nested: CommandInfo[] = [];
    const continuations: SyntaxNode[] = [];
    if (node.type === 'heredoc_redirect') {
      const start = node.children.find((c) => c?.type === 'heredoc_start');
      const body = node.children.find((c) => c?.type === 'heredoc_body');
      for (const child of node.namedChildren) if (child && isStatement(child)) continuations.push(child);
      if (body) nested.push(...this.words(body, context));
      const quoted = !!start && /['"\\]/.test(start.text);
      const text = body && (quoted || body.namedChildren.every((c) => c?.type === 'heredoc_content')) ? body.text : undefined;
      const stdin: StdinInput = { producers: nested, label: 'here-document' };
      if (text !== undefined) stdin.text = text;
      return { nested, stdin, continuations };
    }
    if (node.type === 'herestring_redirect') {
      const target = node.namedChildren.find((c) => c && !isStatement(c));
      if (!target) return { nested, continuations };
      const [arg] = this.args(target, context);
      nested.push(...(arg?.nested ?? []));
      const stdin: StdinInput = { producers: nested, label: 'here-string' };
      if (arg && !arg.dynamic) stdin.text = arg.value;
      return { nested, stdin, continuations };
    }
    const operator = node.children.find((c) => c && !c.isNamed)?.type ?? '>';
    const destination = node.childForFieldName('destination') ?? node.namedChildren.find((c) => c?.type !== 'file_descriptor');
    if (!destination) return { nested, continuations };
    const [target] = this.args(destination, context);
    if (!target) return { nested, continuations };
    nested.push(...target.nested);
    const span = nodeSpan(node);
    const duplicatesDescriptor = (operator === '>&' || operator === '<&') && /^(\d+|-)$/.test(target.value);
    if (duplicatesDescriptor) return { nested, continuations };
    if (operator === '<') {
      const found = credentialPath(target.value, target.glob);
      if (found) this.add({ code: 'CREDENTIAL_PATH', rule: 'ask:credential-path', message: `reads \`${target.word.source}\`, a credential location (${found})`, span }, context);
      return { nested, stdin: { producers: target.nested, label: 'input' }, continuations };
    }
    if (isBlockDevice(target.value)) {
      this.add({ code: 'RAW_DISK_WRITE', rule: 'deny:raw-disk', message: `blocked: writes straight to the disk device \`${target.value}\``, span }, context);
    } else if (!HARMLESS_TARGETS.has(target.value) || target.dynamic) {
      this.add({ code: 'OUTPUT_REDIRECT', message: `writes to the file \`${target.word.source}\` (\`${operator}\`)`, span }, context);
      return { nested, continuations, writes: target.value };
    }
    return { nested, continuations };
  }

  /** A fetcher's output redirected into a file makes that file a download (`curl … > x.sh`). */
  private noteDownloads(infos: CommandInfo[], writes: string[]): void {
    if (writes.length > 0 && infos.some((info) => info.fetches && !info.nestedIn)) {
      for (const file of writes) this.analysis.downloads.add(file);
    }
  }

  /** Visits pipeline stages and checks what flows from one into the next. */
  private pipeline(stages: SyntaxNode[], context: Context, earlier: CommandInfo[][]): CommandInfo[] {
    const results = [...earlier];
    const offset = earlier.length;
    stages.forEach((stage, index) => {
      const position = index + offset;
      const stageContext = within(context, `in the ${ordinal(position + 1)} command of a pipeline`);
      const infos = this.statement(stage, stageContext);
      const upstream = results.flat();
      const previous = results[results.length - 1] ?? [];
      for (const info of infos) {
        if (position === 0 || !info.interpreter || info.nestedIn) continue;
        this.add({ code: 'PIPE_TO_INTERPRETER', message: `pipes the output of the previous command into \`${info.program}\``, span: nodeSpan(stage) }, stageContext);
        const fetcher = fetcherIn(upstream);
        if (fetcher && info.runsStdin) {
          this.add({ code: 'REMOTE_CODE_EXECUTION', rule: 'deny:remote-code', message: `blocked: what \`${fetcher.program}\` downloads is piped into \`${info.program}\``, span: nodeSpan(stage) }, stageContext);
        }
        const text = previous.find((p) => p.staticOutput !== undefined && !p.nestedIn)?.staticOutput;
        if (text !== undefined && info.runsStdin) {
          infos.push(...this.analysis.analyzeScript(text, within(stageContext, `inside the text piped into \`${info.program}\``), nodeSpan(stage)));
        }
      }
      results.push(infos);
    });
    return results.slice(offset).flat();
  }
}

function isStatement(node: SyntaxNode | null): node is SyntaxNode {
  return !!node && STATEMENTS.has(node.type);
}
