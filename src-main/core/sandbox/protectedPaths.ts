import { join, resolve } from 'node:path';
import { pendingKeyPathFor, sealKeyPathFor } from '../audit/sealKeyFile.js';
import { listSegmentsSync } from '../audit/segments.js';

/**
 * What a sandboxed command must never read or write: where the user keeps credentials, and
 * every file that is Leash's own state. Both lists are absolute paths; the mount plan hides
 * each one that exists (a directory becomes an empty read-only tmpfs, a file `/dev/null`).
 */

/** Credential locations relative to the home directory (files and directories). */
export const HOME_CREDENTIAL_PATHS = [
  '.ssh',
  '.aws',
  '.azure',
  '.gnupg',
  '.config/gh',
  '.config/hub',
  '.config/gcloud',
  '.config/op',
  '.config/rclone',
  '.config/Bitwarden CLI',
  '.netrc',
  '.git-credentials',
  '.config/git/credentials',
  '.docker/config.json',
  '.kube',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.gem/credentials',
  '.m2/settings.xml',
  '.gradle/gradle.properties',
  '.terraform.d/credentials.tfrc.json',
  '.vault-token',
  '.password-store',
  '.local/share/keyrings',
  '.local/share/kwalletd',
  '.pki',
  '.mozilla',
  '.config/google-chrome',
  '.config/chromium',
  'Library/Keychains',
  'Library/Cookies',
  'Library/Application Support/Google/Chrome',
  'Library/Application Support/Firefox',
] as const;

/** Absolute credential locations outside the home directory. */
export const SYSTEM_CREDENTIAL_PATHS = ['/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/sudoers.d', '/etc/ssh/ssh_host_ed25519_key', '/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_ecdsa_key'] as const;

/** Environment variables that name credential files elsewhere (only absolute values count). */
const CREDENTIAL_ENV_FILES = ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'GOOGLE_APPLICATION_CREDENTIALS', 'KUBECONFIG', 'DOCKER_CONFIG', 'NPM_CONFIG_USERCONFIG', 'GNUPGHOME', 'PASSWORD_STORE_DIR'];

/** Every credential location for a user whose home is `home`. */
export function credentialPaths(home: string, env: NodeJS.ProcessEnv = {}): string[] {
  const paths: string[] = [...HOME_CREDENTIAL_PATHS.map((path) => join(home, path)), ...SYSTEM_CREDENTIAL_PATHS];
  for (const name of CREDENTIAL_ENV_FILES) {
    // KUBECONFIG is a list of files.
    for (const value of (env[name] ?? '').split(':')) if (value.startsWith('/')) paths.push(resolve(value));
  }
  return [...new Set(paths)];
}

/** Where Leash keeps its state; everything here is hidden from every sandboxed command. */
export interface LeashStateLocations {
  dataDir: string;
  /** The audit log in use (it may live outside the data directory). */
  auditPath: string;
  /** The signed-command inbox folder, when one is configured. */
  inboxDir?: string | null;
}

/**
 * Every path that is Leash's own state: the data directory (settings with autonomy, batches,
 * the control socket and secret, the default audit), the audit log wherever it is with its
 * checkpoint, lock, sealing and verification keys and sealed segments, and the inbox's bookkeeping (all of it but `commands/`, where senders
 * write, and which Leash only reads).
 */
export function leashStatePaths(locations: LeashStateLocations): string[] {
  const audit = resolve(locations.auditPath);
  const dataDir = resolve(locations.dataDir);
  const paths = [dataDir, audit, `${audit}.head`, `${audit}.lock`, sealKeyPathFor(audit), pendingKeyPathFor(audit)];
  // A log kept outside the data directory has its sealed segments beside it (the data directory
  // hides its own). A segment made while an entry runs is the renamed log, which that entry's
  // mounts already hide; the next entry's mounts hide it by its new name.
  if (!isWithin(audit, dataDir)) for (const segment of listSegmentsSync(audit)) paths.push(segment.path);
  if (locations.inboxDir) {
    const inbox = resolve(locations.inboxDir);
    for (const name of ['meta', 'results', 'archive', 'dead_letter']) paths.push(join(inbox, name));
  }
  return [...new Set(paths)];
}

/** True when `path` is `ancestor` or inside it (both absolute, normalised). */
export function isWithin(path: string, ancestor: string): boolean {
  const a = resolve(ancestor);
  const p = resolve(path);
  return p === a || p.startsWith(a.endsWith('/') ? a : `${a}/`);
}
