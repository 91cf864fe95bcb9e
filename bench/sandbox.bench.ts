/**
 * Sandbox benchmark: what each profile adds to one entry, measured side by side, interleaved
 * round by round on the same machine, medians over rounds. Two views:
 * - **runner**: raw `bash -c true` (a bare spawn), the runner unsandboxed, and the runner inside
 *   each profile with a fresh bubblewrap sandbox per entry (mount plan built per entry, as at an
 *   entry's turn); this is what one sandbox costs, with nothing hidden behind anything else;
 * - **batch runner** (what a person waits for): batches of `exit 0` (a builtin, as `true` is, but one
 *   the policy asks about, so a person's profile choice applies) through the real batch service
 *   (atomic state, fsync'd audit), unsandboxed against each profile, where the next entry's
 *   sandbox is set up while one runs (execution.ts, prepareAhead); and once more for workspace
 *   with that switched off, the cost before it.
 * The goal (issue #8, item 9) is ≤ 10 ms added per entry over the unsandboxed runner.
 * Run with `node --import tsx bench/sandbox.bench.ts` (part of `npm run bench:runner`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditWriter, type AuditWriter } from '../src-main/core/audit/index.js';
import { createBatchService, createBatchStore, type BatchService } from '../src-main/core/batch/index.js';
import { createPolicyEngine, type PolicyEngine } from '../src-main/core/policy/index.js';
import type { Classification } from '../src-main/core/policy/types.js';
import { createEntryRegistry, prepareEntry, startEntry } from '../src-main/core/runner/index.js';
import { createSandboxRuntime, detectSandbox, type SandboxChoice, type SandboxSupport } from '../src-main/core/sandbox/index.js';
import { createSettingsStore, memorySettingsBackend } from '../src-main/core/settings/store.js';
import { median } from './stats.js';

const ROUNDS = 11;
const PER_ROUND = 10;
const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: homedir() };
const NO_SANDBOX: SandboxSupport = { ok: false, code: 'UNSUPPORTED_PLATFORM', message: 'the unsandboxed baseline', fix: '' };

function rawTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/bash', ['-c', 'true'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/**
 * CPU time (user + system, ms) of every child this process has waited for, from /proc: the
 * part of the cost that a loaded machine does not inflate, since waiting for a core is not in it.
 */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'latin1').replace(/^.*\) /s, '').split(' ');
  // Fields 16 and 17 of stat(5) (cutime, cstime), counted after the command name: index 13 and 14.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

interface Variant {
  name: string;
  /** Runs PER_ROUND entries. */
  run(): Promise<void>;
}

interface Measured {
  wall: number;
  child: number;
  own: number;
}

/** Interleaved rounds: every variant once per round, in order; medians of wall, totals of CPU. */
async function measure(variants: Variant[]): Promise<Map<string, Measured>> {
  const wall = new Map<string, number[]>(variants.map(({ name }) => [name, []]));
  const child = new Map<string, number>(variants.map(({ name }) => [name, 0]));
  const own = new Map<string, number>(variants.map(({ name }) => [name, 0]));
  for (const { run } of variants) await run(); // warm up
  for (let round = 0; round < ROUNDS; round++) {
    for (const { name, run } of variants) {
      const start = performance.now();
      const childStart = childrenCpuMs();
      const ownStart = process.cpuUsage();
      await run();
      const ownUsed = process.cpuUsage(ownStart);
      own.set(name, (own.get(name) ?? 0) + (ownUsed.user + ownUsed.system) / 1000);
      wall.get(name)?.push((performance.now() - start) / PER_ROUND);
      child.set(name, (child.get(name) ?? 0) + childrenCpuMs() - childStart);
    }
  }
  const entries = ROUNDS * PER_ROUND;
  return new Map(variants.map(({ name }) => [name, { wall: median(wall.get(name) ?? []), child: (child.get(name) ?? 0) / entries, own: (own.get(name) ?? 0) / entries }]));
}

