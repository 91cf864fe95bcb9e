/**
 * Leash at scale (issue #13 item 7): histories generated with the project's own writers (audit
 * records sealed by the audit's record writer and sealed once by a real writer; batches proposed
 * through the real service and stored through the real batch store), then, for each history and
 * for an empty data directory measured in the same rounds (round-robin, so load on the shared
 * machine hits all alike), medians of whole-process figures:
 *   - `leash serve` start → first page served (the HTML over HTTP), then its first `batch:list`
 *     over the WebSocket, and serve's peak RSS;
 *   - `leash batches` and `leash run` of one `true`, whole process, wall and CPU time (user+sys), peak RSS;
 *   - bytes the batch store writes for one 10-entry batch printing 1.1 MB (in process, exact, the
 *     index head included);
 *   - the batch list in real Chromium (bench/uiListRound.ts) over 10,000 stored batches against
 *     10 stored batches, interleaved: first render, long tasks while it loads and while one
 *     3-entry batch runs;
 *   - CLI cold start (`leash classify "git status"`, `leash run` of one `true`) against `node -e 0`.
 * The load average is printed with every table. Run `npm run bench:scale [-- --runs N] [-- --full]
 * [-- --quick]` (--full adds 1M audit records and the UI over 1,000 batches; --quick measures only
 * the smallest history of each kind and skips the UI). Uses the built CLI and renderer
 * (`npm run build:cli && npm run build` first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditWriter, type AuditEventInput } from '../src-main/core/audit/index.js';
import { writeCheckpoint } from '../src-main/core/audit/checkpoint.js';
import { GENESIS_HASH } from '../src-main/core/audit/events.js';
import { sealRecord } from '../src-main/core/audit/recordLine.js';
import { createHarness } from '../tests/core/batch/harness.js';
import { connectIpc } from '../tests/support/ipcClient.js';
import { sandboxTestRoot } from '../tests/support/sandboxTestRoot.js';
import { seedBatches } from '../tests/support/seedBatches.js';
import { launchBrowser, serve as serveForBrowser } from '../tests/e2e/harness.js';
import { median } from './stats.js';
import { round as uiRound, type Round as UiRound } from './uiListRound.js';

const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1]) || 3;
const full = argv.includes('--full');
/** `--quick`: the smallest history of each kind, to check the bench itself. */
const quick = argv.includes('--quick');
/** LEASH_BENCH_BIN measures another build (e.g. main's, for a before/after figure); --no-ui skips Chromium. */
const LEASH = process.env.LEASH_BENCH_BIN ?? join(process.cwd(), 'bin', 'leash.js');
const withUi = !argv.includes('--no-ui');
const root = mkdtempSync(join(tmpdir(), 'leash-bench-scale-'));
const project = mkdtempSync(join(sandboxTestRoot(), 'leash-bench-scale-project-'));

interface History {
  name: string;
  home: string;
}

/** Audit records as a long history holds them: mostly finished entries. */
function record(i: number): AuditEventInput {
  return {
    event: 'ENTRY_FINISHED',
    batchId: `batch-${Math.floor(i / 10)}`,
    entryId: `entry-${i}`,
    tool: 'shell',
    command: `npm test -- --filter "suite ${i}" && git status --short`,
    verdict: 'allow',
    approvedBy: 'manual',
    exitCode: 0,
    durationMs: 1200 + (i % 97),
    stdoutSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    stdoutBytes: 4096 + i,
  };
}

/** `count` records chained by the audit's own record writer, the checkpoint, then one real writer open (it seals them). */
async function auditHistory(home: string, count: number): Promise<void> {
  mkdirSync(home, { recursive: true });
  const path = join(home, 'audit.jsonl');
  const handle = await open(path, 'w', 0o600);
  let head = { seq: 0, hash: GENESIS_HASH, ts: '' };
  let offset = 0;
  let chunk: string[] = [];
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  for (let i = 0; i < count; i++) {
    const { record: sealed, line } = sealRecord({ ...record(i) }, { seq: head.seq + 1, ts: new Date(start + i * 1000).toISOString(), prevHash: head.hash });
    chunk.push(line);
    offset += Buffer.byteLength(line);
    head = { seq: sealed.seq, hash: sealed.hash, ts: sealed.ts };
    if (chunk.length === 10_000) {
      await handle.write(chunk.join(''));
      chunk = [];
    }
  }
  await handle.write(chunk.join(''));
  await handle.close();
  await writeCheckpoint(path, { ...head, offset });
  const writer = await openAuditWriter(path, { sealing: {} });
  await writer.close();
}

