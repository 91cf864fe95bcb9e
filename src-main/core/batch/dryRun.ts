import { previewPatch } from '../patch/index.js';
import type { Reason, Verdict } from '../policy/types.js';
import { resolveExecutable } from '../runner/executable.js';
import { checkSyntax } from '../runner/syntaxCheck.js';
import { cwdExists } from '../runner/workingDirectory.js';
import type { EntrySandbox } from '../sandbox/profiles.js';
import type { Batch, BatchEntry } from './types.js';

export interface DryRunEntry {
  entryId: string;
  /** A patch is applied by Leash itself (no command, no sandbox); a shell entry runs a command. */
  tool: 'shell' | 'patch';
  command: string;
  verdict: Verdict;
  reasons: Reason[];
  /** Each program the command runs and what bash would execute for it (null: not found). */
  executables: { program: string; resolved: string | null }[];
  cwd: string;
  cwdExists: boolean;
  syntax: { ok: true } | { ok: false; message: string };
  /** The sandbox it would run in (with git’s forced safe configuration, if any); null for a denied entry and for a patch (Leash applies it itself). */
  sandbox: EntrySandbox | null;
  /** Would the entry start at all (known syntax, cwd present, programs found, not denied, sandbox applicable)? */
  ok: boolean;
}

export interface DryRunReport {
  batchId: string;
  entries: DryRunEntry[];
}

/** What each entry would do, without running anything; `sandboxOf` says which sandbox it would get. */
export async function dryRunBatch(
  batch: Batch,
  environment: { shell: string; env: Record<string, string | undefined> },
  sandboxOf: (entry: BatchEntry) => EntrySandbox | undefined = (entry) => entry.sandbox,
): Promise<DryRunReport> {
  const entries = await Promise.all(
    batch.entries.map(async (entry): Promise<DryRunEntry> => {
      if (entry.tool === 'patch' && entry.patch) return dryRunPatch(entry);
      const exists = await cwdExists(entry.cwd);
      const executables = await Promise.all(
        entry.classification.programs.map(async (program) => {
          const found = await resolveExecutable(program, environment.env, exists ? entry.cwd : undefined);
          return { program, resolved: found === null ? null : found.kind === 'builtin' ? `builtin ${found.name}` : found.path };
        }),
      );
      const checked = await checkSyntax(entry.command, environment.shell);
      const syntax = checked.ok ? ({ ok: true } as const) : { ok: false as const, message: checked.message };
      const sandbox = entry.classification.verdict === 'deny' ? null : (sandboxOf(entry) ?? null);
      return {
        entryId: entry.id,
        tool: 'shell',
        command: entry.command,
        verdict: entry.classification.verdict,
        reasons: entry.classification.reasons,
        executables,
        cwd: entry.cwd,
        cwdExists: exists,
        syntax,
        sandbox,
        ok: exists && syntax.ok && entry.classification.verdict !== 'deny' && executables.every((e) => e.resolved !== null) && !sandbox?.problem,
      };
    }),
  );
  return { batchId: batch.id, entries };
}

/** A patch's dry run: would applying it now give exactly the diff that is shown? */
function dryRunPatch(entry: Batch['entries'][number]): DryRunEntry {
  const patch = entry.patch as NonNullable<typeof entry.patch>;
  const preview = previewPatch(patch.request);
  const syntax = !preview.ok
    ? { ok: false as const, message: `${preview.code}: ${preview.message}` }
    : preview.diffSha256 !== patch.diffSha256
      ? { ok: false as const, message: 'PATCH_STALE: the files changed since the diff was computed; applying would be refused' }
      : ({ ok: true } as const);
  return { entryId: entry.id, tool: 'patch', command: entry.command, verdict: entry.classification.verdict, reasons: entry.classification.reasons, executables: [], cwd: entry.cwd, cwdExists: preview.ok, syntax, sandbox: null, ok: syntax.ok };
}
