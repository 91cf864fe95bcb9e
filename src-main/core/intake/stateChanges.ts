import type { BashParser, SyntaxNode } from '../policy/bashParser.js';

/** What a command changes in the shell that runs it, which the next entry (a new shell) loses. */
export type StateKind = 'directory' | 'export' | 'variable' | 'unset' | 'function' | 'alias' | 'source' | 'option' | 'environment' | 'descriptors';

/** A change one entry makes that a later entry depends on, and which it would not see. */
export interface StateLoss {
  kind: StateKind;
  /** 1-based pasted line of the change, and that line's text. */
  line: number;
  text: string;
  /** The first later entry line that depends on it. */
  usedBy: { line: number; text: string };
  /** One sentence for the person. */
  message: string;
}

export interface EntryText {
  command: string;
  /** 1-based pasted line of the entry. */
  line: number;
  /** The pasted line of each line of `command`, when known. */
  lines: readonly number[];
}

interface Effect {
  kind: StateKind;
  /** Variables, functions or aliases it defines (only those kinds look for a use by name). */
  names: string[];
  row: number;
}

const DIRECTORY = new Set(['cd', 'pushd', 'popd']);
const SOURCE = new Set(['source', '.', 'eval']);
const OPTIONS = new Set(['set', 'shopt', 'umask', 'ulimit', 'trap', 'setopt', 'unsetopt', 'enable', 'hash']);
const VARIABLE_READERS = new Set(['read', 'mapfile', 'readarray', 'getopts']);
/** Shell functions of environment managers that change the shell they run in. */
const ENVIRONMENT = new Map<string, ReadonlySet<string> | null>([
  ['conda', new Set(['activate', 'deactivate'])],
  ['nvm', new Set(['use'])],
  ['pyenv', new Set(['shell'])],
  ['rvm', new Set(['use'])],
  ['deactivate', null],
  ['workon', null],
]);
/** Nodes whose statements run in the shell itself, so their changes persist. */
const SAME_SHELL = new Set([
  'program', 'list', 'compound_statement', 'redirected_statement', 'if_statement', 'elif_clause', 'else_clause', 'while_statement',
  'for_statement', 'c_style_for_statement', 'case_statement', 'case_item', 'do_group', 'negated_command',
]);
const MAX_DEPTH = 200;

function words(node: SyntaxNode): string[] {
  return node.namedChildren.filter((child): child is SyntaxNode => child !== null && child.type !== 'file_redirect' && child.type !== 'heredoc_redirect').map((child) => child.text);
}

function commandEffect(node: SyntaxNode): Effect | undefined {
  const name = node.childForFieldName('name')?.text;
  if (name === undefined) return undefined;
  const args = node.childrenForFieldName('argument').filter((child): child is SyntaxNode => child !== null).map((child) => child.text);
  const row = node.startPosition.row;
  if (DIRECTORY.has(name)) return { kind: 'directory', names: [], row };
  if (SOURCE.has(name)) return { kind: 'source', names: [], row };
  if (OPTIONS.has(name) && args.length > 0) return { kind: 'option', names: [], row };
  if (name === 'exec' && args.length === 0 && node.parent?.type === 'redirected_statement') return { kind: 'descriptors', names: [], row };
  if (name === 'alias') return { kind: 'alias', names: args.flatMap((arg) => /^([^=\s]+)=/.exec(arg)?.slice(1) ?? []), row };
  if (VARIABLE_READERS.has(name)) return { kind: 'variable', names: args.filter((arg) => /^[A-Za-z_]\w*$/.test(arg)), row };
  if (ENVIRONMENT.has(name)) {
    const subcommands = ENVIRONMENT.get(name);
    if (subcommands === null || (args[0] !== undefined && subcommands?.has(args[0]))) return { kind: 'environment', names: [], row };
  }
  return undefined;
}

function assignedNames(node: SyntaxNode): string[] {
  const list = node.type === 'variable_assignment' ? [node] : node.namedChildren.filter((child): child is SyntaxNode => child?.type === 'variable_assignment');
  return list.flatMap((assignment) => assignment.childForFieldName('name')?.text ?? []);
}

function declarationEffect(node: SyntaxNode): Effect {
  const keyword = node.child(0)?.text ?? '';
  const parts = words(node);
  const exported = keyword === 'export' || parts.some((part) => /^-[a-zA-Z]*x/.test(part));
  const names = node.namedChildren.flatMap((child) => {
    if (child?.type === 'variable_name') return [child.text];
    if (child?.type === 'variable_assignment') return assignedNames(child);
    return [];
  });
  return { kind: exported ? 'export' : 'variable', names, row: node.startPosition.row };
}

