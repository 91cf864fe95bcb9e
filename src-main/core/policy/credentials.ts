import { posix } from 'node:path';
import { isBlockDevice } from './denyRules.js';

/**
 * Paths that hold credentials. A command that names one (to read, copy or send it) needs a
 * person, whatever the command is. Glob arguments count when the glob could match one.
 */

const CREDENTIAL_DIRECTORIES = new Set([
  '.ssh', '.aws', '.gnupg', '.kube', '.docker', '.password-store', '.azure', '.terraform.d', '.gcloud', '.pki',
]);
const CREDENTIAL_CONFIG_DIRECTORIES = new Set(['gcloud', 'gh', 'hub', 'op', 'rclone']);
const CREDENTIAL_FILES = new Set([
  '.netrc', '_netrc', '.npmrc', '.pypirc', '.pgpass', '.git-credentials', '.vault-token', '.my.cnf', '.envrc',
  '.env', 'id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519', 'authorized_keys', 'known_hosts', 'credentials.json',
  '.bash_history', '.zsh_history', '.history', '.psql_history', '.mysql_history', '.python_history', '.node_repl_history',
  'fish_history', '.s3cfg', '.boto', '.terraformrc', '.dockercfg', '.htpasswd', 'terraform.tfstate', 'terraform.tfstate.backup',
  'secrets.yml', 'secrets.yaml', 'secrets.json', 'secrets.toml', '.yarnrc.yml',
]);
/**
 * Runs of path segments that hold credentials although no single segment says so: a file when
 * `file` (the run ends the path), else a directory (the run may stand anywhere in the path).
 */
const CREDENTIAL_RUNS: readonly { run: readonly string[]; file?: true }[] = [
  { run: ['.cargo', 'credentials'], file: true }, { run: ['.cargo', 'credentials.toml'], file: true },
  { run: ['.config', 'git', 'credentials'], file: true }, { run: ['.claude', '.credentials.json'], file: true },
  { run: ['.codex', 'auth.json'], file: true }, { run: ['.gem', 'credentials'], file: true }, { run: ['composer', 'auth.json'], file: true }, { run: ['.composer', 'auth.json'], file: true },
  { run: ['.m2', 'settings.xml'], file: true }, { run: ['.m2', 'settings-security.xml'], file: true },
  { run: ['.local', 'share', 'keyrings'] }, { run: ['.local', 'share', 'kwalletd'] }, { run: ['library', 'keychains'] },
  { run: ['.gradle', 'gradle.properties'], file: true }, { run: ['.config', 'bitwarden cli'] },
  // Browsers' profiles: saved passwords, cookies and session tokens.
  { run: ['.mozilla'] }, { run: ['.config', 'google-chrome'] }, { run: ['.config', 'chromium'] }, { run: ['library', 'cookies'] },
  { run: ['application support', 'google', 'chrome'] }, { run: ['application support', 'firefox'] },
  // Leash's own data directory (settings, audit, batches) on each platform.
  { run: ['.config', 'leash'] }, { run: ['application support', 'leash'] }, { run: ['appdata', 'roaming', 'leash'] },
];
/** Whole paths: host keys, container and Kubernetes secrets. */
const SYSTEM_SECRET_PATHS = /^(\/etc\/ssh\/ssh_host_[^/]*_key|\/etc\/sudoers\.d(\/.*)?|\/(var\/)?run\/secrets(\/.*)?)$/;
/**
 * Whole-path secrets as segments, for globs bash expands (`/etc/sha*`, `/proc/self/env*`); `*`
 * in a sample stands for any one segment (a process id).
 */
