/**
 * Tells a sentence from a command, for pastes without code blocks or JSON. It is deliberately
 * conservative: a line counts as prose only when all of these hold, so a real command is almost
 * never mistaken for prose (a missed sentence becomes an entry the policy flags and a person
 * reads, which is the safe way to be wrong):
 * - after an optional list marker (`- `, `1. `) and emphasis (`**`), it starts with an
 *   upper-case letter (commands are lower-case by convention);
 * - it has none of the characters that make shell syntax: `| & ; < > $ = \ { }` (text inside
 *   Markdown `inline code` is ignored, so "Run `ls -la` first." is still prose);
 * - at least 60% of its words are plain words (letters or digits, with ordinary punctuation);
 * - it ends like a sentence (`.`, `!`, `?`, `:`, `…`), or has eight or more words of which 80%
 *   are plain.
 * Languages without letter case (Chinese, Japanese) are never detected as prose.
 */
const LIST_MARKER = /^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+/;
const EMPHASIS = /^(?:\*\*|__|\*|_)/;
const INLINE_CODE = /`[^`]*`/g;
const SHELL_SYNTAX = /[|&;<>$=\\{}]/;
const PLAIN_WORD = /^["'(“‘]*[\p{L}\p{N}][\p{L}\p{M}\p{N}'’-]*[.,;:!?)"'”’…]*$/u;
const SENTENCE_END = /[.!?:…]["'”’)]*$/;

export function looksLikeProse(line: string): boolean {
  const text = line.replace(LIST_MARKER, '').replace(EMPHASIS, '').replace(INLINE_CODE, 'code').trim();
  if (!/^\p{Lu}/u.test(text) || SHELL_SYNTAX.test(text)) return false;
  const words = text.split(/\s+/);
  const plain = words.filter((word) => PLAIN_WORD.test(word)).length / words.length;
  if (SENTENCE_END.test(text)) return plain >= 0.6;
  return words.length >= 8 && plain >= 0.8;
}
