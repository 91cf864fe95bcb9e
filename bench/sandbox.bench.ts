/**
 * Sandbox benchmark: what each profile adds to one entry. Side by side, interleaved round by
 * round on the same machine: raw `bash -c true` (a bare spawn), the runner unsandboxed, and the
 * runner inside each profile (bubblewrap), choosing the profile and building the mount plan per
 * entry as the batch runner does. Medians over rounds; the goal is ≤ 10 ms added per entry.
 * Run with `node --import tsx bench/sandbox.bench.ts` (part of `npm run bench:runner`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Classification } from '../src-main/core/policy/types.js';
import { startEntry } from '../src-main/core/runner/index.js';
import { createSandboxRuntime, detectSandbox, type SandboxChoice } from '../src-main/core/sandbox/index.js';
import { median } from './stats.js';

const ROUNDS = 11;
const PER_ROUND = 10;
const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: homedir() };

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
  const workspace: SandboxChoice = { profile: 'workspace', network: false };

  const sandboxed = (classification: Classification, choice: SandboxChoice) => async (): Promise<void> => {
    const sandbox = runtime.choose({ classification, cwd: project }, choice);
    const wrapped = runtime.wrap(sandbox, project);
    if (!wrapped.ok) throw new Error(wrapped.message);
    const result = await startEntry({ command: 'true', cwd: project, timeoutMs: 60_000, env, wrapper: wrapped.wrapper ?? undefined }).result;
    if (result.outcome !== 'completed') throw new Error(`${sandbox.profile}: ${result.stderr.head}`);
  };
  const variants: Array<[string, () => Promise<void>]> = [
    ['raw bash -c', rawTrue],
    ['unsandboxed', async () => void (await startEntry({ command: 'true', cwd: project, timeoutMs: 60_000, env }).result)],
    ['read-only', sandboxed(allowed, workspace)],
    ['workspace', sandboxed(asked, workspace)],
    ['workspace + network', sandboxed(asked, { profile: 'workspace', network: true })],
    ['full access', sandboxed(asked, { profile: 'full', network: true })],
  ];
  const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  const cpu = new Map<string, number>(variants.map(([name]) => [name, 0]));
  const own = new Map<string, number>(variants.map(([name]) => [name, 0]));
  for (const [, run] of variants) await run(); // warm up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of variants) {
      const start = performance.now();
      const cpuStart = childrenCpuMs();
      const ownStart = process.cpuUsage();
      for (let i = 0; i < PER_ROUND; i++) await run();
      const ownUsed = process.cpuUsage(ownStart);
      own.set(name, (own.get(name) ?? 0) + (ownUsed.user + ownUsed.system) / 1000);
      samples.get(name)?.push((performance.now() - start) / PER_ROUND);
      cpu.set(name, (cpu.get(name) ?? 0) + childrenCpuMs() - cpuStart);
    }
  }
  rmSync(root, { recursive: true, force: true });
  const medians = new Map([...samples].map(([name, values]) => [name, median(values)]));
  const raw = medians.get('raw bash -c') ?? 0;
  const unsandboxed = medians.get('unsandboxed') ?? 0;
  const lines = [`sandbox (${support.kind} ${'version' in support ? support.version : ''}): per entry, median of ${ROUNDS} rounds × ${PER_ROUND} entries of \`true\``];
  lines.push(`  ${'variant'.padEnd(22)}${'ms/entry'.padStart(10)}${'vs unsandboxed'.padStart(16)}${'vs raw'.padStart(10)}${'ratio'.padStart(8)}${'child CPU ms'.padStart(14)}${'Leash CPU ms'.padStart(14)}`);
  const cpuPerEntry = (name: string): number => (cpu.get(name) ?? 0) / (ROUNDS * PER_ROUND);
  for (const [name, value] of medians) {
    const added = (from: number): string => `${value - from >= 0 ? '+' : ''}${(value - from).toFixed(2)}`;
    lines.push(`  ${name.padEnd(22)}${value.toFixed(2).padStart(10)}${added(unsandboxed).padStart(16)}${added(raw).padStart(10)}${(value / raw).toFixed(2).padStart(7)}×${cpuPerEntry(name).toFixed(2).padStart(14)}${((own.get(name) ?? 0) / (ROUNDS * PER_ROUND)).toFixed(2).padStart(14)}`);
  }
  lines.push(`  load average while measuring: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (wall times grow with it; child CPU time does not)`);
  const worst = Math.max(...[...medians].filter(([name]) => !['raw bash -c', 'unsandboxed'].includes(name)).map(([, value]) => value - unsandboxed));
  lines.push(`  worst profile adds ${worst.toFixed(2)} ms per entry over the unsandboxed runner (goal ≤ 10 ms): ${worst <= 10 ? 'met' : 'NOT met'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