const SECRET_PATH_SAMPLES: readonly (readonly string[])[] = [
  ['etc', 'shadow'], ['etc', 'gshadow'], ['etc', 'sudoers'], ['etc', 'master.passwd'], ['etc', 'ssh', 'ssh_host_rsa_key'],
  ['etc', 'ssh', 'ssh_host_ed25519_key'], ['proc', '*', 'environ'], ['proc', '*', 'mem'], ['proc', '*', 'task', '*', 'environ'],
  ['run', 'secrets'], ['var', 'run', 'secrets'],
];
/** Names beside those secrets that a glob aimed at ordinary files matches too (`/etc/*`, `/proc/self/*`). */
const ORDINARY_SYSTEM_NAMES = ['passwd', 'hosts', 'group', 'status', 'cmdline', 'os-release', 'resolv.conf', 'sshd_config'];
const SYSTEM_SECRETS = new Set(['/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/master.passwd', '/etc/shadow-', '/etc/gshadow-']);
/** A process's environment (where secrets passed in variables live) and memory. */
const PROCESS_SECRETS = /^\/proc\/[^/]+\/(task\/[^/]+\/)?(environ|mem)$/;
const CREDENTIAL_EXTENSIONS = /\.(pem|key|p12|pfx|jks|keystore|kdbx|ppk|asc|tfstate|tfstate\.backup)$/i;
/** A glob that matches ordinary files too (`*`, `*.md`) is not aimed at secrets. */
const ORDINARY_NAMES = ['readme.md', 'index.ts', 'src', 'main.c', 'package.json', 'makefile'];
const HARMLESS_ENV_TEMPLATES = /^\.env\.(example|sample|template|dist)$/;

/** Compiled globs: the same segment is matched against every credential name. Bounded. */
const GLOB_CACHE = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let compiled = GLOB_CACHE.get(glob);
  if (!compiled) {
    if (GLOB_CACHE.size >= 512) GLOB_CACHE.clear();
    compiled = compileGlob(glob);
    GLOB_CACHE.set(glob, compiled);
  }
  return compiled;
}

function compileGlob(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) source += '\\[';
      else {
        const body = glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = close;
      }
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`^${source}$`);
  } catch {
    return /^.*$/;
  }
}

