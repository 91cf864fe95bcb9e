/** Paste intake: turn a pasted AI reply (or typed commands) into commands to review. */
export { extractToolCalls, MAX_LISTED_CALLS, MAX_PASTE_BYTES } from './pasteParser.js';
export { previewPaste, type PreviewEntry, type PreviewResult, type PreviewSettings } from './pastePreview.js';
export type { CallOrigin, ExtractError, ExtractErrorCode, ExtractResult, ExtractedCall } from './types.js';
