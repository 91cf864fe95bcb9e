import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); override with LEASH_CHROMIUM. */
export const CHROMIUM = process.env.LEASH_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots for people to look at; kept out of git. */
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

export interface Served {
  url: string;
  home: string;
  process: ChildProcess;
  stop(): Promise<number | null>;
}

/**
 * Starts the real `leash serve` (the built CLI) over a fresh data directory, or over `home` on
 * `port` to restart one.
 */
export async function serve(env: NodeJS.ProcessEnv = {}, options: { home?: string; port?: number } = {}): Promise<Served> {
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'leash-e2e-')));
  const child = spawn(process.execPath, ['bin/leash.js', 'serve', '--port', String(options.port ?? 0)], {
    env: { ...process.env, LEASH_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('http://'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`leash serve exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    home,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** The flags every test Chromium runs with: no setuid sandbox or GPU here, and no traffic of its own. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/**
 * The one way tests start Chromium (browser-mode e2e, the desktop stand-in, the dev-server CSP
 * check): Debian's build at CHROMIUM with the common flags plus `extraArgs`. Fails with the
 * install command when Chromium is missing.
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** The former name, kept so branches written against it still build; use launchChromium. */
export const launchBrowser = (): Promise<Browser> => launchChromium();

export interface PageOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
}

/** A new page (own context, clipboard allowed) at `url`; a page error fails the test. */
export async function openPage(browser: Browser, url: string, options: PageOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 860 }, colorScheme: options.colorScheme ?? 'light' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(url);
  return page;
}

/** A TCP port that was free a moment ago, for a serve that must come back on the same one. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
