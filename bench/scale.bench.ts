/**
 * Leash at scale (issue #13 item 7): histories generated with the project's own writers (audit
 * records sealed by the audit's record writer and sealed once by a real writer; batches proposed
 * through the real service and stored through the real batch store), then, for each history and
 * for an empty data directory measured in the same rounds (round-robin, so load on the shared
 * machine hits all alike), medians of whole-process figures:
 *   - `leash serve` start → first page served (the HTML over HTTP), then its first `batch:list`
 *     over the WebSocket, and serve's peak RSS;
 *   - `leash batches` and `leash run` of one `true`, whole process, with peak RSS;
 *   - bytes the batch store writes for one 10-entry batch printing 1.1 MB (in process, exact);
 *   - CLI cold start (`leash classify "git status"`, `leash run` of one `true`) against `node -e 0`.
 * Run `npm run bench:scale [-- --runs N] [-- --full] [-- --quick]` (--full adds 1M audit records;
 * --quick measures only the smallest history of each kind). Uses the built CLI (`npm run build:cli` first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditWriter, type AuditEventInput } from '../src-main/core/audit/index.js';
import { writeCheckpoint } from '../src-main/core/audit/checkpoint.js';
import { GENESIS_HASH } from '../src-main/core/audit/events.js';
import { sealRecord } from '../src-main/core/audit/recordLine.js';
import { createHarness } from '../tests/core/batch/harness.js';
import { connectIpc } from '../tests/support/ipcClient.js';
import { sandboxTestRoot } from '../tests/support/sandboxTestRoot.js';
import { seedBatches } from '../tests/support/seedBatches.js';
import { median } from './stats.js';

const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1]) || 3;
const full = argv.includes('--full');
/** `--quick`: the smallest history of each kind, to check the bench itself. */
const quick = argv.includes('--quick');
const LEASH = join(process.cwd(), 'bin', 'leash.js');
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

/** Peak RSS in MiB and wall time of one whole process (GNU time reports the peak). */
function timed(args: string[], env: NodeJS.ProcessEnv): { ms: number; rssMiB: number } {
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], cwd: project });
  const ms = performance.now() - started;
  const lines = run.stderr.toString().trim().split('\n');
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed (${run.status}): ${lines.slice(-5).join('\n')}`);
  return { ms, rssMiB: Number(lines.at(-1)) / 1024 };
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
    const list = await ipc.call('batch:list', { limit: 50 });
    const listMs = performance.now() - asked;
    if (!list.ok) throw new Error(`batch:list failed: ${list.error.message}`);
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
    if (done.status !== 'completed') throw new Error(`the output batch ended ${done.status}`);
    return { bytes: h.store.bytesWritten - before, output: 10 * entryBytes };
  } finally {
    await h.close();
  }
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

  type Sample = { page: number; list: number; serveRss: number; batches: number; batchesRss: number; run: number; runRss: number };
  const samples = new Map<string, Sample[]>(histories.map((h) => [h.name, []]));
  for (let round = 0; round < runs; round++) {
    for (const history of histories) {
      const env = { ...process.env, LEASH_HOME: history.home };
      const served = await serve(history.home);
      const listed = timed([LEASH, 'batches'], env);
      const ran = timed([LEASH, 'run', batchFile, '--yes'], env);
      samples.get(history.name)!.push({ page: served.firstPageMs, list: served.listMs, serveRss: served.rssMiB, batches: listed.ms, batchesRss: listed.rssMiB, run: ran.ms, runRss: ran.rssMiB });
    }
    console.error(`round ${round + 1}/${runs} done`);
  }
  const bytes = new Map<string, { bytes: number; output: number }>();
  for (const history of histories.filter((h) => h.name === 'empty' || h.name.endsWith('batches'))) bytes.set(history.name, await bytesPerBatch(history.home));

  const med = (name: string, key: keyof Sample): number => median(samples.get(name)!.map((s) => s[key]));
  const widths = [22, 18, 16, 18, 18, 12, 12, 12, 20];
  console.log(`\nLeash at scale: medians of ${runs} rounds, ratio to the empty data directory measured in the same rounds`);
  console.log(line(['history', 'serve → 1st page', '1st batch:list', 'leash batches', 'leash run true', 'serve RSS', 'batches RSS', 'run RSS', 'bytes / 1.1 MB batch'], widths));
  const empty = 'empty';
  for (const history of histories) {
    const n = history.name;
    const b = bytes.get(n);
    const cell = (key: keyof Sample, unit: 'ms' | 'MiB'): string =>
      n === empty ? `${med(n, key).toFixed(unit === 'ms' ? 0 : 1)} ${unit}` : `${med(n, key).toFixed(unit === 'ms' ? 0 : 1)} (${ratio(med(n, key), med(empty, key))})`;
    const bytesCell = b ? (n === empty ? `${(b.bytes / 1e6).toFixed(2)} MB (${(b.bytes / b.output).toFixed(2)}× out)` : `${(b.bytes / 1e6).toFixed(2)} MB (${ratio(b.bytes, bytes.get(empty)!.bytes)})`) : '';
    console.log(line([n, cell('page', 'ms'), cell('list', 'ms'), cell('batches', 'ms'), cell('run', 'ms'), cell('serveRss', 'MiB'), cell('batchesRss', 'MiB'), cell('runRss', 'MiB'), bytesCell], widths));
  }

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
