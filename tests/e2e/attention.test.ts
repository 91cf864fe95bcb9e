import { writeFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src-main/core/autonomy/token.js';
import { connectControl } from '../../src-main/control/client.js';
import { join } from 'node:path';
import { projectDirectory } from '../core/batch/harness.js';
import { connectIpc } from '../support/ipcClient.js';
import { seedBatches } from '../support/seedBatches.js';
import { launchChromium, screenshot, serve, type Served } from './harness.js';

/**
 * Attention in browser mode, end to end (real `leash serve`, real Chromium): the pending count
 * in the title, the one-time notification offer and the notifications it enables, the notice for
 * a batch that has waited over a minute, and autonomy that ends. Screenshots:
 * test-results/screenshots/attention-*.
 */
let browser: Browser;
let served: Served | undefined;
const project = projectDirectory();

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

/**
 * Records what the page asks of the Notification API (without changing what the browser
 * answers) and lets the test say the tab is hidden, which a headless tab never is by itself.
 */
const RECORD_NOTIFICATIONS = `
  (() => {
    const Real = window.Notification;
    window.__asked = 0;
    window.__shown = [];
    window.__hidden = false;
    class Recording extends Real {
      constructor(title, options) {
        super(title, options);
        window.__shown.push({ title, body: options && options.body });
        window.__lastNotification = this;
      }
      static requestPermission(...args) {
        window.__asked += 1;
        return Real.requestPermission(...args);
      }
    }
    window.Notification = Recording;
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
  })();
`;

interface Opened {
  page: Page;
  context: BrowserContext;
}

async function open(url: string, options: { grant?: boolean; clock?: boolean; viewport?: { width: number; height: number } } = {}): Promise<Opened> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 860 } });
  const origin = new URL(url).origin;
  // Granting anything sets every other permission to denied: the browser's own default
  // ("not asked yet") holds only while nothing is granted.
  if (options.grant) await context.grantPermissions(['notifications'], { origin });
  await context.addInitScript(RECORD_NOTIFICATIONS);
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  page.on('console', (m) => process.env.E2E_CONSOLE && console.log('PAGE', m.type(), m.text()));
  if (options.clock) await page.clock.install({ time: Date.now() });
  await page.goto(url);
  await page.getByTestId('autonomy-indicator').waitFor();
  return { page, context };
}

/** The same state at both sizes, in both themes. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const [width, height] of [[800, 600], [1400, 900]] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `attention-${name}-${width}x${height}-${scheme}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: 'light' });
}

/** An agent's batch over the control socket, as `leash mcp` proposes one (source `mcp:<client>`). */
async function propose(home: string, commands: string[], client = 'claude'): Promise<string> {
  const control = await connectControl(home);
  try {
    const answer = (await control.request('propose', { commands, cwd: project, client, wait: false })) as { batchId: string };
    return answer.batchId;
  } finally {
    control.close();
  }
}

const asked = (page: Page): Promise<number> => page.evaluate('window.__asked');
const shown = (page: Page): Promise<{ title: string; body: string }[]> => page.evaluate('window.__shown');

describe('the page title', () => {
  it('carries the pending count and goes back to "Leash" when nothing waits', async () => {
    served = await serve();
    const { page, context } = await open(served.url);
    expect(await page.title()).toBe('Leash');
    const ipc = await connectIpc(served.url);
    try {
      const ids: string[] = [];
      for (const command of ['echo one', 'echo two']) {
        const created = await ipc.call('batch:create', { entries: [{ command }], cwd: project });
        if (!created.ok) throw new Error(created.error.message);
        ids.push(created.value.id);
      }
      await expect.poll(() => page.title()).toBe('(2) Leash');
      await ipc.call('batch:reject', { id: ids[0] as string });
      await expect.poll(() => page.title()).toBe('(1) Leash');
      await ipc.call('batch:reject', { id: ids[1] as string });
      await expect.poll(() => page.title()).toBe('Leash');
    } finally {
      ipc.close();
      await context.close();
    }
  });
});