function table(title: string, results: Map<string, Measured>, baseline: string, raw: string | null): string[] {
  const base = results.get(baseline)?.wall ?? 0;
  const lines = [title, `  ${'variant'.padEnd(34)}${'ms/entry'.padStart(10)}${'added'.padStart(9)}${raw ? 'vs raw'.padStart(9) : ''}${'child CPU ms'.padStart(14)}${'Leash CPU ms'.padStart(14)}`];
  const rawWall = raw ? results.get(raw)?.wall ?? 0 : 0;
  const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
  for (const [name, value] of results) {
    lines.push(
      `  ${name.padEnd(34)}${value.wall.toFixed(2).padStart(10)}${signed(value.wall - base).padStart(9)}${raw ? signed(value.wall - rawWall).padStart(9) : ''}${value.child.toFixed(2).padStart(14)}${value.own.toFixed(2).padStart(14)}`,
    );
  }
  lines.push(`  "added" is against ${baseline}; load average after this table: ${loadAverage()}`);
  return lines;
}

async function batchService(root: string, support: SandboxSupport, engine: PolicyEngine, prepare: boolean): Promise<{ service: BatchService; audit: AuditWriter; project: string }> {
  const project = join(root, 'project');
  mkdirSync(join(project, '.git'), { recursive: true });
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  const auditPath = join(dataDir, 'audit.jsonl');
  const audit = await openAuditWriter(auditPath);
  const registry = createEntryRegistry();
  const service = await createBatchService({
    store: createBatchStore(join(dataDir, 'batches')),
    settings: createSettingsStore(memorySettingsBackend()),
    engine,
    audit,
    start: (request, hooks) => startEntry(request, hooks, { registry }),
    prepare: prepare ? (request) => prepareEntry(request, { registry }) : undefined,
    killAll: () => registry.killAll(),
    env,
    sandbox: createSandboxRuntime({ support, home: homedir(), env, state: () => ({ dataDir, auditPath }) }),
  });
  return { service, audit, project };
}

