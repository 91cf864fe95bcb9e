export { createPolicyEngine, createPolicyEngineWith, MAX_COMMAND_LENGTH, type PolicyEngine } from './engine.js';
export { createBashParser, defaultWasmPaths, type BashParser, type BashParserOptions } from './bashParser.js';
export { checkPatterns, type CheckedPatterns, type PatternErrorCode, type PatternWarningCode } from './patterns.js';
export { findSuspiciousCharacters, revealSuspiciousCharacters } from './characters.js';
export * from './types.js';
