import type { ParseEntry } from 'shell-quote';
import { shellQuoting } from './lazyLibraries.js';
import type { Analysis } from './analysis.js';
import { expandWord } from './expansion.js';
import { fetcherIn, invoke } from './invocation.js';
import type { Arg, CommandInfo, Context } from './model.js';
import type { Span } from './types.js';

/**
 * When bash's grammar cannot parse a command, the verdict is already `ask`, but a deny hidden in
 * it must still deny (`{rm,-rf,/}` trips the grammar; bash runs it as `rm -rf /`). This pass
 * tokenizes the text with shell-quote, splits it at control operators and runs the deny rules
 * on every piece. It only ever adds denials.
 */

const SEPARATORS = new Set([';', '&&', '||', '&', ';;', '(', ')', '\n']);
const PIPES = new Set(['|', '|&']);
const GROUPING = new Set(['{', '}', '!', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', 'done', 'fi', 'time', 'esac']);
// A here-document operator takes its delimiter word, like any redirection its target.
const REDIRECTS = new Set(['>', '>>', '<', '>&', '<&', '&>', '>|', '<>', '&>>', '<<<', '<<', '<<-']);

function toArg(text: string, span: Span): Arg {
  const word = { pieces: [{ kind: 'unquoted' as const, text }], source: text, span };
  return { value: text, dynamic: /\$/.test(text), unknown: /\$/.test(text), glob: /[*?[]/.test(text), word, nested: [] };
}

export function scanForDenials(analysis: Analysis, text: string, context: Context, span: Span): void {
  let tokens: ParseEntry[];
  try {
    tokens = shellQuoting().parse(text.replace(/\n/g, ' ; '), (key) => `$${key}`);
  } catch {
    return;
  }
  const quiet: Context = { ...context, denyOnly: true, recordCommands: !context.denyOnly, outerSpan: context.outerSpan ?? span };
  let words: Arg[] = [];
  let pipeline: CommandInfo[] = [];
  const flush = (piped: boolean): void => {
    if (words.length > 0) {
      const infos = invoke(analysis, { args: words, assignments: [], span, writes: [] }, quiet);
      const fetcher = fetcherIn(pipeline);
      const consumer = infos.find((i) => i.runsStdin);
      if (fetcher && consumer) {
        analysis.findings.add({ code: 'REMOTE_CODE_EXECUTION', rule: 'deny:remote-code', message: `blocked: what \`${fetcher.program}\` downloads is piped into \`${consumer.program}\``, span }, context);
      }
      pipeline = piped ? [...pipeline, ...infos] : [];
    } else if (!piped) {
      pipeline = [];
    }
    words = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as ParseEntry;
    if (typeof token === 'string') {
      // `{`/`}` and the keywords open and close groups; `2` right before `>` is a descriptor.
      if (words.length === 0 && GROUPING.has(token)) continue;
      if ((token === '}' || token === 'done' || token === 'fi' || token === 'esac') && words.length > 0) {
        flush(false);
        continue;
      }
      const next = tokens[i + 1];
      if (/^\d+$/.test(token) && next && typeof next === 'object' && 'op' in next && REDIRECTS.has(next.op)) continue;
      const fields = expandWord(toArg(token, span).word).fields ?? [token];
      words.push(...fields.map((f) => toArg(f, span)));
    } else if ('op' in token) {
      if (token.op === 'glob') words.push(toArg(token.pattern, span));
      else if (PIPES.has(token.op)) flush(true);
      else if (SEPARATORS.has(token.op)) flush(false);
      else if (REDIRECTS.has(token.op)) i++;
    } else if ('comment' in token) {
      break;
    }
  }
  flush(false);
}