/** The changes a command makes to its own shell; subshells, pipelines and substitutions do not count. */
function effectsOf(root: SyntaxNode): Effect[] {
  const effects: Effect[] = [];
  const stack: Array<{ node: SyntaxNode; depth: number }> = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: SyntaxNode; depth: number };
    const row = node.startPosition.row;
    switch (node.type) {
      case 'command': {
        const effect = commandEffect(node);
        if (effect) effects.push(effect);
        continue;
      }
      case 'variable_assignment':
      case 'variable_assignments':
        effects.push({ kind: 'variable', names: assignedNames(node), row });
        continue;
      case 'declaration_command':
        effects.push(declarationEffect(node));
        continue;
      case 'unset_command':
        effects.push({ kind: 'unset', names: words(node).filter((word) => !word.startsWith('-')), row });
        continue;
      case 'function_definition': {
        const name = node.childForFieldName('name')?.text;
        if (name) effects.push({ kind: 'function', names: [name], row });
        continue;
      }
    }
    if (!SAME_SHELL.has(node.type) || depth >= MAX_DEPTH) continue;
    const children = node.namedChildren.filter((child): child is SyntaxNode => child !== null);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i] as SyntaxNode, depth: depth + 1 });
  }
  return effects.sort((a, b) => a.row - b.row);
}

function escapeName(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where a later entry depends on the effect: any command for a change of the whole shell, a use by name otherwise. */
function usePattern(effect: Effect): RegExp | undefined {
  if (WHOLE_SHELL.has(effect.kind)) return /\S/;
  if (effect.names.length === 0) return undefined;
  const names = effect.names.map(escapeName).join('|');
  if (effect.kind === 'variable' || effect.kind === 'unset') return new RegExp(`\\$\\{?(?:${names})\\b`);
  return new RegExp(`(?:^|[\\s;|&(\`])(?:${names})(?=$|[\\s;|&)\`])`, 'm');
}

/** Kinds that change the whole shell: every later command depends on them. */
const WHOLE_SHELL: ReadonlySet<StateKind> = new Set(['directory', 'export', 'source', 'option', 'environment', 'descriptors']);

function describe(kind: StateKind, change: string, use: string): string {
  const later = `the commands after it (from ${use})`;
  switch (kind) {
    case 'directory': return `\`${change}\` changes the directory; as separate entries, ${later} would run in the batch's directory instead`;
    case 'export': return `\`${change}\` sets an environment variable that ${later} would not see as separate entries`;
    case 'source': return `\`${change}\` changes the shell that runs it; ${later} would not get those changes as separate entries`;
    case 'option': return `\`${change}\` sets a shell option; ${later} would run without it as separate entries`;
    case 'environment': return `\`${change}\` switches the shell's environment; ${later} would not run in it as separate entries`;
    case 'descriptors': return `\`${change}\` redirects the shell's own output; ${later} would not be redirected as separate entries`;
    case 'variable': return `\`${change}\` sets a shell variable that ${use} uses; a separate entry would not have it`;
    case 'unset': return `\`${change}\` removes a variable that ${use} uses; a separate entry would still have it`;
    case 'function': return `\`${change}\` defines a function that ${use} calls; a separate entry would not know it`;
    case 'alias': return `\`${change}\` defines an alias that ${use} uses; a separate entry would not know it`;
  }
}

function lineOf(entry: EntryText, row: number): { line: number; text: string } {
  return { line: entry.lines[row] ?? entry.line + row, text: (entry.command.split('\n')[row] ?? '').trim() };
}

/** The first line of a later entry that matches, with its pasted line number. */
function firstUse(entries: readonly EntryText[], from: number, pattern: RegExp): { line: number; text: string } | undefined {
  for (let i = from; i < entries.length; i++) {
    const entry = entries[i] as EntryText;
    const rows = entry.command.split('\n');
    const row = rows.findIndex((text) => pattern.test(text) && !/^[ \t]*(?:#|$)/.test(text));
    if (row !== -1) return lineOf(entry, row);
  }
  return undefined;
}

/**
 * Finds what running these entries one after another, each in a new shell, would lose: a `cd`,
 * `pushd`, `export`, variable assignment, `source`/`.`, `set`/`shopt`/`umask`, alias, function,
 * environment switch (`conda activate`, venv `deactivate`) or `exec` redirection made by one
 * entry and depended on by a later one (any later command for a change of the whole shell; a
 * use by name for variables, functions and aliases). Parsed with the real bash grammar; changes
 * inside subshells, pipelines and substitutions end there anyway and are not counted.
 */
export function findStateLosses(parser: BashParser, entries: readonly EntryText[]): StateLoss[] {
  const losses: StateLoss[] = [];
  entries.forEach((entry, index) => {
    if (index === entries.length - 1) return;
    const tree = parser.parse(entry.command);
    try {
      for (const effect of effectsOf(tree.rootNode)) {
        const pattern = usePattern(effect);
        const use = pattern && firstUse(entries, index + 1, pattern);
        if (!use) continue;
        const change = lineOf(entry, effect.row);
        const usedBy = `line ${use.line} \`${use.text}\``;
        losses.push({ kind: effect.kind, ...change, usedBy: use, message: `line ${change.line}: ${describe(effect.kind, change.text, usedBy)}` });
      }
    } finally {
      tree.delete();
    }
  });
  return losses;
}
