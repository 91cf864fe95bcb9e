import { posix } from 'node:path';
import type { StdinInput } from './analysis.js';
import { childrenWithFields, type SyntaxNode } from './bashParser.js';
import { wordArgs } from './command.js';
import { credentialPath } from './credentials.js';
import { isBlockDevice } from './denyRules.js';
import { scanForDenials } from './fallback.js';
import { checkHeredocExtent, heredocDelimiter } from './heredoc.js';
import { within, type Arg, type CommandInfo, type Context } from './model.js';
import { nodeSpan } from './words.js';
import type { Walker } from './walker.js';

/**
 * Judges one redirection. Allowed without a person: output to `/dev/null` (or the command's own
 * stdout/stderr), `2>&1`/`>&2` between the command's output descriptors, input from a plain
 * file, here-strings, and here-documents whose bodies are literal. Everything else asks; a write
 * to a disk device is denied. Words the grammar hangs on a redirect that bash gives the command
 * are returned as `args`.
 */

export interface RedirectResult {
  nested: CommandInfo[];
  /** Words that are arguments of the command (a second destination, a here-document's arguments). */
  args: Arg[];
  stdin?: StdinInput;
  /** Statements after a here-document's delimiter on its line (`<<EOF | sh`, `<<EOF && x`). */
  continuations: SyntaxNode[];
  /** The file written, when it is one. */
  writes?: string;
}

const OUTPUT_SINKS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);
const OUTPUT_OPERATORS = new Set(['>', '>>', '>|', '&>', '&>>', '>&', '<>']);

function normalizePath(path: string): string {
  return path.startsWith('/') ? posix.normalize(path).replace(/\/+$/, '') || '/' : path;
}