describe('notifications in browser mode', () => {
  it('offers them once an agent batch waits, explains why, and asks the browser only after "Enable"', async () => {
    served = await serve();
    const { page, context } = await open(served.url);
    // Nothing to be told about yet: no offer, and the browser was never asked.
    expect(await page.getByTestId('notification-offer').count()).toBe(0);
    await propose(served.home, ['git status']);
    await page.getByTestId('notification-offer').waitFor();
    expect(await page.getByTestId('notification-offer').innerText()).toContain('Leash can notify you when an agent proposes a batch while this tab is in the background');
    expect(await asked(page)).toBe(0);
    await shoot(page, 'notification-offer');
    // The person's click, then the browser's answer (granted here, as if they said yes).
    await context.grantPermissions(['notifications'], { origin: new URL(served.url).origin });
    await page.getByTestId('notification-enable').click();
    await expect.poll(() => page.getByTestId('notification-offer').count()).toBe(0);
    expect(await asked(page)).toBe(1);
    expect(await page.getByTestId('toasts').innerText()).toContain('Notifications are on');
    expect(await page.evaluate("localStorage.getItem('leash.notifications')")).toBe('granted');
    await page.reload();
    await page.getByTestId('autonomy-indicator').waitFor();
    await expect.poll(() => page.title()).toBe('(1) Leash');
    expect(await page.getByTestId('notification-offer').count()).toBe(0);
    expect(await asked(page)).toBe(0);
    await context.close();
  });

  it('remembers "Not now": the offer does not come back and the browser is never asked', async () => {
    served = await serve();
    const { page, context } = await open(served.url);
    await propose(served.home, ['ls']);
    await page.getByTestId('notification-not-now').click();
    await expect.poll(() => page.getByTestId('notification-offer').count()).toBe(0);
    expect(await page.evaluate("localStorage.getItem('leash.notifications')")).toBe('not-now');
    await page.reload();
    await page.getByTestId('autonomy-indicator').waitFor();
    await propose(served.home, ['pwd']);
    await expect.poll(() => page.title()).toBe('(2) Leash');
    expect(await page.getByTestId('notification-offer').count()).toBe(0);
    expect(await asked(page)).toBe(0);
    await context.close();
  });

  it('notifies of a new batch while the tab is hidden (source, count, first command) and opens it on click; not while it is visible', async () => {
    served = await serve();
    const { page, context } = await open(served.url, { grant: true });
    // Permission already granted: nothing to offer.
    await propose(served.home, ['echo visible']);
    await expect.poll(() => page.title()).toBe('(1) Leash');
    expect(await page.getByTestId('notification-offer').count()).toBe(0);
    await page.waitForTimeout(800); // past the settle time: a visible tab is not notified
    expect(await shown(page)).toEqual([]);

    await page.getByTestId('nav-settings').click();
    await page.evaluate('window.__hidden = true');
    const id = await propose(served.home, ['git log --oneline -5', 'git status']);
    await expect.poll(() => shown(page)).toEqual([{ title: 'mcp:claude: 2 commands to review', body: 'git log --oneline -5' }]);
    await page.evaluate('window.__hidden = false; window.__lastNotification.onclick()');
    await expect.poll(() => page.getByTestId('batch-panel').getAttribute('data-batch-id')).toBe(id);
    expect(await page.getByTestId('nav-batches').getAttribute('aria-current')).toBe('page');
    await context.close();
  });

  it('is never offered or asked for in a page that has no Notification API to offer', async () => {
    served = await serve();
    const context = await browser.newContext();
    await context.addInitScript('delete window.Notification;');
    const page = await context.newPage();
    await page.goto(served.url);
    await page.getByTestId('autonomy-indicator').waitFor();
    await propose(served.home, ['ls']);
    await expect.poll(() => page.title()).toBe('(1) Leash');
    expect(await page.getByTestId('notification-offer').count()).toBe(0);
    await context.close();
  });
});

