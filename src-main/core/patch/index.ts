export { applyPatch, type ApplyOptions, type ApprovedDiff, type PatchApplied } from './apply.js';
export { previewPatch, sha256, type PatchPreview, type PatchChange } from './preview.js';
export { checkPatchPath, foldCase } from './pathRules.js';
export {
  MAX_PATCH_OPS,
  PATCH_ACTIONS,
  PATCH_ERROR_CODES,
  PatchError,
  patchOpSchema,
  type FileChangeKind,
  type PatchAction,
  type PatchErrorCode,
  type PatchFailure,
  type PatchFile,
  type PatchOp,
  type PatchRequest,
} from './types.js';
