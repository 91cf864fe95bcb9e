import { previewPatch } from '../patch/index.js';
import type { Reason, Verdict } from '../policy/types.js';
import { resolveExecutable } from '../runner/executable.js';
import { checkSyntax } from '../runner/syntaxCheck.js';
import { cwdExists } from '../runner/workingDirectory.js';
import type { Batch } from './types.js';

export interface DryRunEntry {
  entryId: string;
  command: string;
  verdict: Verdict;
  reasons: Reason[];
  /** Each program the command runs and what bash would execute for it (null: not found). */
  executables: { program: string; resolved: string | null }[];
  cwd: string;
  cwdExists: boolean;
  syntax: { ok: true } | { ok: false; message: string };
  /** Would the entry start at all (known syntax, cwd present, programs found, not denied)? */
  ok: boolean;
}

export interface DryRunReport {
  batchId: string;
  entries: DryRunEntry[];
}

/** What each entry would do, without running anything. */
export async function dryRunBatch(batch: Batch, environment: { shell: string; env: Record<string, string | undefined> }): Promise<DryRunReport> {
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
      return {
        entryId: entry.id,
        command: entry.command,
        verdict: entry.classification.verdict,
        reasons: entry.classification.reasons,
        executables,
        cwd: entry.cwd,
        cwdExists: exists,
        syntax,
        ok: exists && syntax.ok && entry.classification.verdict !== 'deny' && executables.every((e) => e.resolved !== null),
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
  return { entryId: entry.id, command: entry.command, verdict: entry.classification.verdict, reasons: entry.classification.reasons, executables: [], cwd: entry.cwd, cwdExists: preview.ok, syntax, ok: syntax.ok };
}
