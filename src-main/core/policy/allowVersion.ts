import { no, OK, type AllowRule } from './allowRule.js';
import type { Arg } from './model.js';

/**
 * Version probes: `node --version`, `python3 -V`, `ruby -v`. Each tool is allowed with
 * exactly one of the spellings it prints its version for, and nothing else: `node -v` is a
 * probe, `node -v x.js` runs a script. Left out on purpose: `go version` (GOTOOLCHAIN=auto
 * downloads the toolchain go.mod asks for), tools a package manager shim may fetch first
 * (`pnpm`, `yarn` under corepack), `terraform` (its `version` asks checkpoint.hashicorp.com
 * for a newer release over the network) and rustup's proxies `cargo`, `rustc`, `rustup` (a
 * checked-in rust-toolchain.toml may name a toolchain by `path`, so the probe runs the
 * repository's own binaries, or a channel rustup then downloads).
 */
const PROBES: Readonly<Record<string, readonly string[]>> = {
  node: ['--version', '-v'],
  npm: ['--version', '-v'],
  npx: ['--version', '-v'],
  deno: ['--version', '-V'],
  bun: ['--version', '-v'],
  python: ['--version', '-V'],
  python3: ['--version', '-V'],
  pip: ['--version', '-V'],
  pip3: ['--version', '-V'],
  uv: ['--version', '-V'],
  ruby: ['--version', '-v'],
  gem: ['--version', '-v'],
  perl: ['--version', '-v'],
  php: ['--version', '-v'],
  java: ['--version', '-version'],
  javac: ['--version', '-version'],
  gcc: ['--version'],
  'g++': ['--version'],
  cc: ['--version'],
  clang: ['--version'],
  make: ['--version', '-v'],
  cmake: ['--version'],
  git: ['--version'],
  docker: ['--version', '-v'],
  tsc: ['--version', '-v'],
  dotnet: ['--version'],
  swift: ['--version'],
  kotlin: ['-version'],
  kubectl: [],
  psql: ['--version', '-V'],
  sqlite3: ['--version', '-version'],
  rg: ['--version', '-V'],
  jq: ['--version'],
};

/** Whether the words are exactly a version probe of the program (`node --version`). */
export function isVersionProbe(program: string, args: readonly Arg[]): boolean {
  const probes = Object.hasOwn(PROBES, program) ? PROBES[program] : undefined;
  const only = args.length === 1 ? args[0] : undefined;
  return probes !== undefined && only !== undefined && !only.dynamic && !only.glob && probes.includes(only.value);
}

function checkProbe(program: string, args: readonly Arg[]): ReturnType<AllowRule['check']> {
  const probes = PROBES[program] ?? [];
  if (program === 'kubectl') {
    // `kubectl version` contacts the cluster; `--client` keeps it local.
    const words = args.map((a) => a.value).join(' ');
    return words === 'version --client' || words === 'version --client=true' ? OK : no('only `kubectl version --client` is a local version probe');
  }
  if (args.length === 1 && probes.includes((args[0] as Arg).value)) return OK;
  return no(`only \`${program} ${probes.join('` or `' + program + ' ')}\` is a version probe`);
}

/** One rule per program, for programs that have no other rule. */
export function versionRules(taken: ReadonlySet<string>): AllowRule[] {
  return Object.keys(PROBES)
    .filter((program) => !taken.has(program))
    .map((program) => ({
      name: `${program}-version`,
      programs: [program],
      summary: 'only prints its version',
      probeOnly: true,
      check: (args) => checkProbe(program, args),
      examples: { allow: program === 'kubectl' ? ['kubectl version --client'] : [`${program} ${(PROBES[program] as readonly string[])[0]}`], notAllow: [`${program} --version x`] },
    }));
}
