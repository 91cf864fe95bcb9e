import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src-main/ipc/channels.js';
import { launchDesktop, launchDesktopBrowser, MAIN_BUNDLE, type DesktopApp } from './standin/host.js';
import { auditEvents, desktopScreenshot, lastCall, waitForCall } from './support.js';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/** The built main process starting, refusing to start, and serving the CLI, under the stand-in. */
let browser: Browser;
const started: DesktopApp[] = [];

beforeAll(async () => {
  if (!existsSync(MAIN_BUNDLE)) throw new Error('the app is not built: npm run build');
  browser = await launchDesktopBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const desktop of started.splice(0)) await desktop.stop();
});

async function launch(options: Parameters<typeof launchDesktop>[0] = {}): Promise<DesktopApp> {
  const desktop = await launchDesktop({ browser, ...options });
  started.push(desktop);
  return desktop;
}

describe('the built desktop app starting', { timeout: 120_000 }, () => {
  it('opens its data in LEASH_HOME, hardens the session and shows the renderer talking to main', async () => {
    const desktop = await launch();
    const page = await desktop.page();
    await page.getByTestId('autonomy-indicator').waitFor();
    expect(await page.getByTestId('autonomy-indicator').getAttribute('data-state')).toBe('off');
    expect(lastCall(desktop, 'app', 'setPath')?.args).toEqual(['userData', desktop.home]);
    expect(lastCall(desktop, 'app', 'requestSingleInstanceLock')?.args).toEqual([true]);

    const [options] = (await waitForCall(desktop, 'window:1', 'new')).args as [{ minWidth: number; minHeight: number; webPreferences: Record<string, unknown> }];
    expect(options).toMatchObject({ minWidth: 800, minHeight: 600 });
    expect(options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, preload: expect.stringMatching(/out[\\/]preload[\\/]index\.cjs$/) });

    // What the session handlers main installed decide (probed by the stand-in).
    const headers = lastCall(desktop, 'session', 'headers')?.args[0] as Record<string, string[]>;
    expect(Object.keys(headers)).toEqual(['Content-Security-Policy']);
    expect(headers['Content-Security-Policy']?.[0]).toContain("script-src 'self'");
    expect(headers['Content-Security-Policy']?.[0]).not.toContain('unsafe-inline');
    const permissions = Object.fromEntries(desktop.calls('session', 'permission-request').map((entry) => [entry.args[0], entry.args[1]]));
    expect(permissions).toEqual({ 'clipboard-sanitized-write': true, 'clipboard-read': false, media: false, notifications: false, openExternal: false });

    // The preload exposes one function per contract channel, and nothing else of Electron's.
    const exposed = (await page.evaluate('Object.keys(window.leash).sort()')) as string[];
    expect(exposed).toHaveLength(CHANNELS.length + 1);
    expect(await page.evaluate("typeof window.require + typeof window.ipcRenderer + typeof window.process")).toBe('undefinedundefinedundefined');

    // electron-store (which imports electron itself) keeps the settings in LEASH_HOME/config.json.
    const updated = (await page.evaluate('window.leash.settingsUpdate({ patch: { maxBatchSize: 4 } })')) as { ok: boolean };
    expect(updated.ok).toBe(true);
    expect(JSON.parse(await readFile(join(desktop.home, 'config.json'), 'utf8'))).toMatchObject({ maxBatchSize: 4 });
    expect(await auditEvents(desktop.home)).toContain('APP_STARTED');
    await desktopScreenshot(page, 'started');
  });

  it('refuses a call from a subframe of its own window (the sender check of the built handlers)', async () => {
    const desktop = await launch();
    const page = await desktop.page();
    await page.getByTestId('autonomy-indicator').waitFor();
    await page.evaluate("document.body.appendChild(Object.assign(document.createElement('iframe'), { name: 'intruder' }))");
    const frame = await desktop.waitFor(() => page.frames().find((candidate) => candidate.name() === 'intruder'), 'the subframe');
    // The preload runs in the main frame only, so the subframe has no window.leash ...
    expect(await frame.evaluate('typeof window.leash')).toBe('undefined');
    // ... and a call straight through the bridge is refused by main, not answered.
    const answer = (await frame.evaluate("window.__leashStandInInvoke('app:info', [{}])")) as { value?: { ok: boolean; error?: { code: string } } };
    expect(answer.value).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
  });

  it('lets a second instance quit at once and brings the first one forward', async () => {
    const first = await launch();
    await (await first.page()).getByTestId('autonomy-indicator').waitFor();
    first.send({ kind: 'user-minimize', windowId: 1 });
    await waitForCall(first, 'window:1', 'minimize');
    const focusesBefore = first.calls('window:1', 'focus').length;

    const second = await launch({ home: first.home });
    expect((await second.exited).code).toBe(0);
    expect(lastCall(second, 'app', 'requestSingleInstanceLock')?.args).toEqual([false]);
    expect(second.calls(/^window:/, 'new')).toEqual([]);
    await waitForCall(first, 'window:1', 'restore');
    await waitForCall(first, 'window:1', 'focus', focusesBefore);
    // The first instance is still the one writer of the audit trail.
    expect(first.child.exitCode).toBeNull();
  });

  it('serves the CLI with `cli …` without opening a window or taking the lock', async () => {
    const desktop = await launch({ args: ['cli', 'classify', 'ls -la'] });
    expect((await desktop.exited).code).toBe(0);
    expect(desktop.stdout).toContain('SAFE (allow)');
    expect(desktop.calls(/^window:/, 'new')).toEqual([]);
    expect(desktop.calls('app', 'requestSingleInstanceLock')).toEqual([]);
    expect(desktop.calls('tray', 'new')).toEqual([]);

    const verify = await launch({ args: ['cli', 'audit', 'verify'] });
    expect((await verify.exited).code).toBe(2);
    expect(verify.stderr).toContain('AUDIT_NOT_FOUND');
  });

  it('runs `cli mcp` beside a running app: an agent can reach the installed app through its own binary', async () => {
    const desktop = await launch();
    await (await desktop.page()).getByTestId('autonomy-indicator').waitFor();
    const mcp = await launch({ home: desktop.home, args: ['cli', 'mcp'], stdin: 'pipe' });
    const request = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } };
    mcp.child.stdin?.write(`${JSON.stringify(request)}\n`);
    const line = await mcp.waitFor(() => mcp.stdout.split('\n').find((candidate) => candidate.includes('"id":1')), 'the MCP initialize answer');
    expect(JSON.parse(line)).toMatchObject({ id: 1, result: { serverInfo: { name: expect.stringMatching(/leash/i), version: manifest.version } } });
    expect(mcp.calls(/^window:/, 'new')).toEqual([]);
    mcp.child.stdin?.end();
    expect((await mcp.exited).code).toBe(0);
  });

  it.each([['--remote-debugging-port=9222'], ['--inspect'], ['--inspect-brk=0'], ['-remote-debugging-pipe']])(
    'refuses to start packaged with %s, before any window exists',
    async (flag) => {
      const desktop = await launch({ args: [flag], env: { LEASH_STANDIN_PACKAGED: '1' } });
      expect((await desktop.exited).code).toBe(2);
      expect(desktop.stderr).toContain('DEBUG_SWITCH_REFUSED');
      expect(desktop.stderr).toContain(flag);
      expect(desktop.calls(/^window:/, 'new')).toEqual([]);
      expect(desktop.calls('app', 'requestSingleInstanceLock')).toEqual([]);
    },
  );

  it('refuses a relative LEASH_HOME with a message instead of crashing at load', async () => {
    const desktop = await launch({ env: { LEASH_HOME: 'relative/leash-home' } });
    expect((await desktop.exited).code).toBe(2);
    const box = lastCall(desktop, 'dialog', 'showErrorBox');
    expect(box?.args[0]).toBe('Leash cannot start');
    expect(box?.args[1]).toContain('LEASH_HOME must be an absolute path, but it is "relative/leash-home"');
    expect(desktop.calls('app', 'setPath')).toEqual([]);
  });
});