export function judgeRedirect(walker: Walker, node: SyntaxNode, context: Context): RedirectResult {
  if (node.type === 'heredoc_redirect') return judgeHeredoc(walker, node, context);
  const result: RedirectResult = { nested: [], args: [], continuations: [] };
  const span = nodeSpan(node);
  let operator = '';
  let descriptor: string | undefined;
  let target: Arg | undefined;
  for (const { node: child, field } of childrenWithFields(node)) {
    if (!child.isNamed) {
      operator = child.type;
    } else if (field === 'descriptor' || child.type === 'file_descriptor') {
      descriptor = child.text;
    } else if (child.type === 'comment') {
      continue;
    } else if (field === 'destination' || node.type === 'herestring_redirect') {
      const args = wordArgs(walker, child, context);
      result.nested.push(...(args[0]?.nested ?? []));
      if (target === undefined) {
        target = args[0];
        result.args.push(...args.slice(1));
      } else {
        result.args.push(...args);
      }
    } else {
      walker.unexpected(child, context);
      result.nested.push(...walker.anything(child, context));
    }
  }
  const add = (code: Parameters<Walker['add']>[0]['code'], message: string, rule?: string): void =>
    walker.add({ code, message, span, ...(rule ? { rule } : {}) }, context);
  if (descriptor !== undefined && !/^[012]$/.test(descriptor)) add('UNSUPPORTED_SYNTAX', `redirects file descriptor ${descriptor}, which the command did not have`);
  if (node.type === 'herestring_redirect') {
    if (!target) return result;
    const stdin: StdinInput = { producers: target.nested, label: 'here-string' };
    if (!target.dynamic) stdin.text = target.value;
    result.stdin = stdin;
    return result;
  }
  if (operator === '>&-' || operator === '<&-') {
    add('UNSUPPORTED_SYNTAX', `closes a file descriptor (\`${node.text}\`)`);
    return result;
  }
  if (!target) {
    walker.unexpected(node, context, 'a redirection without a target');
    return result;
  }
  const path = normalizePath(target.value);
  const found = credentialPath(target.value, true);
  if (found) add('CREDENTIAL_PATH', `\`${target.word.source}\` is a credential location (${found})`, 'ask:credential-path');
  if (/^\/dev\/(tcp|udp)\//.test(path)) add('NETWORK_REDIRECT', `\`${target.word.source}\` opens a network connection`);
  const duplicate = (operator === '>&' || operator === '<&') && /^\d+$/.test(target.value) && !target.dynamic;
  if (duplicate) {
    const from = descriptor ?? (operator === '>&' ? '1' : '0');
    if (operator === '<&' || !/^[12]$/.test(target.value) || !/^[12]$/.test(from)) {
      add('OUTPUT_REDIRECT', `\`${node.text}\` makes descriptor ${from} a copy of descriptor ${target.value}, which may not be the command's own output`);
    }
    return result;
  }
  if (isBlockDevice(path, target.glob)) {
    add('RAW_DISK_WRITE', `blocked: redirects straight to the disk device \`${target.value}\``, 'deny:raw-disk');
    return result;
  }
  if (OUTPUT_OPERATORS.has(operator)) {
    if (target.dynamic || target.glob || !OUTPUT_SINKS.has(path)) {
      add('OUTPUT_REDIRECT', `writes to the file \`${target.word.source}\` (\`${operator}\`)`);
      result.writes = target.value;
    }
    return result;
  }
  // Input: a plain file reads like `cat FILE`; devices, globs and unknown names need a person.
  if (target.dynamic) add('DYNAMIC_ARGUMENT', `reads from \`${target.word.source}\`, which is only known when it runs`);
  else if (target.glob) add('UNSUPPORTED_SYNTAX', `reads from the glob \`${target.word.source}\`, which bash expands`);
  else if (path.startsWith('/dev/') && path !== '/dev/null') add('UNSUPPORTED_SYNTAX', `reads from the device \`${target.value}\``);
  else if (/^\/proc\//.test(path)) add('CREDENTIAL_PATH', `reads \`${target.value}\` from the process table`, 'ask:credential-path');
  result.stdin = { producers: target.nested, label: 'input' };
  return result;
}

function judgeHeredoc(walker: Walker, node: SyntaxNode, context: Context): RedirectResult {
  const result: RedirectResult = { nested: [], args: [], continuations: [] };
  const span = nodeSpan(node);
  let start: SyntaxNode | undefined;
  let body: SyntaxNode | undefined;
  let end: SyntaxNode | undefined;
  let strip = false;
  for (const { node: child, field } of childrenWithFields(node)) {
    if (!child.isNamed) {
      if (child.type === '<<-') strip = true;
      else if (child.type !== '<<' && field !== 'operator') walker.unexpected(child, context, `the token \`${child.type}\``);
    } else if (child.type === 'heredoc_start') start = child;
    else if (child.type === 'heredoc_body') body = child;
    else if (child.type === 'heredoc_end') end = child;
    else if (field === 'descriptor') {
      if (child.text !== '0') walker.add({ code: 'UNSUPPORTED_SYNTAX', message: `feeds a here-document to descriptor ${child.text}`, span }, context);
    } else if (field === 'argument') {
      const args = wordArgs(walker, child, context);
      result.nested.push(...(args[0]?.nested ?? []));
      result.args.push(...args);
    } else if (field === 'redirect') {
      const inner = judgeRedirect(walker, child, context);
      result.nested.push(...inner.nested);
      result.args.push(...inner.args);
      result.continuations.push(...inner.continuations);
      if (inner.writes !== undefined) result.writes = inner.writes;
    } else if (field === 'right' || child.type === 'pipeline' || child.type === 'comment') {
      if (child.type !== 'comment') result.continuations.push(child);
    } else {
      walker.unexpected(child, context);
      result.nested.push(...walker.anything(child, context));
    }
  }
  const script = node.tree.rootNode.text;
  const delimiter = start ? heredocDelimiter(start.text) : undefined;
  if (!start || !delimiter) {
    walker.add({ code: 'UNSUPPORTED_SYNTAX', message: `Leash cannot tell where this here-document ends (\`${start?.text ?? ''}\`)`, span }, context);
    scanForDenials(walker.analysis, script, context, span);
    return result;
  }
  if (!checkHeredocExtent(script, start, body, end, delimiter.word, strip)) {
    walker.add({ code: 'UNSUPPORTED_SYNTAX', message: `bash ends the here-document \`${start.text}\` elsewhere than Leash's parser does`, span }, context);
    scanForDenials(walker.analysis, script, context, { start: 0, end: script.length });
  }
  let text: string | undefined = body?.text ?? '';
  if (strip) text = text.replace(/^\t+/gm, '');
  if (!delimiter.quoted && body) {
    const inner = within(context, 'inside a here-document');
    for (const child of body.namedChildren) if (child && child.type !== 'heredoc_content') result.nested.push(...walker.words(child, inner));
    if (/[$`\\]/.test(body.text)) {
      walker.add({ code: 'PARAMETER_EXPANSION', message: 'the here-document is not quoted, so bash expands `$`, backquotes and backslashes in its body', span }, context);
      text = undefined;
      // The grammar does not parse backquotes in here-documents: judge each `…` as the script it is.
      for (const match of body.text.matchAll(/`((?:\\.|[^`\\])*)`/gs)) {
        walker.add({ code: 'COMMAND_SUBSTITUTION', message: `runs \`${match[0].slice(0, 60)}\` inside a here-document`, span }, context);
        result.nested.push(...walker.analysis.analyzeScript((match[1] ?? '').replace(/\\([$`\\])/g, '$1'), inner, span).map((i) => ({ ...i, nestedIn: true })));
      }
    }
  }
  const stdin: StdinInput = { producers: result.nested, label: 'here-document' };
  if (text !== undefined) stdin.text = text;
  result.stdin = stdin;
  return result;
}
