/**
 * Keeps secrets in Leash's own environment out of the commands agents propose: a command's
 * output is shown, stored and hashed, and an agent may be reading it.
 *
 * Names are split into words (at `_`, `-`, `.`, other punctuation and camelCase humps) and
 * judged word by word, so `GITHUB_TOKEN` and `npm_config_//registry/:_authToken` are withheld
 * while `TOKENIZERS_PARALLELISM`, `KEYBOARD`, `MONKEY_PATCH`, `PATH` and `PWD` are not. A few
 * secret words are matched anywhere in the name, because they are glued to other words in
 * real names (`PGPASSWORD`, `MYSECRET`). Values are checked too, for credentials in URLs and
 * well-known token formats, since a secret is not always under a telling name.
 */

/** A name with any of these words is withheld. */
const SECRET_WORDS = new Set([
  'TOKEN', 'TOKENS', 'KEY', 'KEYS', 'PRIVKEY', 'PRIVATEKEY', 'ACCESSKEY', 'PASS',
  'PASSPHRASE', 'CREDS', 'PAT', 'COOKIE', 'COOKIES', 'AUTHORIZATION', 'BEARER', 'HMAC', 'SALT', 'DSN',
]);

/** Withheld only as the last word, where they mean a secret (`NPM_CONFIG__AUTH`, `MYSQL_PWD`); alone, `PWD` is the working directory. */
const SECRET_LAST_WORDS = new Set(['AUTH', 'PWD', 'PW']);

/** Withheld wherever they appear, even inside a word. */
const SECRET_SUBSTRINGS = ['SECRET', 'PASSWORD', 'PASSWD', 'CREDENTIAL', 'APIKEY'];

/**
 * Values that are credentials whatever the variable is called. Token formats must be the whole
 * value: matched anywhere, `sk-…` would also hit a directory in a PATH and withhold PATH.
 */
const SECRET_VALUES: readonly RegExp[] = [
  /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i, // URL with a password: postgres://user:pass@host
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^gh[pousr]_[A-Za-z0-9]{30,}$/, // GitHub tokens
  /^github_pat_[A-Za-z0-9_]{30,}$/,
  /^glpat-[A-Za-z0-9_-]{20,}$/, // GitLab
  /^(?:AKIA|ASIA)[0-9A-Z]{16}$/, // AWS access key id
  /^xox[abposr]-[A-Za-z0-9-]{10,}$/, // Slack
  /^sk-[A-Za-z0-9_-]{20,}$/, // OpenAI, Anthropic and others
  /^AIza[0-9A-Za-z_-]{35}$/, // Google API key
  /^npm_[A-Za-z0-9]{36}$/,
  /^eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*$/, // JWT
];

/** Splits a variable name into upper-case words at punctuation and camelCase humps. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((word) => word !== '');
}

/** Whether a variable looks like it holds a secret, by its name or its value. */
export function looksSecret(name: string, value = ''): boolean {
  const upper = name.toUpperCase();
  if (SECRET_SUBSTRINGS.some((part) => upper.includes(part))) return true;
  const words = nameWords(name);
  // Words ending in TOKEN are glued tokens (`ACCESSTOKEN`); no harmless variable ends that way.
  if (words.some((word) => SECRET_WORDS.has(word) || word.endsWith('TOKEN'))) return true;
  const last = words[words.length - 1];
  if (words.length > 1 && last !== undefined && SECRET_LAST_WORDS.has(last)) return true;
  const trimmed = value.trim();
  return SECRET_VALUES.some((pattern) => pattern.test(trimmed));
}

export interface FilteredEnvironment {
  env: Record<string, string>;
  /** Names withheld, sorted; never their values, so this list is safe to log and show. */
  withheld: string[];
}

/**
 * Copies `env` without the variables that look like secrets (see `looksSecret`), except those
 * named exactly (case-sensitively) in `allowedNames`. Undefined values are dropped.
 */
export function filterEnvironment(env: Record<string, string | undefined>, allowedNames: Iterable<string> = []): FilteredEnvironment {
  const allowed = new Set(allowedNames);
  const kept: Record<string, string> = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (!allowed.has(name) && looksSecret(name, value)) withheld.push(name);
    else kept[name] = value;
  }
  return { env: kept, withheld: withheld.sort() };
}