async function main(): Promise<void> {
  const support = await detectSandbox();
  if (!support.ok) {
    process.stdout.write(`sandbox benchmark skipped: ${support.message} ${support.fix}\n`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'leash-bench-sandbox-'));
  const project = join(root, 'project');
  mkdirSync(join(project, '.git'), { recursive: true });
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  const runtime = createSandboxRuntime({ support, home: homedir(), env, state: () => ({ dataDir, auditPath: join(dataDir, 'audit.jsonl') }) });
  const allowed: Classification = { verdict: 'allow', score: 100, requiresManual: false, reasons: [], programs: [], commands: [] };
  const asked: Classification = { ...allowed, verdict: 'ask', score: 50, requiresManual: true };
  const profiles: Array<[string, Classification, SandboxChoice]> = [
    ['read-only', allowed, { profile: 'workspace', network: false }],
    ['workspace', asked, { profile: 'workspace', network: false }],
    ['workspace + network', asked, { profile: 'workspace', network: true }],
    ['full access', asked, { profile: 'full', network: true }],
  ];
  const repeat = (once: () => Promise<void>) => async (): Promise<void> => {
    for (let i = 0; i < PER_ROUND; i++) await once();
  };

  // The runner, a fresh sandbox per entry: the profile is chosen once (at approval), the mount plan built per entry (at its turn).
  const runnerVariants: Variant[] = [
    { name: 'raw bash -c', run: repeat(rawTrue) },
    { name: 'unsandboxed runner', run: repeat(async () => void (await startEntry({ command: 'true', cwd: project, timeoutMs: 60_000, env }).result)) },
    ...profiles.map(([name, classification, choice]): Variant => {
      const sandbox = runtime.choose({ classification, cwd: project }, choice);
      return {
        name: `${name}, fresh sandbox`,
        run: repeat(async () => {
          const wrapped = runtime.wrap(sandbox, project);
          if (!wrapped.ok) throw new Error(wrapped.message);
          const result = await startEntry({ command: 'true', cwd: project, timeoutMs: 60_000, env, wrapper: wrapped.wrapper ?? undefined }).result;
          if (result.outcome !== 'completed') throw new Error(`${sandbox.profile}: ${result.stderr.head}`);
        }),
      };
    }),
  ];
  const runner = await measure(runnerVariants);

  // The batch runner: real service, state and audit; the next entry's sandbox prepared while one runs.
  const engine = await createPolicyEngine();
  const unsandboxed = await batchService(mkdtempSync(join(tmpdir(), 'leash-bench-batch-')), NO_SANDBOX, engine, false);
  const prepared = await batchService(mkdtempSync(join(tmpdir(), 'leash-bench-batch-')), support, engine, true);
  const fresh = await batchService(mkdtempSync(join(tmpdir(), 'leash-bench-batch-')), support, engine, false);
  const batchOf = (which: typeof prepared, choice: SandboxChoice | undefined, expected: string) => async (): Promise<void> => {
    const batch = await which.service.create({ cwd: which.project, entries: Array.from({ length: PER_ROUND }, () => ({ command: 'exit 0' })) });
    await which.service.approve(batch.id, choice ? { sandbox: choice, run: true } : { run: true });
    const done = await which.service.whenSettled(batch.id);
    if (done.status !== 'completed') throw new Error(`batch ended ${done.status}: ${done.entries.map((e) => e.note).join('; ')}`);
    const profile = done.entries[0]?.sandbox?.profile;
    if (profile !== expected) throw new Error(`expected ${expected} entries, got ${profile}`);
  };
  const choices: Array<[string, SandboxChoice, string]> = [
    ['read-only', { profile: 'read-only', network: false }, 'read-only'],
    ['workspace', { profile: 'workspace', network: false }, 'workspace'],
    ['workspace + network', { profile: 'workspace', network: true }, 'workspace'],
    ['full access', { profile: 'full', network: true }, 'full'],
  ];
  const batchVariants: Variant[] = [
    { name: 'unsandboxed batch runner', run: batchOf(unsandboxed, undefined, 'unsandboxed') },
    ...choices.map(([name, choice, expected]): Variant => ({ name: `${name}, prepared ahead`, run: batchOf(prepared, choice, expected) })),
    { name: 'workspace, fresh sandbox (before)', run: batchOf(fresh, { profile: 'workspace', network: false }, 'workspace') },
  ];
  const batches = await measure(batchVariants);
  for (const { service, audit } of [unsandboxed, prepared, fresh]) {
    await service.idle();
    await audit.close();
  }
  rmSync(root, { recursive: true, force: true });

  const lines = [`sandbox (${support.kind} ${'version' in support ? support.version : ''}): per entry, median of ${ROUNDS} rounds × ${PER_ROUND} entries (\`true\`; \`exit 0\` in batches), variants interleaved`];
  lines.push(...table('runner, a fresh sandbox per entry:', runner, 'unsandboxed runner', 'raw bash -c'));
  lines.push(...table('batch runner (service, state, fsync’d audit), next sandbox prepared while one runs:', batches, 'unsandboxed batch runner', null));
  const worst = (results: Map<string, Measured>, baseline: string, suffix: string): number =>
    Math.max(...[...results].filter(([name]) => name.endsWith(suffix)).map(([, value]) => value.wall - (results.get(baseline)?.wall ?? 0)));
  const worstPrepared = worst(batches, 'unsandboxed batch runner', 'prepared ahead');
  const worstFresh = worst(runner, 'unsandboxed runner', 'fresh sandbox');
  lines.push(`  worst profile, fresh sandbox per entry: adds ${worstFresh.toFixed(2)} ms per entry over the unsandboxed runner`);
  lines.push(`  worst profile, batch runner with the next sandbox prepared: adds ${worstPrepared.toFixed(2)} ms per entry over the unsandboxed batch runner (goal ≤ 10 ms): ${worstPrepared <= 10 ? 'met' : 'NOT met'}`);
  lines.push(`  load average at the end: ${loadAverage()} (wall times grow with it; CPU times do not)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
