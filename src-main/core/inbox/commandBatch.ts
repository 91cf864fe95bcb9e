import type { NewBatch } from '../batch/index.js';
import { previewPatch, type PatchRequest } from '../patch/index.js';
import type { ApplyPatchDocument, CommandDocument } from './commandFile.js';
import { rejection, type InboxRejection } from './reasons.js';

/**
 * What an accepted command becomes: the batch it proposes. A `runBatch` is its entries; an
 * `applyPatch` is one `patch` entry (its diff computed by the batch service from the request,
 * never taken from the sender) followed by the `validationPlan` commands, with stop-on-failure,
 * so nothing validates a patch that was not applied.
 */
export interface CommandTargets {
  /** Target names (`MAIN`) to directories, from the inbox settings. */
  targets: Readonly<Record<string, string>>;
  /** Whether `deleteFile` may be used at all (inbox setting, off by default). */
  allowDeletions: boolean;
  /** Directories no patch may touch (the inbox folder's own, Leash's data directory). */
  protectedPaths: readonly string[];
  /** Working directory for shell entries that name none and have no target. */
  defaultCwd: string;
}

export type CommandBatch = { ok: true; batch: NewBatch } | { ok: false; rejection: InboxRejection };

/** The directory a target names, or `UNKNOWN_TARGET`. Names are matched exactly (`MAIN` is not `main`). */
export function resolveTarget(name: string, context: CommandTargets): { ok: true; root: string } | { ok: false; rejection: InboxRejection } {
  const root = Object.hasOwn(context.targets, name) ? context.targets[name] : undefined;
  if (root === undefined) {
    const known = Object.keys(context.targets);
    const hint = known.length === 0 ? 'no targets are configured (settings inbox.targets)' : `the configured targets are ${known.join(', ')}`;
    return { ok: false, rejection: rejection('UNKNOWN_TARGET', `target ${JSON.stringify(name)} is not configured: ${hint}`) };
  }
  return { ok: true, root };
}

export function patchRequest(command: ApplyPatchDocument, root: string, context: CommandTargets): PatchRequest {
  return {
    target: command.target,
    root,
    ops: command.payload.inline.ops,
    allowedActions: command.allowedActions,
    allowDeletions: context.allowDeletions,
    maxFilesChanged: command.constraints.maxFilesChanged,
    protectedPaths: [...context.protectedPaths],
  };
}

/**
 * The batch for `command`. For a patch this is also the dry run that refuses it before anyone
 * sees it: a path escape, a hidden or reserved path, an action not allowed, too many files.
 */
export function commandBatch(id: string, command: CommandDocument, context: CommandTargets): CommandBatch {
  const source = `inbox:${id}`;
  let targetRoot: string | undefined;
  if (command.target !== undefined) {
    const target = resolveTarget(command.target, context);
    if (!target.ok) return target;
    targetRoot = target.root;
  }
  if (command.action === 'runBatch') {
    return {
      ok: true,
      batch: {
        // An entry without its own timeout may use the whole runtime the sender declared.
        entries: command.payload.entries.map((e) => ({ command: e.command, cwd: e.cwd, timeoutMs: e.timeoutMs ?? command.constraints.maxRuntimeMs })),
        cwd: command.payload.cwd ?? targetRoot ?? context.defaultCwd,
        source,
        reason: command.payload.reason ?? `inbox command ${id}`,
        stopOnFailure: command.payload.stopOnFailure,
      },
    };
  }
  const root = targetRoot as string;
  const request = patchRequest(command, root, context);
  const preview = previewPatch(request);
  if (!preview.ok) return { ok: false, rejection: rejection(preview.code, preview.message) };
  const limit = command.constraints.maxRuntimeMs;
  const validation = command.validationPlan.map((step) => (typeof step === 'string' ? { command: step } : step));
  return {
    ok: true,
    batch: {
      entries: [
        { tool: 'patch', patch: request, timeoutMs: limit },
        ...validation.map((step) => ({ command: step.command, cwd: step.cwd ?? root, timeoutMs: step.timeoutMs ?? limit })),
      ],
      cwd: root,
      source,
      reason: command.payload.reason ?? `inbox command ${id}: file changes in ${command.target}${command.payload.inline.version ? ` (${command.payload.inline.version})` : ''}`,
      stopOnFailure: true,
    },
  };
}
