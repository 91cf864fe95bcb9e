import { longOptions as long, shortOptions as short, type OptionSpec } from './options.js';

/**
 * The option syntax of programs that run another program named in their arguments. The command
 * starts at the first operand after the options (and `skipOperands` more, e.g. timeout's
 * DURATION). `scriptOptions` hand a string to a shell (`flock -c CMD`); `allowThrough` marks the
 * wrappers that change nothing but scheduling or buffering, so an allowed command stays allowed.
 */
export interface WrapperSpec {
  options: OptionSpec;
  skipOperands?: number;
  /** Options whose value is a shell command line. */
  scriptOptions?: readonly string[];
  /** Options after which nothing is run (`chrt -p PID`, `strace -p PID`, `timeout --help`). */
  noCommandOptions?: readonly string[];
  /** Options that make the wrapper write a file (`time -o F`, `strace -o F`). */
  writeOptions?: readonly string[];
  allowThrough?: boolean;
  /** Options are not fully modelled: every argv suffix is also checked against the deny rules. */
  uncertain?: boolean;
}

const HELP = ['help', 'version'];

export const WRAPPERS: Record<string, WrapperSpec> = {
  nohup: { options: { long: long(HELP) }, allowThrough: true },
  nice: { options: { short: short('', 'n'), long: long(HELP, ['adjustment']), numeric: true }, allowThrough: true },
  timeout: {
    options: { short: short('vf', 'sk'), long: long(['preserve-status', 'foreground', 'verbose', ...HELP], ['signal', 'kill-after']) },
    skipOperands: 1,
    allowThrough: true,
  },
  stdbuf: { options: { short: short('', 'ioe'), long: long(HELP, ['input', 'output', 'error']) }, allowThrough: true },
  time: {
    options: { short: short('pavq', 'of'), long: long(['portability', 'append', 'verbose', 'quiet', ...HELP], ['output', 'format']) },
    writeOptions: ['-o', '--output'],
    allowThrough: true,
  },
  setsid: { options: { short: short('cfw'), long: long(['ctty', 'fork', 'wait', ...HELP]) } },
  ionice: { options: { short: short('tu', 'cnpP'), long: long(['ignore', ...HELP], ['class', 'classdata', 'pid', 'pgid', 'uid']) }, noCommandOptions: ['-p', '--pid', '-P', '--pgid'] },
  builtin: { options: {} },
  exec: { options: { short: short('cl', 'a') } },
  unbuffer: { options: { short: short('p') } },
  busybox: { options: {} },
  toybox: { options: {} },
  catchsegv: { options: {} },
  flock: {
    options: {
      short: short('sxnuoFhV', 'Ewc'),
      long: long(['shared', 'exclusive', 'nonblock', 'nb', 'unlock', 'close', 'no-fork', 'verbose', ...HELP], ['timeout', 'wait', 'conflict-exit-code', 'command']),
    },
    skipOperands: 1,
    scriptOptions: ['-c', '--command'],
  },
  chrt: {
    options: { short: short('abdfimorRveh', 'TPD'), long: long(['all-tasks', 'batch', 'deadline', 'fifo', 'idle', 'max', 'other', 'rr', 'reset-on-fork', 'verbose', 'ext', ...HELP], ['sched-runtime', 'sched-period', 'sched-deadline']) },
    skipOperands: 1,
    noCommandOptions: ['-p', '-m', '--max'],
  },
  taskset: { options: { short: short('acpVh'), long: long(['all-tasks', 'cpu-list', 'pid', ...HELP]) }, skipOperands: 1, noCommandOptions: ['-p', '--pid'] },
  strace: {
    options: { short: short('cCdDfFhiknqrtTvVwxyzZ', 'abeIoOpPsSuEX') },
    noCommandOptions: ['-p'],
    writeOptions: ['-o'],
    uncertain: true,
  },
  ltrace: { options: { short: short('cCfhiLrStTV', 'aAbDeFlnopsuwx') }, noCommandOptions: ['-p'], writeOptions: ['-o'], uncertain: true },
  script: {
    options: { short: short('aefqEhV', 'cTIOBm', 't'), long: long(['append', 'return', 'flush', 'force', 'quiet', ...HELP], ['command', 'log-timing', 'log-in', 'log-out', 'log-io', 'logging-format', 'echo', 'output-limit'], ['timing']) },
    scriptOptions: ['-c', '--command'],
  },
  unshare: {
    options: {
      short: short('fcrhV', 'SGRwl', 'muinpUCT'),
      long: long(
        ['fork', 'kill-child', 'map-root-user', 'map-current-user', 'map-auto', 'keep-caps', 'mount-proc', ...HELP],
        ['setuid', 'setgid', 'root', 'wd', 'propagation', 'setgroups', 'map-user', 'map-group', 'map-users', 'map-groups', 'monotonic', 'boottime', 'load-interp'],
        ['mount', 'uts', 'ipc', 'net', 'pid', 'user', 'cgroup', 'time'],
      ),
    },
    uncertain: true,
  },
  fakeroot: { options: { short: short('uhv', 'lisb'), long: long(['unknown-is-real', ...HELP], ['lib', 'faked']) } },
  prlimit: {
    options: {
      short: short('hV', 'po', 'cdefilmnqrstuvxy'),
      long: long(['noheadings', 'raw', 'verbose', ...HELP], ['pid', 'output'], ['core', 'data', 'nice', 'fsize', 'sigpending', 'memlock', 'rss', 'nofile', 'msgqueue', 'rtprio', 'stack', 'cpu', 'nproc', 'as', 'locks', 'rttime']),
    },
    noCommandOptions: ['-p', '--pid'],
  },
  nsenter: {
    options: { short: short('aFZhV', 'tSGe', 'muinpCUTrw'), long: long(['all', 'no-fork', 'preserve-credentials', ...HELP], ['target', 'setuid', 'setgid', 'env'], ['mount', 'uts', 'ipc', 'net', 'pid', 'cgroup', 'user', 'time', 'root', 'wd']) },
    uncertain: true,
  },
  chroot: { options: { long: long(['skip-chdir', ...HELP], ['userspec', 'groups']) }, skipOperands: 1 },
  setpriv: { options: { short: short('dhV'), long: long(['dump', 'no-new-privs', 'init-groups', 'keep-groups', 'clear-groups', 'reset-env', ...HELP], ['reuid', 'regid', 'ruid', 'euid', 'rgid', 'egid', 'groups', 'inh-caps', 'ambient-caps', 'bounding-set', 'securebits', 'pdeathsig', 'selinux-label', 'apparmor-profile', 'landlock-access', 'landlock-rule']) }, uncertain: true },
  numactl: { options: { short: short('alsHS', 'imNCpb'), long: long(['localalloc', 'show', 'hardware', 'all', ...HELP], ['interleave', 'membind', 'cpunodebind', 'physcpubind', 'preferred', 'preferred-many', 'balancing']) } },
  'systemd-run': { options: { short: short('tPqGrhS', 'upEMH'), long: long(['user', 'system', 'scope', 'pty', 'pipe', 'quiet', 'collect', 'remain-after-exit', 'wait', 'no-block', 'same-dir', 'shell', ...HELP], ['unit', 'property', 'setenv', 'slice', 'description', 'machine', 'host', 'working-directory', 'uid', 'gid', 'nice', 'service-type', 'on-calendar', 'on-active']) }, uncertain: true },
  'xvfb-run': { options: { short: short('alh', 'nsefwp'), long: long(['auto-servernum', 'listen-tcp', ...HELP], ['server-num', 'server-args', 'error-file', 'auth-file', 'wait', 'xauth-protocol']) } },
  'dbus-run-session': { options: { long: long(HELP, ['config-file', 'dbus-daemon']) } },
  proxychains: { options: { short: short('q', 'f') } },
  proxychains4: { options: { short: short('q', 'f') } },
  torsocks: { options: { short: short('idqh', 'uapP'), long: long(['shell', ...HELP], ['user', 'pass', 'address', 'port', 'isolate']) } },
  caffeinate: { options: { short: short('dimsu', 'tw') } },
  firejail: { options: {}, uncertain: true },
  valgrind: { options: { short: short('vqh') }, uncertain: true },
  rlwrap: { options: {}, uncertain: true },
  cpulimit: { options: { short: short('kfizvh', 'lpe'), long: long(['kill', 'foreground', 'include-children', 'lazy', 'verbose', ...HELP], ['limit', 'pid', 'exe', 'signal']) }, uncertain: true },
  doas: { options: { short: short('Lns', 'uC') } },
  sudo: {
    options: { short: short('AbEHiKklnPSsVvBN', 'ugCDhprtUTc'), long: long(['preserve-env', 'login', 'non-interactive', 'shell', 'stdin', ...HELP], ['user', 'group', 'chdir', 'prompt', 'role', 'type', 'host', 'other-user', 'close-from', 'command-timeout']) },
  },
  pkexec: { options: { long: long(['disable-internal-agent', 'keep-cwd', ...HELP], ['user']) } },
  run0: { options: { long: long(HELP, ['user', 'group', 'unit', 'property', 'description', 'slice', 'chdir', 'setenv', 'nice', 'machine']), short: short('', 'ugD') } },
  runuser: { options: { short: short('flmph', 'ugGsw'), long: long(['login', 'preserve-environment', 'pty', ...HELP], ['user', 'group', 'supp-group', 'shell', 'whitelist-environment', 'session-command', 'command']) }, scriptOptions: ['-c', '--command', '--session-command'] },
  su: { options: { short: short('flmph', 'gGsw', ''), long: long(['login', 'preserve-environment', 'pty', ...HELP], ['group', 'supp-group', 'shell', 'whitelist-environment', 'session-command', 'command']) }, skipOperands: 1, scriptOptions: ['-c', '--command', '--session-command'] },
};

/** `setarch ARCH` and its per-architecture aliases, which take personality flags before the command. */
export const SETARCH_FLAGS: OptionSpec = {
  short: short('v3BFILRSTXZh'),
  long: long(['verbose', 'uname-2.6', 'addr-no-randomize', 'fdpic-funcptrs', 'mmap-page-zero', 'addr-compat-layout', 'read-implies-exec', '32bit', 'short-inode', 'whole-seconds', 'sticky-timeouts', '3gb', '4gb', 'list', 'show', ...HELP]),
};

export const SETARCH_ALIASES = new Set(['linux32', 'linux64', 'i386', 'i686', 'x86_64', 'uname26', 'arm', 'aarch64', 'ppc', 'ppc64', 's390', 's390x']);
