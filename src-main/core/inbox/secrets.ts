import { createHash, createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { execa } from 'execa';

/**
 * Where the inbox's HMAC secrets come from: the environment or the OS keychain, never a file
 * (a file next to the inbox would be published with it, or copied into a backup).
 *
 * A secret never leaves {@link InboxKey}: code holds keys, asks them for an HMAC, and can print
 * or serialize them only as their label (`env:LEASH_INBOX_HMAC_SECRETS[2]`).
 */

export const SECRET_ENV = 'LEASH_INBOX_HMAC_SECRET';
/** Several secrets for rotation, separated by commas or newlines. */
export const SECRETS_ENV = 'LEASH_INBOX_HMAC_SECRETS';
/** The keychain item: macOS generic password service / libsecret attribute `service`. */
export const KEYCHAIN_SERVICE = 'leash-inbox';
/** Shorter secrets are refused: an HMAC is only as strong as its key. */
export const MIN_SECRET_BYTES = 16;

/** One HMAC secret. Its bytes are private; it prints and serializes as its label only. */
export class InboxKey {
  readonly #bytes: Buffer;
  /** SHA-256 of the secret, kept private too; only used to drop duplicates. */
  readonly #digest: string;

  constructor(
    /** Where the secret came from, safe to show: `env:LEASH_INBOX_HMAC_SECRET`. */
    readonly label: string,
    secret: string,
  ) {
    this.#bytes = Buffer.from(secret, 'utf8');
    this.#digest = createHash('sha256').update(this.#bytes).digest('hex');
  }

  /** HMAC-SHA256 of `data` under this secret. */
  hmac(data: Buffer | string): Buffer {
    return createHmac('sha256', this.#bytes).update(data).digest();
  }

  sameSecretAs(other: InboxKey): boolean {
    return this.#digest === other.#digest;
  }

  toString(): string {
    return `[inbox key ${this.label}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

export interface LoadedKeys {
  /** In order of preference: the first is the one to sign with. */
  keys: InboxKey[];
  /** What was wrong with the configuration, naming variables and positions, never values. */
  problems: string[];
}

export interface InboxSecretSource {
  load(): Promise<LoadedKeys>;
}

/** Splits a secret list on commas and newlines, trimming each item and dropping empty ones. */
export function splitSecretList(text: string): string[] {
  return text
    .split(/[,\r\n]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function keysFrom(label: string, values: string[], problems: string[], numbered: boolean): InboxKey[] {
  const keys: InboxKey[] = [];
  values.forEach((value, index) => {
    const name = numbered ? `${label}[${index + 1}]` : label;
    if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES) problems.push(`${name} is shorter than ${MIN_SECRET_BYTES} bytes and was ignored`);
    else keys.push(new InboxKey(name, value));
  });
  return keys;
}

/**
 * Secrets from `LEASH_INBOX_HMAC_SECRET` (one secret; surrounding whitespace ignored) and
 * `LEASH_INBOX_HMAC_SECRETS` (a list, comma- or newline-separated, for rotation: list the new
 * and the old secret while senders switch over). The single variable comes first.
 */
export function envSecretSource(env: NodeJS.ProcessEnv): InboxSecretSource {
  return {
    async load() {
      const problems: string[] = [];
      const single = env[SECRET_ENV]?.trim();
      const keys = [
        ...(single ? keysFrom(`env:${SECRET_ENV}`, [single], problems, false) : []),
        ...keysFrom(`env:${SECRETS_ENV}`, splitSecretList(env[SECRETS_ENV] ?? ''), problems, true),
      ];
      return { keys, problems };
    },
  };
}

/** Runs a program without a shell; never rejects (execa with `reject: false`). */
export type ProgramRunner = (file: string, args: string[]) => Promise<{ exitCode: number | undefined; stdout: string }>;

export const runProgram: ProgramRunner = async (file, args) => {
  const result = await execa(file, args, { reject: false, stdin: 'ignore', timeout: 10_000, stripFinalNewline: false });
  return { exitCode: result.exitCode, stdout: typeof result.stdout === 'string' ? result.stdout : '' };
};

/** The OS keychain command for the inbox secret, or null where there is none. */
export function keychainCommand(platform: NodeJS.Platform): { file: string; args: string[] } | null {
  if (platform === 'darwin') return { file: 'security', args: ['find-generic-password', '-s', KEYCHAIN_SERVICE, '-w'] };
  if (platform === 'linux') return { file: 'secret-tool', args: ['lookup', 'service', KEYCHAIN_SERVICE] };
  return null;
}

/**
 * Secrets from the OS keychain: macOS `security find-generic-password -s leash-inbox -w`, Linux
 * `secret-tool lookup service leash-inbox` when it is installed. The item may hold several
 * secrets, one per line, for rotation. A missing tool or item is simply no secret. The answer is
 * cached for `cacheMs` (default one minute) so a busy inbox does not call the keychain per file.
 */
export function keychainSecretSource(options: { platform?: NodeJS.Platform; run?: ProgramRunner; cacheMs?: number; nowMs?: () => number } = {}): InboxSecretSource {
  const command = keychainCommand(options.platform ?? process.platform);
  const run = options.run ?? runProgram;
  const cacheMs = options.cacheMs ?? 60_000;
  const nowMs = options.nowMs ?? Date.now;
  let cached: { at: number; loaded: LoadedKeys } | undefined;
  return {
    async load() {
      if (!command) return { keys: [], problems: [] };
      if (cached && nowMs() - cached.at < cacheMs) return cached.loaded;
      const problems: string[] = [];
      let keys: InboxKey[] = [];
      try {
        const result = await run(command.file, command.args);
        if (result.exitCode === 0) {
          const values = result.stdout.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
          keys = keysFrom(`keychain:${KEYCHAIN_SERVICE}`, values, problems, values.length > 1);
        }
      } catch {
        // The runner never rejects; a custom one that does means no keychain, which is not an error.
      }
      const loaded = { keys, problems };
      cached = { at: nowMs(), loaded };
      return loaded;
    },
  };
}

/** Every key from every source, in order, without duplicates (the first label wins). */
export function combineSecretSources(...sources: InboxSecretSource[]): InboxSecretSource {
  return {
    async load() {
      const keys: InboxKey[] = [];
      const problems: string[] = [];
      for (const source of sources) {
        const loaded = await source.load();
        problems.push(...loaded.problems);
        for (const key of loaded.keys) if (!keys.some((known) => known.sameSecretAs(key))) keys.push(key);
      }
      return { keys, problems };
    },
  };
}

/** The default: the environment first, then the keychain. */
export function defaultSecretSource(env: NodeJS.ProcessEnv): InboxSecretSource {
  return combineSecretSources(envSecretSource(env), keychainSecretSource());
}

export const NO_SECRET_MESSAGE = `no inbox secret is configured: set ${SECRET_ENV} (or ${SECRETS_ENV} to accept several while rotating), or store one in the OS keychain under the service "${KEYCHAIN_SERVICE}"`;
