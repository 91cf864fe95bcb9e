/**
 * CLI cold start: whole-process wall time and CPU time (user + system, children included) of
 * short-lived `leash` commands against `node -e 0`, run round-robin (one of each per round) so
 * load on a shared machine hits all of them alike. CPU time is what load does not inflate.
 * Run with `npm run bench:cli [-- --rounds N] [-- --before OTHER/bin/leash.js]`; `--before`
 * adds another build's launcher (a checkout of main, say) to the same rounds, for before/after.
 * Prints medians and ratios to the baseline. Goals (issue #13): `leash classify` ≤ 0.35 s and
 * `leash run` of one `true` ≤ 0.5 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './stats.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

const rounds = Number(option('--rounds')) || 11;
const before = option('--before');
const home = mkdtempSync(join(tmpdir(), 'leash-bench-cli-'));
const project = join(home, 'project');
const batchFile = join(home, 'batch.json');
writeFileSync(batchFile, JSON.stringify({ entries: [{ command: 'true' }], cwd: home }));
const leash = join(process.cwd(), 'bin', 'leash.js');

interface Case {
  name: string;
  args: string[];
  /** Its own data directory, so two builds never share (or lock) one trail. */
  dataDir: string;
  mayFail?: boolean;
}

function leashCases(launcher: string, label: string): Case[] {
  const dataDir = join(home, `data-${label}`);
  return [
    { name: `${label} leash classify "git status"`, args: [launcher, 'classify', 'git status'], dataDir, mayFail: true },
    { name: `${label} leash classify, a pipeline with $(…)`, args: [launcher, 'classify', 'find . -name "*.ts" | xargs grep -n "$(date +%Y)" > /dev/null'], dataDir, mayFail: true },
    { name: `${label} leash run (one \`true\`, --yes)`, args: [launcher, 'run', batchFile, '--yes'], dataDir },
  ];
}

const cases: Case[] = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'], dataDir: join(home, 'data-baseline') },
  ...leashCases(leash, 'now'),
  { name: 'now leash classify, TurboFan tier-up left on', args: ['--no-liftoff-only', leash, 'classify', 'git status'], dataDir: join(home, 'data-now'), mayFail: true },
  ...(before ? leashCases(resolve(before), 'before') : []),
];

/** One run in `sh`, whose `times` prints the CPU time its children used. */
function measure(benchCase: Case): { wall: number; cpu: number } {
  const script = '"$@" </dev/null >/dev/null; status=$?; times; exit $status';
  const start = performance.now();
  const run = spawnSync('/bin/sh', ['-c', script, 'sh', process.execPath, ...benchCase.args], {
    cwd: project,
    env: { ...process.env, LEASH_HOME: benchCase.dataDir },
    encoding: 'utf8',
  });
  const wall = performance.now() - start;
  if (run.status !== 0 && !benchCase.mayFail) throw new Error(`${benchCase.name} failed (${run.status}): ${run.stderr}`);
  // `times`: the shell's own user and system time, then its children's: "0m0.310s 0m0.120s".
  const children = run.stdout.trim().split('\n').at(-1) ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`could not read the CPU time from \`times\`: ${JSON.stringify(run.stdout)}`);
  return { wall, cpu: (seconds[0]! + seconds[1]!) * 1000 };
}

mkdirSync(project);
const loadBefore = loadavg();
const samples = cases.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
for (let round = 0; round < rounds; round++) {
  cases.forEach((benchCase, index) => {
    const { wall, cpu } = measure(benchCase);
    samples[index]!.wall.push(wall);
    samples[index]!.cpu.push(cpu);
  });
}
const loadAfter = loadavg();
rmSync(home, { recursive: true, force: true });

const baseline = median(samples[0]!.wall);
const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
console.log(`CLI cold start, ${rounds} rounds, medians (whole process); load average ${load(loadBefore)} before, ${load(loadAfter)} after`);
console.log(`  ${'case'.padEnd(52)} ${'wall'.padStart(8)}  ${'ratio'.padStart(6)}  ${'CPU (user+sys)'.padStart(14)}`);
cases.forEach((benchCase, index) => {
  const wall = median(samples[index]!.wall);
  const cpu = median(samples[index]!.cpu);
  console.log(`  ${benchCase.name.padEnd(52)} ${(wall / 1000).toFixed(3).padStart(6)} s  ${(wall / baseline).toFixed(1).padStart(5)}×  ${(cpu / 1000).toFixed(3).padStart(12)} s`);
});
console.log('  goals: leash classify ≤ 0.350 s, leash run of one `true` ≤ 0.500 s (whole process, wall)');