/** Whether one path segment, possibly a glob, names (or could name) `name`. */
function segmentMatches(segment: string, name: string, glob: boolean): boolean {
  if (!glob || !/[*?[]/.test(segment)) return segment === name;
  // Without dotglob, a glob only matches a leading dot written literally.
  if (name.startsWith('.') && !segment.startsWith('.')) return false;
  return globToRegExp(segment).test(name);
}

function isCredentialFile(segment: string, glob: boolean): boolean {
  if (!glob || !/[*?[]/.test(segment)) {
    if (HARMLESS_ENV_TEMPLATES.test(segment)) return false;
    return CREDENTIAL_FILES.has(segment) || /^\.env\./.test(segment) || CREDENTIAL_EXTENSIONS.test(segment);
  }
  if (ORDINARY_NAMES.some((name) => segmentMatches(segment, name, true))) return false;
  const probes = [...CREDENTIAL_FILES, '.env.local', 'server.pem', 'server.key'];
  return probes.some((name) => segmentMatches(segment, name, true));
}

/** Normalises the spellings of the home directory to `~`. */
function normalizeHome(path: string): string {
  return path.replace(/^(\$HOME|\$\{HOME\}|"\$HOME"|"\$\{HOME\}")(?=\/|$)/, '~');
}

/** `/etc//shadow`, `/etc/./shadow`, `a/../.ssh` name the same file as their normal form. */
function normalizePath(path: string): string {
  if (!path.includes('/')) return path;
  // `/proc/self/root/etc/shadow` is `/etc/shadow`.
  const normal = posix.normalize(path).replace(/^\/proc\/[^/]+\/root(?=\/)/, '');
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

let leashHomeCache: { raw: string | undefined; normal: string | undefined } | undefined;

/** The directory Leash keeps its state in, when set (`LEASH_HOME`), lower case. Read once: `process.env` is slow. */
function leashHome(): string | undefined {
  if (!leashHomeCache) {
    const raw = typeof process === 'undefined' ? undefined : process.env.LEASH_HOME;
    leashHomeCache = { raw, normal: raw ? normalizePath(raw).toLowerCase() : undefined };
  }
  return leashHomeCache.normal;
}

/**
 * Returns a short description of the credential location the value names, or undefined.
 * `glob` says whether unquoted glob characters in the value are live.
 */
export function credentialPath(value: string, glob = false): string | undefined {
  const candidates = new Set([value]);
  for (const part of value.split(/[=:,]/)) if (part) candidates.add(part);
  const ownData = leashHome();
  for (const candidate of candidates) {
    // Case-insensitive file systems (macOS, Windows) open `~/.SSH/ID_RSA` as `~/.ssh/id_rsa`.
    const path = normalizePath(normalizeHome(candidate.trim())).toLowerCase();
    if (SYSTEM_SECRETS.has(path)) return path;
    if (PROCESS_SECRETS.test(path)) return '/proc/*/environ';
    if (SYSTEM_SECRET_PATHS.test(path)) return path;
    // Reading a disk or memory device reads every file's bytes, credentials included, past every check here.
    if (path.startsWith('/dev/') && (isBlockDevice(path, glob) || /^\/dev\/(k?mem|port)$/.test(path))) return 'a raw disk or memory device';
    if (ownData && (path === ownData || path.startsWith(`${ownData}/`))) return "Leash's own data directory";
    const segments = path.split('/').filter((s) => s !== '');
    const run = credentialRun(segments, glob);
    if (run) return run;
    if (glob && path.startsWith('/') && secretPathGlob(segments)) return path;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as string;
      for (const dir of CREDENTIAL_DIRECTORIES) {
        if (segmentMatches(segment, dir, glob)) return `${dir}/`;
      }
      if (i > 0 && segments[i - 1] === '.config') {
        for (const dir of CREDENTIAL_CONFIG_DIRECTORIES) if (segmentMatches(segment, dir, glob)) return `.config/${dir}/`;
      }
    }
    const last = segments[segments.length - 1];
    if (last !== undefined && isCredentialFile(last, glob)) return last;
  }
  return undefined;
}

/** Every name in a credential run: a path without one (and without globs) holds no run. */
const RUN_NAMES = new Set(CREDENTIAL_RUNS.flatMap(({ run }) => run));

/** The credential run (`.cargo/credentials`, `.config/leash/`) the segments hold, if any. */
function credentialRun(segments: readonly string[], glob: boolean): string | undefined {
  if (!(glob ? segments.some((s) => RUN_NAMES.has(s) || /[*?[]/.test(s)) : segments.some((s) => RUN_NAMES.has(s)))) return undefined;
  for (const { run, file } of CREDENTIAL_RUNS) {
    const last = segments.length - run.length;
    for (let start = file ? Math.max(last, 0) : 0; start <= last; start++) {
      if (run.every((name, k) => segmentMatches(segments[start + k] as string, name, glob))) {
        const shown = run.join('/');
        return shown.endsWith('leash') ? "Leash's own data directory" : file ? shown : `${shown}/`;
      }
    }
  }
  return undefined;
}

/** Whether an absolute glob could expand to a whole-path secret (`/etc/sha*`, `/proc/self/e?viron`). */
function secretPathGlob(segments: readonly string[]): boolean {
  const last = segments[segments.length - 1] ?? '';
  if (!segments.some((s) => /[*?[]/.test(s))) return false;
  if (/[*?[]/.test(last) && ORDINARY_SYSTEM_NAMES.some((name) => segmentMatches(last, name, true))) return false;
  return SECRET_PATH_SAMPLES.some((sample) => {
    // A glob naming a secret directory (`/run/secre*`) or a file in it (`/run/secrets/*`).
    const directory = sample[0] === 'run' || sample[1] === 'run';
    if (directory ? segments.length < sample.length : segments.length !== sample.length) return false;
    return sample.every((name, k) => name === '*' || segmentMatches(segments[k] as string, name, true));
  });
}

/**
 * For globs a tool matches itself (`grep --include`, git pathspecs), where `*` also matches a
 * leading dot: `*.env` picks `.env`.
 */
export function toolGlobCredential(glob: string): string | undefined {
  const direct = credentialPath(glob, true);
  if (direct) return direct;
  const last = glob.split('/').pop() ?? '';
  if (!/[*?[]/.test(last)) return undefined;
  const pattern = globToRegExp(last.toLowerCase());
  if (ORDINARY_NAMES.some((name) => pattern.test(name))) return undefined;
  const probes = [...CREDENTIAL_FILES, ...CREDENTIAL_DIRECTORIES, '.env.local', 'server.pem', 'server.key'];
  return probes.find((name) => pattern.test(name));
}

/** A recursive read rooted here reaches the home directory's credential files. */
export function isRecursiveOverHome(path: string): boolean {
  const normal = normalizePath(normalizeHome(path.trim()));
  if (normal === '~' || normal.startsWith('~/')) return true;
  if (normal === '/' || /^\/(home|users|root|etc|proc|var|private)(\/|$)/i.test(normal)) return true;
  return /(^|\/)\.\.(\/|$)/.test(normal);
}
