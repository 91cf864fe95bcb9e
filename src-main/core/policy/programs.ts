import { scanOptions, shortOptions } from './options.js';

/** Families of programs the rules talk about. Names are compared after path reduction. */

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'yash', 'posh', 'fish', 'csh', 'tcsh']);

export const PRIVILEGE_ESCALATION = new Set(['sudo', 'doas', 'pkexec', 'su', 'run0', 'sudoedit', 'runuser', 'please', 'gosu', 'su-exec']);

/** Paths that name a process's own standard input: `bash /dev/stdin` reads its script from the pipe. */
export const STDIN_PATHS = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0', '/proc/thread-self/fd/0']);

export const REMOTE_ACCESS = new Set(['ssh', 'scp', 'sftp', 'slogin', 'autossh', 'sshpass', 'mosh', 'rsh', 'rlogin', 'rcp']);

export const RAW_DISK = new Set([
  'dd', 'mkfs', 'mke2fs', 'mkswap', 'fdisk', 'sfdisk', 'cfdisk', 'gdisk', 'sgdisk', 'parted', 'wipefs', 'blkdiscard',
]);

export const FETCHERS = new Set([
  'curl', 'wget', 'wget2', 'fetch', 'aria2c', 'http', 'https', 'xh', 'xhs', 'lwp-request', 'lwp-download', 'GET',
  'nc', 'ncat', 'netcat', 'socat',
]);

/** Programs that run code they are given as text, from a file, an argument or stdin. */
export const INTERPRETERS = new Set([
  'python', 'python2', 'python3', 'pypy', 'pypy3', 'perl', 'ruby', 'node', 'nodejs', 'deno', 'bun', 'php', 'lua',
  'luajit', 'Rscript', 'R', 'tclsh', 'wish', 'osascript', 'pwsh', 'powershell', 'jshell', 'irb', 'groovy',
]);

export function isRawDiskTool(program: string): boolean {
  return RAW_DISK.has(program) || /^mkfs\..+/.test(program);
}

export function isInterpreter(program: string): boolean {
  return INTERPRETERS.has(program) || /^python\d+(\.\d+)?$/.test(program) || /^pypy\d/.test(program);
}

/** Every program name a deny rule names, for matching glob-spelled command names (`/bin/r?`). */
export const DENIED_PROGRAM_NAMES = [
  'rm', ...PRIVILEGE_ESCALATION, ...REMOTE_ACCESS, ...RAW_DISK, 'mkfs.ext4', 'mkfs.vfat', 'mkfs.xfs', 'mkfs.btrfs',
];

/** What a shell invocation will run, from its options. */
export type ShellMode =
  | { kind: 'command'; scriptIndex: number }
  | { kind: 'stdin' }
  | { kind: 'file'; fileIndex: number };

/** Reads bash/sh-style options: `-c`, clustered flags (`-lc`, `-xec`), `-o opt`, long options. */
export function shellMode(args: readonly string[]): ShellMode {
  let command = false;
  let stdin = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--' || arg === '-') {
      return modeAt(i + 1, command, stdin, args);
    }
    if (arg === '--rcfile' || arg === '--init-file') {
      i++;
      continue;
    }
    if (arg.startsWith('--')) continue;
    if ((arg.startsWith('-') || arg.startsWith('+')) && arg.length > 1) {
      for (const letter of arg.slice(1)) {
        if (letter === 'c') command = true;
        if (letter === 's') stdin = true;
        if (letter === 'o' || letter === 'O') i++;
      }
      continue;
    }
    return modeAt(i, command, stdin, args);
  }
  return command ? { kind: 'command', scriptIndex: -1 } : { kind: 'stdin' };
}

function modeAt(index: number, command: boolean, stdin: boolean, args: readonly string[]): ShellMode {
  if (command) return { kind: 'command', scriptIndex: index < args.length ? index : -1 };
  if (stdin || index >= args.length || STDIN_PATHS.has(args[index] as string)) return { kind: 'stdin' };
  return { kind: 'file', fileIndex: index };
}

/** Whether an interpreter invocation takes its program from stdin (`python3`, `perl -`, `node`). */
export function interpreterReadsStdin(args: readonly string[]): boolean {
  if (args.some((a) => STDIN_PATHS.has(a))) return true;
  const scanned = scanOptions(args, { short: shortOptions('EIOBuvqsSbdxih', 'WX'), stopAtOperand: true });
  const codeFlags = ['-c', '-e', '-E', '-m', '-p', '-r', '--eval', '--print', '--require', '--version', '--help'];
  const givesCode = args.some((a) => codeFlags.includes(a) || /^-[a-zA-Z]*[cem]/.test(a));
  return !givesCode && scanned.operands.length === 0;
}