describe('a batch that waits', () => {
  it('shows on every screen once it has waited over a minute, and opens the oldest one', async () => {
    served = await serve();
    // Waiting since before the page opened: stored with its createdAt 4 minutes ago.
    await served.stop();
    // Seeded history: the fourth batch (created 4 minutes ago) is the one still pending.
    const ids = await seedBatches(served.home, 4, { cwd: project, newest: new Date() });
    served = await serve({}, { home: served.home });
    const { page, context } = await open(served.url);
    const notice = page.getByTestId('waiting-notice');
    for (const screen of ['new', 'audit', 'settings', 'batches']) {
      await page.getByTestId(`nav-${screen}`).click();
      await notice.waitFor();
    }
    expect(await page.getByTestId('waiting-text').innerText()).toBe('1 batch waiting 4 min');
    await page.getByTestId('nav-settings').click();
    await shoot(page, 'waiting-settings');

    // Keyboard: Tab reaches Review (right after the header's controls), Enter opens the batch that waits.
    await page.getByTestId('emergency-stop').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('waiting-review');
    await page.keyboard.press('Enter');
    const waiting = await notice.getAttribute('data-batch-id');
    await expect.poll(() => page.getByTestId('batch-panel').getAttribute('data-batch-id')).toBe(waiting);
    expect(waiting).toBe(ids[3]);
    // Reject asks first (with room for a message to the agent).
    await page.getByTestId('reject').click();
    await page.getByTestId('reject-confirm').click();
    await expect.poll(() => notice.count()).toBe(0);
    await context.close();
  });

  it('appears after a minute and counts on as the clock moves (page clock)', async () => {
    served = await serve();
    const { page, context } = await open(served.url, { clock: true });
    await propose(served.home, ['git diff --stat']);
    await expect.poll(() => page.title()).toBe('(1) Leash');
    await page.getByTestId('nav-settings').click();
    expect(await page.getByTestId('waiting-notice').count()).toBe(0);
    await page.clock.fastForward(75_000);
    await page.getByTestId('waiting-notice').waitFor();
    expect(await page.getByTestId('waiting-notice').innerText()).toMatch(/1 min/);
    await page.clock.fastForward(2 * 60_000);
    await expect.poll(() => page.getByTestId('waiting-notice').innerText()).toMatch(/3 min/);
    await context.close();
  });
});

describe('autonomy that ends', () => {
  it('is switched on for the chosen duration and shows the time left, counting down', async () => {
    served = await serve();
    const { page, context } = await open(served.url, { clock: true });
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('autonomy-toggle').click();
    // One hour unless the person chooses otherwise.
    expect(await page.getByTestId('autonomy-duration-1h').isChecked()).toBe(true);
    await page.getByTestId('autonomy-duration-15m').check();
    await shoot(page, 'autonomy-durations');
    await page.getByTestId('autonomy-continue').click();
    const token = (await page.getByTestId('autonomy-token').innerText()).trim();
    await page.getByTestId('autonomy-token-input').fill(token);
    expect(await page.getByTestId('autonomy-confirm').innerText()).toBe('Turn semi-autonomy on for 15 minutes');
    await page.getByTestId('autonomy-confirm').click();
    await expect.poll(() => page.getByTestId('autonomy-indicator').getAttribute('data-state')).toBe('on');
    expect(await page.getByTestId('autonomy-left').innerText()).toBe('15 min left');
    expect(await page.getByTestId('autonomy-lasting').innerText()).toMatch(/^For 15 minutes, until \d\d:\d\d \(15 min left\)\.$/);
    await page.clock.fastForward(3 * 60_000);
    await expect.poll(() => page.getByTestId('autonomy-left').innerText()).toBe('12 min left');
    await shoot(page, 'autonomy-time-left');
    const status = await (async () => {
      const ipc = await connectIpc(served.url);
      try {
        return await ipc.call('autonomy:status', {});
      } finally {
        ipc.close();
      }
    })();
    expect(status).toMatchObject({ ok: true, value: { enabled: true, duration: '15m' } });
    await context.close();
  });

  it('ends on time in main: the page says so with a toast and the indicator goes off', async () => {
    served = await serve();
    await served.stop();
    // Switched on earlier for 15 minutes, with 20 seconds left when Leash starts again.
    const endsAt = new Date(Date.now() + 20_000).toISOString();
    const tokenHash = hashToken('e2e-token');
    await writeFile(join(served.home, 'config.json'), JSON.stringify({ autonomy: { enabled: true, tokenHash, fingerprint: tokenHash.slice(0, 12), duration: '15m', endsAt } }));
    served = await serve({}, { home: served.home });
    const { page, context } = await open(served.url);
    expect(await page.getByTestId('autonomy-indicator').getAttribute('data-state')).toBe('on');
    expect(await page.getByTestId('autonomy-left').innerText()).toBe('1 min left');
    await expect.poll(() => page.getByTestId('autonomy-indicator').getAttribute('data-state'), { timeout: 40_000 }).toBe('off');
    expect(await page.getByTestId('toasts').innerText()).toContain('Semi-autonomy has ended');
    await shoot(page, 'autonomy-ended');
    const ipc = await connectIpc(served.url);
    try {
      const tail = await ipc.call('audit:tail', { limit: 20 });
      if (!tail.ok) throw new Error(tail.error.message);
      const ended = tail.value.filter((item) => item.ok && item.record.event === 'AUTONOMY_DISABLED');
      expect(ended.map((item) => item.ok && item.record.details?.cause)).toEqual(['expired']);
    } finally {
      ipc.close();
    }
    await context.close();
  });
});