/** The load average (1, 5, 15 minutes), as `uptime` prints it. */
const load = (): string => `load average ${loadavg().map((n) => n.toFixed(2)).join(', ')}`;

/** Wall time, CPU time (user+sys) and peak RSS in MiB of one whole process (GNU time reports CPU and the peak). */
function timed(args: string[], env: NodeJS.ProcessEnv): { ms: number; cpuMs: number; rssMiB: number } {
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], cwd: project });
  const ms = performance.now() - started;
  const lines = run.stderr.toString().trim().split('\n');
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed (${run.status}): ${lines.slice(-5).join('\n')}`);
  const [rss, user, sys] = (lines.at(-1) ?? '').split(' ').map(Number);
  return { ms, cpuMs: ((user ?? NaN) + (sys ?? NaN)) * 1000, rssMiB: (rss ?? NaN) / 1024 };
}

/** `leash serve`: spawn → the page served; then the first `batch:list` page; serve's peak RSS. */
async function serve(home: string): Promise<{ firstPageMs: number; listMs: number; rssMiB: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [LEASH, 'serve', '--port', '0'], { env: { ...process.env, LEASH_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const found = /http:\/\/127\.0\.0\.1:\d+\/\S+/.exec(output);
        if (found) {
          clearInterval(timer);
          resolve(found[0]);
        }
      }, 2);
      child.once('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`serve exited (${code}): ${output}`));
      });
    });
    const page = await fetch(url);
    await page.text();
    const firstPageMs = performance.now() - started;
    if (!page.ok) throw new Error(`serve answered ${page.status}`);
    const ipc = await connectIpc(url);
    const asked = performance.now();
    // What the UI asks first: the newest page and the pending batches.
    const [list, waiting] = await Promise.all([ipc.call('batch:list', { limit: 100 }), ipc.call('batch:list', { status: ['pending'], limit: 200 })]);
    const listMs = performance.now() - asked;
    if (!list.ok) throw new Error(`batch:list failed: ${list.error.message}`);
    if (!waiting.ok) throw new Error(`batch:list failed: ${waiting.error.message}`);
    ipc.close();
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssMiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
    return { firstPageMs, listMs, rssMiB };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** Bytes the store writes for one 10-entry batch printing 1.1 MB, over this history (exact, in process). */
async function bytesPerBatch(home: string): Promise<{ bytes: number; output: number }> {
  // A copy of the batches with an audit trail of its own: the history stays as it was.
  const dir = mkdtempSync(join(root, 'bytes-'));
  if (existsSync(join(home, 'batches'))) cpSync(join(home, 'batches'), join(dir, 'batches'), { recursive: true });
  const h = await createHarness({ dir });
  try {
    const entryBytes = 112_640;
    const batch = await h.service.create({ cwd: project, entries: Array.from({ length: 10 }, () => ({ command: `head -c ${entryBytes} /dev/zero | tr '\\0' x` })) });
    const before = h.store.bytesWritten;
    await h.service.approve(batch.id);
    await h.service.run(batch.id);
    const done = await h.service.whenSettled(batch.id);
    await h.service.idle();
    // The index head it leaves for the next start counts too.
    await h.store.close();
    if (done.status !== 'completed') throw new Error(`the output batch ended ${done.status}`);
    return { bytes: h.store.bytesWritten - before, output: 10 * entryBytes };
  } finally {
    await h.close();
  }
}

/**
 * The batch list in Chromium over 10,000 stored batches (and 1,000 with --full) against 10,
 * each served by its own `leash serve`, rounds interleaved across the sizes.
 */
async function uiFigures(): Promise<void> {
  if (!existsSync('out/renderer/index.html')) throw new Error('build the renderer first: npm run build');
  const sizes = full ? [10, 1_000, 10_000] : [10, 10_000];
  const served: { size: number; url: string; stop(): Promise<unknown> }[] = [];
  const results = new Map<number, UiRound[]>(sizes.map((size) => [size, []]));
  const loads: string[] = [load()];
  const browser = await launchBrowser();
  try {
    for (const size of sizes) {
      const home = join(root, `ui-${size}`);
      await seedBatches(home, size, { cwd: project });
      const server = await serveForBrowser({}, { home });
      served.push({ size, url: server.url, stop: server.stop });
      // A first page each, unmeasured: the first start over a seeded directory recovers its approved batches.
      await uiRound(browser, server.url, project);
    }
    const rounds = Math.max(3, runs);
    for (let i = 0; i < rounds; i++) {
      for (const { size, url } of served) results.get(size)!.push(await uiRound(browser, url, project));
      loads.push(load());
      console.error(`UI round ${i + 1}/${rounds} done (${load()})`);
    }
  } finally {
    await browser.close();
    for (const server of served) await server.stop();
  }
  type Key = 'firstRenderMs' | 'loadLongTasks' | 'loadLongestMs' | 'runLongTasks' | 'runLongestMs' | 'domNodes' | 'listBytes';
  const med = (size: number, key: Key): number => median(results.get(size)!.map((r) => r[key]));
  const base = sizes[0]!;
  const widths = [16, 16, 18, 18, 18, 18, 12, 16];
  console.log(`\nBatch list in Chromium: medians of ${results.get(base)!.length} rounds, ratio to ${base} stored batches measured in the same rounds`);
  console.log(`(${loads.join(' → ')})`);
  console.log(line(['stored batches', 'first render', 'load long tasks', 'load longest task', 'run long tasks', 'run longest task', 'DOM nodes', '1st list bytes'], widths));
  for (const size of sizes) {
    const cell = (key: Key, unit: string): string => {
      const value = med(size, key);
      const against = med(base, key);
      return size === base || against === 0 ? `${value}${unit}` : `${value}${unit} (${ratio(value, against)})`;
    };
    console.log(line([size.toLocaleString('en'), cell('firstRenderMs', ' ms'), cell('loadLongTasks', ''), cell('loadLongestMs', ' ms'), cell('runLongTasks', ''), cell('runLongestMs', ' ms'), cell('domNodes', ''), cell('listBytes', ' B')], widths));
  }
  const largest = sizes.at(-1)!;
  const all = results.get(largest)!;
  const longestRun = Math.max(...all.map((r) => r.runLongestMs));
  console.log(`goal first render <= 300 ms at ${largest.toLocaleString('en')}: median ${med(largest, 'firstRenderMs')} ms ${med(largest, 'firstRenderMs') <= 300 ? 'MET' : 'MISSED'} (at ${base}: ${med(base, 'firstRenderMs')} ms)`);
  console.log(`goal no task > 50 ms while a batch runs at ${largest.toLocaleString('en')}: longest ${longestRun} ms over ${all.length} rounds ${longestRun <= 50 ? 'MET' : 'MISSED'}`);
  console.log(`goal a running batch costs the same long tasks at ${largest.toLocaleString('en')} as at ${base}: median ${med(largest, 'runLongTasks')} against ${med(base, 'runLongTasks')} ${med(largest, 'runLongTasks') <= med(base, 'runLongTasks') ? 'MET' : 'MISSED'}`);
}

const line = (cells: string[], widths: number[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
const ratio = (value: number, base: number): string => `${(value / base).toFixed(2)}×`;

async function main(): Promise<void> {
  const histories: History[] = [{ name: 'empty', home: join(root, 'empty') }];
  mkdirSync(histories[0]!.home, { recursive: true });
  for (const count of quick ? [1_000] : [1_000, 10_000, 100_000, ...(full ? [1_000_000] : [])]) {
    const home = join(root, `audit-${count}`);
    const started = performance.now();
    await auditHistory(home, count);
    console.error(`generated ${count} audit records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    histories.push({ name: `${count.toLocaleString('en')} audit records`, home });
  }
  for (const count of quick ? [100] : [100, 1_000, 10_000]) {
    const home = join(root, `batches-${count}`);
    const started = performance.now();
    await seedBatches(home, count, { cwd: project });
    console.error(`generated ${count} batches in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    histories.push({ name: `${count.toLocaleString('en')} batches`, home });
  }
  const batchFile = join(project, 'true.json');
  writeFileSync(batchFile, JSON.stringify({ entries: [{ command: 'true' }], cwd: project }));
  // One warm-up start each: the first start over a seeded directory recovers its approved batches.
  for (const history of histories) await serve(history.home);

  type Sample = { page: number; list: number; serveRss: number; batches: number; batchesCpu: number; batchesRss: number; run: number; runCpu: number; runRss: number };
  const samples = new Map<string, Sample[]>(histories.map((h) => [h.name, []]));
  const loads: string[] = [load()];
  for (let round = 0; round < runs; round++) {
    for (const history of histories) {
      const env = { ...process.env, LEASH_HOME: history.home };
      const served = await serve(history.home);
      const listed = timed([LEASH, 'batches'], env);
      const ran = timed([LEASH, 'run', batchFile, '--yes'], env);
      samples.get(history.name)!.push({
        page: served.firstPageMs,
        list: served.listMs,
        serveRss: served.rssMiB,
        batches: listed.ms,
        batchesCpu: listed.cpuMs,
        batchesRss: listed.rssMiB,
        run: ran.ms,
        runCpu: ran.cpuMs,
        runRss: ran.rssMiB,
      });
    }
    loads.push(load());
    console.error(`round ${round + 1}/${runs} done (${load()})`);
  }
  const bytes = new Map<string, { bytes: number; output: number }>();
  for (const history of histories.filter((h) => h.name === 'empty' || h.name.endsWith('batches'))) bytes.set(history.name, await bytesPerBatch(history.home));

  const med = (name: string, key: keyof Sample): number => median(samples.get(name)!.map((s) => s[key]));
  const widths = [22, 16, 20, 22, 22, 11, 13, 11, 20];
  console.log(`\nLeash at scale: medians of ${runs} rounds, ratio to the empty data directory measured in the same rounds`);
  console.log(`(${loads.join(' → ')}; wall ms / CPU ms for the CLI)`);
  console.log(line(['history', 'serve → 1st page', 'UI 1st batch:list', 'leash batches', 'leash run true', 'serve RSS', 'batches RSS', 'run RSS', 'bytes / 1.1 MB batch'], widths));
  const empty = 'empty';
  const fmt = (value: number, unit: 'ms' | 'MiB'): string => value.toFixed(unit === 'ms' ? 0 : 1);
  for (const history of histories) {
    const n = history.name;
    const b = bytes.get(n);
    const cell = (key: keyof Sample, unit: 'ms' | 'MiB'): string => (n === empty ? `${fmt(med(n, key), unit)} ${unit}` : `${fmt(med(n, key), unit)} (${ratio(med(n, key), med(empty, key))})`);
    const cpuCell = (wall: keyof Sample, cpu: keyof Sample): string =>
      n === empty ? `${fmt(med(n, wall), 'ms')} / ${fmt(med(n, cpu), 'ms')} ms` : `${fmt(med(n, wall), 'ms')}/${fmt(med(n, cpu), 'ms')} (${ratio(med(n, wall), med(empty, wall))}/${ratio(med(n, cpu), med(empty, cpu))})`;
    const bytesCell = b ? (n === empty ? `${(b.bytes / 1e6).toFixed(2)} MB (${(b.bytes / b.output).toFixed(2)}× out)` : `${(b.bytes / 1e6).toFixed(2)} MB (${ratio(b.bytes, bytes.get(empty)!.bytes)})`) : '';
    console.log(line([n, cell('page', 'ms'), cell('list', 'ms'), cpuCell('batches', 'batchesCpu'), cpuCell('run', 'runCpu'), cell('serveRss', 'MiB'), cell('batchesRss', 'MiB'), cell('runRss', 'MiB'), bytesCell], widths));
  }
  const GOAL = 1.5;
  const worst = histories.filter((h) => h.name !== empty).flatMap((h) => (['page', 'list', 'batches', 'batchesCpu', 'run', 'runCpu', 'serveRss', 'batchesRss', 'runRss'] as const).map((key) => ({ name: `${h.name}: ${key}`, ratio: med(h.name, key) / med(empty, key) })));
  const missed = worst.filter((w) => w.ratio > GOAL);
  console.log(`goal every history-dependent figure <= ${GOAL}× the empty directory: ${missed.length === 0 ? 'MET' : `MISSED by ${missed.map((w) => `${w.name} ${w.ratio.toFixed(2)}×`).join(', ')}`}`);

  if (!quick && withUi) await uiFigures();

  // CLI cold start against `node -e 0`, round-robin over an empty data directory.
  const env = { ...process.env, LEASH_HOME: join(root, 'cold') };
  const cold = [
    { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
    { name: 'leash classify "git status"', args: [LEASH, 'classify', 'git status'] },
    { name: 'leash run (one `true`, --yes)', args: [LEASH, 'run', batchFile, '--yes'] },
  ];
  const coldSamples = cold.map(() => [] as number[]);
  for (let round = 0; round < Math.max(5, runs); round++) {
    cold.forEach((c, i) => {
      const started = performance.now();
      const run = spawnSync(process.execPath, c.args, { env, stdio: ['ignore', 'ignore', 'pipe'], cwd: project });
      if (run.status !== 0) throw new Error(`${c.name} failed: ${run.stderr}`);
      coldSamples[i]!.push(performance.now() - started);
    });
  }
  const base = median(coldSamples[0]!);
  console.log(`\nCLI cold start, whole process, medians of ${Math.max(5, runs)} rounds`);
  cold.forEach((c, i) => console.log(line([c.name, `${median(coldSamples[i]!).toFixed(0)} ms`, ratio(median(coldSamples[i]!), base)], [32, 10, 8])));
}

try {
  await main();
} finally {
  rmSync(root, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
}
