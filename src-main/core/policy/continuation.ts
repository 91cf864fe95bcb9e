import type { SyntaxNode, SyntaxTree } from './bashParser.js';
import { heredocDelimiter } from './heredoc.js';

/**
 * Bash removes a backslash-newline before it splits words, except inside single quotes, `$'…'`,
 * comments and quoted here-documents; tree-sitter-bash splits the word there instead
 * (`find . -del\⏎ete` is one word, `-delete`, for bash). This produces the text bash actually
 * tokenizes, and says whether a continuation joined two halves of a word.
 */
export interface Joined {
  text: string;
  changed: boolean;
  /** A continuation stood inside a word (`-del\⏎ete`, `"$\⏎(cmd)"`): never allowed. */
  insideWord: boolean;
}

function literalContext(node: SyntaxNode | null): boolean {
  for (let n = node; n; n = n.parent) {
    if (n.type === 'raw_string' || n.type === 'ansi_c_string' || n.type === 'comment') return true;
    if (n.type === 'heredoc_body') {
      const start = n.parent?.children.find((c) => c?.type === 'heredoc_start');
      return start ? heredocDelimiter(start.text)?.quoted !== false : true;
    }
  }
  return false;
}

export function joinContinuations(text: string, tree: SyntaxTree): Joined {
  let out = '';
  let cursor = 0;
  let insideWord = false;
  let changed = false;
  for (let k = text.indexOf('\\\n'); k !== -1; k = text.indexOf('\\\n', k + 2)) {
    let backslashes = 0;
    for (let j = k; j >= 0 && text[j] === '\\'; j--) backslashes++;
    if (backslashes % 2 === 0) continue;
    if (literalContext(tree.rootNode.descendantForIndex(k, k + 1))) continue;
    const before = text[k - 1];
    const after = text[k + 2];
    if (before !== undefined && !/\s/.test(before) && after !== undefined && !/\s/.test(after)) insideWord = true;
    const inString = tree.rootNode.descendantForIndex(k, k + 1);
    if (inString && ['string', 'string_content', 'translated_string'].includes(inString.type)) insideWord = true;
    out += text.slice(cursor, k);
    cursor = k + 2;
    changed = true;
  }
  return { text: changed ? out + text.slice(cursor) : text, changed, insideWord };
}
