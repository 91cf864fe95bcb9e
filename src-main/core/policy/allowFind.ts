import { no, OK, type AllowCheck } from './allowRule.js';
import type { Arg } from './model.js';

/**
 * `find`'s own grammar: leading options (`-H -L -P -D x -O3`), starting points, then an
 * expression of tests, actions and operators. Only known read-only primaries are allowed;
 * actions that run, delete or write ask, and so does any primary Leash does not know.
 */

const NO_ARGUMENT = new Set([
  '-daystart', '-depth', '-follow', '-ignore_readdir_race', '-mount', '-noignore_readdir_race', '-noleaf', '-xdev',
  '-empty', '-executable', '-false', '-nogroup', '-nouser', '-readable', '-true', '-writable', '-print', '-print0',
  '-ls', '-prune', '-quit', '-help', '--help', '-version', '--version',
]);
const ONE_ARGUMENT = new Set([
  '-maxdepth', '-mindepth', '-amin', '-anewer', '-atime', '-cmin', '-cnewer', '-ctime', '-fstype', '-gid', '-group',
  '-ilname', '-iname', '-inum', '-ipath', '-iregex', '-iwholename', '-links', '-lname', '-mmin', '-mtime', '-name',
  '-newer', '-path', '-perm', '-regex', '-regextype', '-samefile', '-size', '-type', '-uid', '-used', '-user',
  '-wholename', '-xtype', '-context', '-printf',
]);
const OPERATORS = new Set(['(', ')', '!', '-not', '-a', '-and', '-o', '-or', ',']);
const FORBIDDEN: Record<string, string> = {
  '-exec': 'runs a command', '-execdir': 'runs a command', '-ok': 'runs a command', '-okdir': 'runs a command',
  '-delete': 'deletes files', '-fprint': 'writes a file', '-fprint0': 'writes a file', '-fprintf': 'writes a file',
  '-fls': 'writes a file', '-files0-from': 'reads starting points from a file',
};

export function checkFind(args: readonly Arg[]): AllowCheck {
  const values = args.map((a) => a.value);
  let i = 0;
  while (i < values.length && /^-([HLP]|D|O\d*)$/.test(values[i] as string)) i += values[i] === '-D' ? 2 : 1;
  while (i < values.length && !(values[i] as string).startsWith('-') && !OPERATORS.has(values[i] as string)) i++;
  for (; i < values.length; i++) {
    const token = values[i] as string;
    const forbidden = FORBIDDEN[token];
    if (forbidden) return no(`\`find ${token}\` ${forbidden}`);
    if (OPERATORS.has(token) || NO_ARGUMENT.has(token)) continue;
    if (ONE_ARGUMENT.has(token) || /^-newer[aBcmt][aBcmt]$/.test(token)) {
      if (i + 1 >= values.length) return no(`\`find ${token}\` is missing its argument`);
      i++;
      continue;
    }
    return no(`Leash does not know the \`find\` primary \`${token}\``);
  }
  return OK;
}
