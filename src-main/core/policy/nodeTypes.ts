/**
 * Every named node type tree-sitter-bash can produce, with the role the walker gives it. The
 * table is checked against the grammar's own node-types.json by the tests, so a grammar upgrade
 * that adds a type fails until someone decides what the new type means. A node whose type is not
 * in the table is judged `ask` (fail closed), never skipped.
 */

/**
 * - `statement`: runs commands; the walker has a handler for it.
 * - `word`: part of a word; evaluated by words.ts, substitutions inside are walked.
 * - `redirect`: a redirection, judged by redirects.ts.
 * - `heredoc`: a part of a here-document, read by the redirect that owns it.
 * - `arithmetic`: arithmetic evaluation, which can run substitutions hidden in array subscripts.
 * - `inert`: carries no behaviour (comments).
 * - `error`: the grammar could not parse the text.
 */
export type NodeRole = 'statement' | 'word' | 'redirect' | 'heredoc' | 'arithmetic' | 'inert' | 'error';

export const NODE_ROLES = {
  program: 'statement',
  list: 'statement',
  pipeline: 'statement',
  command: 'statement',
  redirected_statement: 'statement',
  subshell: 'statement',
  compound_statement: 'statement',
  do_group: 'statement',
  if_statement: 'statement',
  elif_clause: 'statement',
  else_clause: 'statement',
  while_statement: 'statement',
  for_statement: 'statement',
  c_style_for_statement: 'statement',
  case_statement: 'statement',
  case_item: 'statement',
  function_definition: 'statement',
  negated_command: 'statement',
  declaration_command: 'statement',
  unset_command: 'statement',
  variable_assignment: 'statement',
  variable_assignments: 'statement',
  test_command: 'statement',
  word: 'word',
  command_name: 'word',
  string: 'word',
  string_content: 'word',
  raw_string: 'word',
  ansi_c_string: 'word',
  translated_string: 'word',
  concatenation: 'word',
  number: 'word',
  simple_expansion: 'word',
  expansion: 'word',
  command_substitution: 'word',
  process_substitution: 'word',
  arithmetic_expansion: 'word',
  brace_expression: 'word',
  special_variable_name: 'word',
  variable_name: 'word',
  extglob_pattern: 'word',
  regex: 'word',
  array: 'word',
  subscript: 'word',
  test_operator: 'word',
  file_descriptor: 'word',
  file_redirect: 'redirect',
  heredoc_redirect: 'redirect',
  herestring_redirect: 'redirect',
  heredoc_body: 'heredoc',
  heredoc_content: 'heredoc',
  heredoc_start: 'heredoc',
  heredoc_end: 'heredoc',
  binary_expression: 'arithmetic',
  unary_expression: 'arithmetic',
  postfix_expression: 'arithmetic',
  ternary_expression: 'arithmetic',
  parenthesized_expression: 'arithmetic',
  comment: 'inert',
  ERROR: 'error',
} as const satisfies Record<string, NodeRole>;

export type NodeType = keyof typeof NODE_ROLES;

export function roleOf(type: string): NodeRole | undefined {
  return Object.hasOwn(NODE_ROLES, type) ? NODE_ROLES[type as NodeType] : undefined;
}

/**
 * Anonymous tokens that separate statements. Anything else standing between statements (`;;`
 * outside `case`, which bash rejects) is a grammar disagreement and needs a person.
 */
export const STATEMENT_SEPARATORS = new Set([';', '\n', '&&', '||', '|', '|&']);
