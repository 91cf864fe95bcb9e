import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bubblewrapArgs, detectBubblewrap } from '../../../../src-main/core/sandbox/index.js';
import { executedCommands, parseTrace, TRACE_MARKER } from './xtrace.js';

/**
 * The bash oracle: runs candidate commands under real bash inside a throwaway bubblewrap sandbox
 * (read-only root, private tmpfs /tmp and /home, no network, PATH holding only stub programs
 * that do nothing) with xtrace on, and reports every simple command bash executed, after
 * expansion, builtins and what ran inside substitutions included. Many commands share one
 * sandbox start; each runs in a fresh bash, in its own empty directory, with a time limit.
 */

const run = promisify(execFile);

/** Programs the stub directory provides (any other name is "command not found", still traced). */
export const STUB_PROGRAMS = [
  'ls', 'cat', 'grep', 'egrep', 'fgrep', 'find', 'git', 'rm', 'sudo', 'doas', 'su', 'ssh', 'scp', 'curl', 'wget', 'sh', 'bash', 'dash',
  'zsh', 'env', 'xargs', 'timeout', 'nice', 'nohup', 'stdbuf', 'flock', 'chrt', 'taskset', 'setarch', 'strace', 'script', 'unshare',
  'fakeroot', 'prlimit', 'sg', 'watch', 'head', 'tail', 'wc', 'date', 'tee', 'python3', 'node', 'perl', 'dd', 'mkfs', 'apt', 'apt-get',
  'brew', 'make', 'npm', 'mytool', 'uname', 'whoami', 'which', 'id', 'sort', 'uniq', 'tr', 'sed', 'awk', 'mkdir', 'touch', 'cp', 'mv',
  'chmod', 'diff', 'stat', 'file', 'less', 'more', 'ionice', 'setsid', 'busybox', 'time', 'nsenter', 'chroot', 'runuser',
  // the read-only tools of the allowlist (issue #11 item 8)
  'rg', 'fd', 'tree', 'du', 'df', 'cut', 'jq', 'cmp', 'nl', 'tac', 'rev', 'paste', 'column', 'comm', 'seq', 'basename', 'dirname',
  'realpath', 'readlink', 'sha256sum', 'md5sum', 'base64', 'sleep', 'gawk', 'python', 'cargo', 'rustc', 'tsc', 'java', 'gcc',
];

export const ORACLE_HOME = '/home/oracle';

export interface OracleResult {
  command: string;
  /** Simple commands bash executed, in order, `~` standing for the home directory. */
  executed: string[][];
  /** The time limit ended the command (what ran until then is still reported). */
  timedOut: boolean;
}

export interface BashOracle {
  run(commands: readonly string[]): Promise<OracleResult[]>;
  close(): Promise<void>;
}

const RUN_ONE = `IFS= read -r -d '' __leash_command < "$1"
exec 3>"$2" </dev/null
BASH_XTRACEFD=3
PS4='+${TRACE_MARKER}'
set --
set -x
eval -- "$__leash_command"
`;

const DRIVER = `cd /tmp/.oracle/in || exit 2
mkdir -p ${ORACLE_HOME}
for f in *.cmd; do
  n=\${f%.cmd}
  mkdir -p /tmp/work/$n
  cd /tmp/work/$n || exit 2
  /usr/bin/env -i HOME=${ORACLE_HOME} PATH=/tmp/.oracle/bin TERM=dumb LC_ALL=C /usr/bin/timeout -s KILL 3 /bin/bash --norc --noprofile /tmp/.oracle/run-one.sh /tmp/.oracle/in/$f /tmp/.oracle/out/$n.trace >/dev/null 2>&1
  echo $? > /tmp/.oracle/out/$n.status
done
`;

/** Undefined (with the reason) when bubblewrap cannot run here. */
export async function createBashOracle(): Promise<BashOracle | { unavailable: string }> {
  const sandbox = await detectBubblewrap();
  if (!sandbox.ok) return { unavailable: `${sandbox.code}: ${sandbox.message}` };
  const root = await mkdtemp(join(tmpdir(), 'leash-oracle-'));
  const bin = join(root, 'bin');
  await mkdir(bin);
  for (const name of STUB_PROGRAMS) {
    await writeFile(join(bin, name), '#!/bin/sh\nexit 0\n');
    await chmod(join(bin, name), 0o755);
  }
  await writeFile(join(root, 'run-one.sh'), RUN_ONE);
  await writeFile(join(root, 'driver.sh'), DRIVER);
  let batch = 0;
  return {
    async run(commands) {
      const dir = join(root, `batch-${batch++}`);
      const input = join(dir, 'in');
      const output = join(dir, 'out');
      await mkdir(input, { recursive: true });
      await mkdir(output, { recursive: true });
      const width = String(commands.length).length;
      const names = commands.map((_, i) => String(i).padStart(width, '0'));
      await Promise.all(commands.map((command, i) => writeFile(join(input, `${names[i]}.cmd`), command)));
      const args = bubblewrapArgs({
        writable: [],
        hidden: ['/root'],
        binds: [
          { source: bin, target: '/tmp/.oracle/bin' },
          { source: join(root, 'run-one.sh'), target: '/tmp/.oracle/run-one.sh' },
          { source: input, target: '/tmp/.oracle/in' },
          { source: output, target: '/tmp/.oracle/out', writable: true },
        ],
        tmpfs: ['/tmp', '/home'],
        network: false,
        cwd: '/',
      });
      await run(sandbox.executable, [...args, '/bin/bash', '--norc', '--noprofile', '-c', DRIVER], { timeout: 60_000 + commands.length * 4_000, maxBuffer: 1 << 24 });
      const results = await Promise.all(commands.map(async (command, i) => {
        const trace = await readFile(join(output, `${names[i]}.trace`), 'utf8').catch(() => '');
        const status = (await readFile(join(output, `${names[i]}.status`), 'utf8').catch(() => '')).trim();
        const records = parseTrace(trace);
        // The first record is the oracle's own `eval -- '…'`.
        const own = records[0]?.[0] === 'eval' ? records.slice(1) : records;
        const executed = executedCommands(own).map((words) => words.map(atHome));
        return { command, executed, timedOut: status === '137' };
      }));
      await rm(dir, { recursive: true, force: true });
      return results;
    },
    async close() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

function atHome(word: string): string {
  return word === ORACLE_HOME ? '~' : word.startsWith(`${ORACLE_HOME}/`) ? `~${word.slice(ORACLE_HOME.length)}` : word;
}
