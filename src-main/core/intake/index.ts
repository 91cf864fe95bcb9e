/** Paste intake: turn a pasted AI reply (or typed commands) into commands to review. */
export { extractToolCalls, MAX_LISTED_CALLS, MAX_PASTE_BYTES, readPaste } from './pasteParser.js';
export {
  previewPaste,
  type EntryMode,
  type PreviewBlock,
  type PreviewEntry,
  type PreviewPlan,
  type PreviewResult,
  type PreviewSettings,
  type PreviewTools,
} from './pastePreview.js';
export { findStateLosses, type StateKind, type StateLoss } from './stateChanges.js';
export type { BlockCall, CallOrigin, ExtractError, ExtractErrorCode, ExtractResult, ExtractedBlock, ExtractedCall, LineMark, PasteReading } from './types.js';
