import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createBashParser, type SyntaxNode } from '../../../src-main/core/policy/bashParser.js';
import { NODE_ROLES, roleOf } from '../../../src-main/core/policy/nodeTypes.js';
import { classify } from './engine.js';

/**
 * The walk is exhaustive: every node type the grammar can produce has a role in one table, and
 * every one of them, fed to the engine, is judged (the result names what it saw, nothing throws,
 * and the risky ones never come back `allow`).
 */

const grammarTypes = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('tree-sitter-bash/src/node-types.json'), 'utf8')) as { type: string; named: boolean; subtypes?: unknown }[])
  .filter((t) => t.named && !t.subtypes)
  .map((t) => t.type);

/** A command that makes the grammar produce each node type, and whether allow is possible. */
const SAMPLES: Record<string, { command: string; allowable: boolean }> = {
  arithmetic_expansion: { command: 'echo $((1+2))', allowable: false },
  array: { command: 'a=(x y)', allowable: false },
  binary_expression: { command: '[[ a == b ]]', allowable: true },
  brace_expression: { command: 'echo {1..3}', allowable: false },
  c_style_for_statement: { command: 'for ((i=0; i<2; i++)); do ls; done', allowable: false },
  case_item: { command: 'case a in a) ls;; esac', allowable: true },
  case_statement: { command: 'case a in a) ls;; esac', allowable: true },
  command: { command: 'ls', allowable: true },
  command_name: { command: 'ls', allowable: true },
  command_substitution: { command: 'echo $(ls)', allowable: false },
  compound_statement: { command: '{ ls; }', allowable: true },
  concatenation: { command: 'echo a"b"', allowable: true },
  declaration_command: { command: 'export A=1', allowable: false },
  do_group: { command: 'while false; do ls; done', allowable: true },
  elif_clause: { command: 'if false; then ls; elif true; then pwd; fi', allowable: true },
  else_clause: { command: 'if false; then ls; else pwd; fi', allowable: true },
  expansion: { command: 'echo ${HOME}', allowable: false },
  file_redirect: { command: 'ls >/dev/null', allowable: true },
  for_statement: { command: 'for i in a; do echo a; done', allowable: true },
  function_definition: { command: 'f() { ls; }', allowable: false },
  heredoc_body: { command: 'cat <<E\nx\nE', allowable: true },
  heredoc_redirect: { command: 'cat <<E\nx\nE', allowable: true },
  herestring_redirect: { command: 'cat <<< x', allowable: true },
  if_statement: { command: 'if true; then ls; fi', allowable: true },
  list: { command: 'ls && pwd', allowable: true },
  negated_command: { command: '! ls', allowable: true },
  number: { command: 'head -n 5 f', allowable: true },
  parenthesized_expression: { command: '[[ ( a == b ) ]]', allowable: true },
  pipeline: { command: 'ls | wc', allowable: true },
  postfix_expression: { command: '((i++))', allowable: false },
  process_substitution: { command: 'cat <(ls)', allowable: false },
  program: { command: 'ls', allowable: true },
  redirected_statement: { command: 'ls 2>/dev/null', allowable: true },
  simple_expansion: { command: 'echo $HOME', allowable: false },
  string: { command: 'echo "a"', allowable: true },
  subscript: { command: 'echo ${a[$(id)]}', allowable: false },
  subshell: { command: '(ls)', allowable: true },
  ternary_expression: { command: 'echo $((1?2:3))', allowable: false },
  test_command: { command: '[[ -f x ]]', allowable: true },
  translated_string: { command: '$"ls"', allowable: true },
  unary_expression: { command: '[[ ! -f x ]]', allowable: true },
  unset_command: { command: 'unset x', allowable: false },
  variable_assignment: { command: 'x=1', allowable: false },
  variable_assignments: { command: 'x=1 y=2', allowable: false },
  while_statement: { command: 'while false; do ls; done', allowable: true },
  word: { command: 'ls', allowable: true },
  ansi_c_string: { command: "echo $'a'", allowable: true },
  comment: { command: 'ls # x', allowable: true },
  extglob_pattern: { command: 'case a in @(a|b)) ls;; esac', allowable: true },
  file_descriptor: { command: 'ls 2>/dev/null', allowable: true },
  heredoc_content: { command: 'cat <<E\n$x\nE', allowable: false },
  heredoc_end: { command: 'cat <<E\nx\nE', allowable: true },
  heredoc_start: { command: 'cat <<E\nx\nE', allowable: true },
  raw_string: { command: "echo 'a'", allowable: true },
  regex: { command: '[[ a =~ ^a ]]', allowable: true },
  special_variable_name: { command: 'echo $?', allowable: false },
  string_content: { command: 'echo "a"', allowable: true },
  test_operator: { command: '[[ -f x ]]', allowable: true },
  variable_name: { command: 'x=1', allowable: false },
  ERROR: { command: 'ls (', allowable: false },
};

function types(node: SyntaxNode, into = new Set<string>()): Set<string> {
  into.add(node.type);
  for (const child of node.children) if (child) types(child, into);
  return into;
}

describe('the node-role table', () => {
  it('names every node type of the grammar, and nothing the grammar does not have', () => {
    expect(Object.keys(NODE_ROLES).filter((t) => t !== 'ERROR').sort()).toEqual([...grammarTypes].sort());
  });

  it('has no role for a type it does not know (the walker answers ask for those)', () => {
    expect(roleOf('a_future_node_type')).toBeUndefined();
  });

  it.each(Object.entries(SAMPLES))('judges a command containing %s', async (type, sample) => {
    const parser = await createBashParser();
    const tree = parser.parse(sample.command);
    expect([...types(tree.rootNode)], 'the sample produces the node type').toContain(type);
    tree.delete();
    const result = await classify(sample.command);
    expect(result.reasons.length).toBeGreaterThan(0);
    if (!sample.allowable) expect(result.verdict).not.toBe('allow');
  });

  it('has a sample for every grammar node type', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...grammarTypes, 'ERROR'].sort());
  });
});
