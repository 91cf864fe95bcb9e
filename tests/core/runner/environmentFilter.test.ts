import { describe, expect, it } from 'vitest';
import { filterEnvironment, looksSecret } from '../../../src-main/core/runner/index.js';

describe('looksSecret', () => {
  it.each([
    'GITHUB_TOKEN', 'GH_TOKEN', 'NPM_TOKEN', 'TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL', 'HF_TOKEN', 'MYACCESSTOKEN',
    'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'STRIPEAPIKEY',
    'SSH_PRIVATE_KEY', 'GPG_KEY', 'CLIENT_SECRET', 'MYSECRETTHING', 'secret_sauce', 'LEASH_INBOX_HMAC_SECRET',
    'DB_PASSWORD', 'PGPASSWORD', 'MYSQL_PASSWD', 'MYSQL_PWD', 'SMTP_PASS', 'GPG_PASSPHRASE',
    'GOOGLE_APPLICATION_CREDENTIALS', 'AWS_SHARED_CREDENTIALS_FILE', 'DOCKER_CREDS', 'GITLAB_PAT', 'AZURE_DEVOPS_PAT',
    'NPM_CONFIG__AUTH', 'npm_config_//registry.npmjs.org/:_authToken', 'SESSION_COOKIE', 'SENTRY_DSN', 'github_token',
  ])('withholds %s by its name', (name) => {
    expect(looksSecret(name, 'x')).toBe(true);
  });

  it.each([
    'PATH', 'HOME', 'PWD', 'OLDPWD', 'USER', 'SHELL', 'LANG', 'LC_ALL', 'TERM', 'KEYBOARD', 'XKB_DEFAULT_LAYOUT',
    'TOKENIZERS_PARALLELISM', 'MONKEY_PATCH', 'KEYTIMEOUT', 'SSH_AUTH_SOCK', 'GIT_ASKPASS', 'SSH_ASKPASS', 'PATHEXT',
    'NODE_ENV', 'CI', 'EDITOR', 'COMPOSE_PROJECT_NAME', 'PASSENGER_APP_ENV', 'BYPASS_CACHE', 'XDG_SESSION_ID',
  ])('keeps %s', (name) => {
    expect(looksSecret(name, '/usr/bin:/bin')).toBe(false);
  });

  it.each([
    ['DATABASE_URL', 'postgres://app:hunter2@db.internal:5432/app'],
    ['HTTPS_PROXY', 'http://me:pw@proxy:3128'],
    ['SOME_VALUE', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['SOME_VALUE', 'github_pat_11ABCDEFG0abcdefghijklmnopqrstuvwxyz'],
    ['SOME_VALUE', 'AKIAIOSFODNN7EXAMPLE'],
    ['SOME_VALUE', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz'],
    ['SOME_VALUE', 'xoxb-1234567890-abcdefghij'],
    ['SOME_VALUE', '-----BEGIN OPENSSH PRIVATE KEY-----\nabc'],
    ['SOME_VALUE', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig'],
  ])('withholds %s whose value %s is a credential', (name, value) => {
    expect(looksSecret(name, value)).toBe(true);
  });

  it.each([
    ['DATABASE_URL', 'postgres://db.internal:5432/app'],
    ['HOMEPAGE', 'https://user@example.com/'],
    ['TASK', 'risk-assessment-for-the-quarterly-report'],
    ['PATH', '/opt/sk-toolkit-aaaaaaaaaaaaaaaaaaaaaaaa/bin:/usr/bin'],
  ])('keeps %s whose value %s holds no credential', (name, value) => {
    expect(looksSecret(name, value)).toBe(false);
  });
});

describe('filterEnvironment', () => {
  it('withholds secrets, keeps the rest and lists withheld names sorted, without values', () => {
    const filtered = filterEnvironment({ PATH: '/bin', GITHUB_TOKEN: 'ghp_x', HOME: '/home/a', AWS_SECRET_ACCESS_KEY: 'k', GONE: undefined });
    expect(filtered).toEqual({ env: { PATH: '/bin', HOME: '/home/a' }, withheld: ['AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN'] });
  });

  it('passes a secret through when allowed by its exact name', () => {
    const env = { NPM_TOKEN: 'n', GITHUB_TOKEN: 'g' };
    expect(filterEnvironment(env, ['NPM_TOKEN'])).toEqual({ env: { NPM_TOKEN: 'n' }, withheld: ['GITHUB_TOKEN'] });
    expect(filterEnvironment(env, ['npm_token']).withheld).toEqual(['GITHUB_TOKEN', 'NPM_TOKEN']);
  });
});
