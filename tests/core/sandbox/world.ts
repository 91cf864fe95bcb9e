import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, lstatSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Classification } from '../../../src-main/core/policy/types.js';
import { startEntry } from '../../../src-main/core/runner/index.js';
import type { EntryRunResult } from '../../../src-main/core/runner/types.js';
import { sandboxTestRoot } from '../../support/sandboxTestRoot.js';
import {
  createSandboxRuntime,
  detectSandbox,
  withGitSafety,
  type EntrySandbox,
  type SandboxChoice,
  type SandboxRuntime,
  type SandboxSupport,
} from '../../../src-main/core/sandbox/index.js';

/**
 * A small, real world for sandbox tests: a home directory with credentials and shell start-up
 * files, Leash's data directory inside it (where it really lives), a project that is a git work
 * tree, and a victim directory in the project. It lives outside /tmp on purpose: every sandbox
 * mounts a private /tmp, which would hide a world under /tmp and make "nothing changed" trivial.
 */
export interface World {
  root: string;
  home: string;
  project: string;
  victim: string;
  dataDir: string;
  runtime: SandboxRuntime;
  /** Runs `command` the way the batch runner does: profile chosen from the verdict and choice, wrapped, real bash. */
  run(command: string, options?: RunOptions): Promise<{ sandbox: EntrySandbox; result: EntryRunResult }>;
  dispose(): void;
}

export interface RunOptions {
  verdict?: 'allow' | 'ask';
  choice?: SandboxChoice;
  cwd?: string;
  timeoutMs?: number;
  programs?: string[];
}

export const SECRETS = { ssh: 'SECRET-SSH-KEY-4f1c', aws: 'SECRET-AWS-9d2e', netrc: 'SECRET-NETRC-77aa', settings: 'SECRET-SETTINGS' };

const supportPromise: Promise<SandboxSupport> = detectSandbox();

export async function createWorld(): Promise<World> {
  const support = await supportPromise;
  if (!support.ok) throw new Error(`these tests need a working sandbox: ${support.message} ${support.fix}`);
  const base = sandboxTestRoot();
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(join(base, 'sandbox-world-'));
  const home = join(root, 'home');
  const project = join(home, 'project');
  const victim = join(project, 'victim');
  const dataDir = join(home, '.config', 'Leash');
  for (const dir of [join(home, '.ssh'), join(home, '.aws'), victim, join(victim, 'deep'), join(dataDir, 'batches')]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(home, '.ssh', 'id_ed25519'), SECRETS.ssh);
  writeFileSync(join(home, '.aws', 'credentials'), SECRETS.aws);
  writeFileSync(join(home, '.netrc'), SECRETS.netrc);
  writeFileSync(join(home, '.bashrc'), '# start-up file\n');
  for (const name of ['a.txt', 'b.txt', 'deep/c.txt']) writeFileSync(join(victim, name), `content of ${name}\n`);
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ autonomy: { enabled: false, tokenHash: null, fingerprint: null }, note: SECRETS.settings }));
  writeFileSync(join(dataDir, 'audit.jsonl'), '{"seq":1}\n');
  writeFileSync(join(dataDir, 'audit.jsonl.head'), '{"seq":1}\n');
  writeFileSync(join(dataDir, 'leash.lock'), '1234\n');
  writeFileSync(join(dataDir, 'control.secret'), 'control-secret\n');
  writeFileSync(join(dataDir, 'batches', 'b1.json'), '{}\n');
  execFileSync('git', ['init', '-q', project]);
  const env = { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin' };
  const runtime = createSandboxRuntime({ support, home, env, state: () => ({ dataDir, auditPath: join(dataDir, 'audit.jsonl') }) });
  return {
    root,
    home,
    project,
    victim,
    dataDir,
    runtime,
    async run(command, options = {}) {
      const verdict = options.verdict ?? 'allow';
      const classification: Classification = {
        verdict,
        score: verdict === 'allow' ? 100 : 50,
        requiresManual: verdict !== 'allow',
        reasons: [],
        programs: options.programs ?? [],
        commands: [],
      };
      const cwd = options.cwd ?? project;
      const sandbox = runtime.choose({ classification, cwd }, options.choice ?? { profile: 'workspace', network: false });
      const wrapped = runtime.wrap(sandbox, cwd);
      if (!wrapped.ok) throw new Error(wrapped.message);
      const entryEnv = sandbox.gitConfig.length > 0 ? withGitSafety(env) : env;
      const running = startEntry({ command, cwd, timeoutMs: options.timeoutMs ?? 20_000, env: entryEnv, wrapper: wrapped.wrapper ?? undefined });
      return { sandbox, result: await running.result };
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Every path under `dir` with its type, mode and content hash (links by target), for byte-for-byte comparison. */
export function snapshot(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (path: string, name: string): void => {
    const info = lstatSync(path);
    if (info.isSymbolicLink()) entries[name] = `link ${readlinkSync(path)}`;
    else if (info.isDirectory()) {
      entries[name] = `dir ${info.mode.toString(8)}`;
      for (const child of readdirSync(path).sort()) walk(join(path, child), `${name}/${child}`);
    } else if (info.isFile()) entries[name] = `file ${info.mode.toString(8)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    else entries[name] = `other ${info.mode.toString(8)}`;
  };
  walk(dir, '.');
  return entries;
}
