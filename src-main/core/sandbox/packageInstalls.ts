import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Classification } from '../policy/types.js';

/**
 * Package installs the default allowlist admits (`brew install`, `apt install`) run on the
 * policy's allow, unattended: they need the network and writes, but only where that package
 * manager installs. Which installs these are is read from the rules that allowed the entry.
 */
export type PackageManager = 'apt' | 'brew';

const RULE_MANAGER: Record<string, PackageManager> = {
  'allow:apt-install': 'apt',
  'allow:brew-install': 'brew',
};

/** The package managers whose install rule allowed some command of the entry. */
export function packageManagersOf(classification: Classification): PackageManager[] {
  if (classification.verdict !== 'allow') return [];
  const managers = new Set<PackageManager>();
  for (const reason of classification.reasons) {
    const manager = reason.rule === undefined ? undefined : RULE_MANAGER[reason.rule];
    if (manager) managers.add(manager);
  }
  return [...managers].sort();
}

/**
 * Where each package manager writes when it installs. apt and dpkg write the system
 * (`/usr`, `/etc` for configuration files, `/var` for their databases, caches and logs, `/opt`);
 * Homebrew writes its prefix, its cache and its logs. Only directories that exist are returned
 * (a bind needs a source); the home-relative ones come from `home` and the environment.
 */
export function packageInstallDirectories(managers: readonly PackageManager[], home: string, env: NodeJS.ProcessEnv = {}): string[] {
  const directories: string[] = [];
  if (managers.includes('apt')) directories.push('/usr', '/etc', '/var', '/opt');
  if (managers.includes('brew')) {
    for (const name of ['HOMEBREW_PREFIX', 'HOMEBREW_CELLAR', 'HOMEBREW_REPOSITORY', 'HOMEBREW_CACHE', 'HOMEBREW_LOGS']) {
      const value = env[name];
      if (value?.startsWith('/')) directories.push(value);
    }
    directories.push(
      '/opt/homebrew',
      '/usr/local/Homebrew',
      '/usr/local/Cellar',
      '/usr/local/Caskroom',
      '/usr/local/bin',
      '/usr/local/lib',
      '/usr/local/share',
      '/usr/local/etc',
      '/usr/local/opt',
      '/usr/local/var',
      '/usr/local/include',
      '/home/linuxbrew/.linuxbrew',
      join(home, '.linuxbrew'),
      join(home, '.cache', 'Homebrew'),
      join(home, 'Library', 'Caches', 'Homebrew'),
      join(home, 'Library', 'Logs', 'Homebrew'),
      '/Applications',
    );
  }
  return [...new Set(directories)].filter((directory) => existsSync(directory));
}
