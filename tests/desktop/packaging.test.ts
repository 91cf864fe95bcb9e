import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * electron-builder cannot package here (it downloads Electron), so its configuration is checked
 * as electron-builder itself reads it: electron-builder.yml merged with package.json by its own
 * loader and validated against its own schema. The CLI launcher is run for real in the layouts
 * the .deb and the macOS bundle give it.
 */
const require = createRequire(import.meta.url);
// electron-builder's configuration is loosely typed JSON; the tests read it by name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, options: unknown): Promise<Loose>;
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Loose;
const LAUNCHER = 'resources/cli/leash';

async function effectiveConfig(): Promise<Loose> {
  const config = await getConfig(process.cwd(), null, null);
  await validateConfiguration(config, { isEnabled: false, add: () => undefined });
  return config;
}

describe('the packaging configuration', () => {
  it('is valid for electron-builder and names the homepage, repository and desktop file the .deb needs', async () => {
    const config = await effectiveConfig();
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\//);
    expect(manifest.desktopName).toBe(`${config.linux.executableName}.desktop`);
    expect(config.productName).toBe(manifest.productName);
  });

  it('sets the Electron fuses that keep other local programs out of the app', async () => {
    expect((await effectiveConfig()).electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('builds for Linux and macOS only (the runner needs bash and POSIX process groups)', async () => {
    const config = await effectiveConfig();
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win).toBeUndefined();
    expect(config.nsis).toBeUndefined();
    expect(Object.keys(manifest.scripts)).not.toContain('dist:win');
  });

  it('packs the built app and what it loads at run time', async () => {
    const config = await effectiveConfig();
    // electron-builder's loader normalises the list into one file set.
    expect(config.files[0].filter).toEqual(expect.arrayContaining(['out/**', 'resources/**', 'package.json', '!**/*.map']));
    expect(manifest.main).toBe('./out/main/index.js');
    for (const path of config.asarUnpack as string[]) {
      if (!path.includes('*')) expect(existsSync(path), path).toBe(true);
    }
    for (const icon of ['resources/tray.png', 'resources/trayTemplate.png', 'resources/trayTemplate@2x.png', config.linux.icon]) expect(existsSync(icon), icon).toBe(true);
    // `npm start` and CI build the same way.
    expect(manifest.scripts.start).toBe('npm run build && electron .');
  });

  it('ships the CLI with the app: a launcher resource, linked as /usr/bin/leash by the .deb, distinct from the GUI launcher', async () => {
    const config = await effectiveConfig();
    expect(config.extraResources).toEqual([{ from: LAUNCHER, to: 'bin/leash' }]);
    expect(config.linux.executableName).toBe('leash-desktop');
    accessSync(LAUNCHER, constants.X_OK);
    const install = readFileSync(config.deb.afterInstall, 'utf8');
    expect(install).toContain("ln -sf '/opt/${sanitizedProductName}/resources/bin/leash' '/usr/bin/leash'");
    // electron-builder's own steps are kept: the GUI link and the chrome-sandbox permissions.
    expect(install).toContain("'/usr/bin/${executable}'");
    expect(install).toContain('chrome-sandbox');
    expect(readFileSync(config.deb.afterRemove, 'utf8')).toContain("rm -f '/usr/bin/leash'");
    for (const script of [config.deb.afterInstall, config.deb.afterRemove]) execFileSync('bash', ['-n', script]);
  });
});

describe('the CLI launcher', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  /** A stand-in app binary that prints the arguments it was given, one a line. */
  async function layout(launcherAt: string, appAt: string): Promise<string> {
    root = await mkdtemp(join(tmpdir(), 'leash-launcher-'));
    await mkdir(dirname(join(root, launcherAt)), { recursive: true });
    await mkdir(dirname(join(root, appAt)), { recursive: true });
    await copyFile(LAUNCHER, join(root, launcherAt));
    await chmod(join(root, launcherAt), 0o755);
    await writeFile(join(root, appAt), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    return root;
  }

  it.each([
    ['the .deb (/usr/bin/leash → /opt/Leash/resources/bin/leash)', 'opt/Leash/resources/bin/leash', 'opt/Leash/leash-desktop'],
    ['the macOS bundle', 'Leash.app/Contents/Resources/bin/leash', 'Leash.app/Contents/MacOS/Leash'],
  ])('runs the app binary as `cli …` in %s, arguments intact', async (_name, launcherAt, appAt) => {
    const dir = await layout(launcherAt, appAt);
    const link = join(dir, 'usr/bin/leash');
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(dir, launcherAt), link);
    const result = spawnSync(link, ['classify', 'echo "two words"', '--json'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('cli\nclassify\necho "two words"\n--json\n');
  });

  it('says so when no app binary is beside it', async () => {
    const dir = await layout('somewhere/bin/leash', 'elsewhere/app');
    const result = spawnSync(join(dir, 'somewhere/bin/leash'), ['mcp'], { encoding: 'utf8' });
    expect(result.status).toBe(127);
    expect(result.stderr).toContain('cannot find the Leash app binary');
  });
});
