import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

export type SyntaxNode = Node;
export type SyntaxTree = Tree;

export interface BashParser {
  parse(text: string): SyntaxTree;
}

export interface BashParserOptions {
  /** Path of `tree-sitter-bash.wasm`; defaults to the copy in the `tree-sitter-bash` package. */
  grammarPath?: string;
  /** Path of `web-tree-sitter.wasm`; defaults to the copy in the `web-tree-sitter` package. */
  runtimePath?: string;
}

// Not named `require`: electron-vite's ESM shim declares a module-level `require` in the same
// bundle, and a second declaration makes the built main file fail to parse.
const resolveFromHere = createRequire(import.meta.url);

/** Locations of the two wasm files, so a packaged app can copy them out of the asar archive. */
export function defaultWasmPaths(): { grammarPath: string; runtimePath: string } {
  return {
    grammarPath: resolveFromHere.resolve('tree-sitter-bash/tree-sitter-bash.wasm'),
    runtimePath: resolveFromHere.resolve('web-tree-sitter/web-tree-sitter.wasm'),
  };
}

let runtimeReady: Promise<void> | undefined;

/** V8's WebAssembly API: a global of every Node, absent from the ES library the project types with. */
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<Parameters<typeof Language.loadSync>[0]> } }).WebAssembly;

/**
 * Loads the real bash grammar (tree-sitter-bash compiled to wasm). The runtime is initialised
 * once per process; each call returns its own parser.
 */
export async function createBashParser(options: BashParserOptions = {}): Promise<BashParser> {
  const defaults = defaultWasmPaths();
  const runtimePath = options.runtimePath ?? defaults.runtimePath;
  // The grammar (1.3 MB) compiles on V8's background threads while the runtime initialises:
  // start-up is the longer of the two, not their sum.
  const grammar = readFile(options.grammarPath ?? defaults.grammarPath).then((bytes) => wasm.compile(bytes));
  runtimeReady ??= readFile(runtimePath).then((wasmBinary) => Parser.init({ wasmBinary } as never));
  // Both settle before either is awaited alone, so a failure of one never leaves the other unhandled.
  const [compiled] = await Promise.all([grammar, runtimeReady]);
  const language = Language.loadSync(compiled);
  const parser = new Parser();
  parser.setLanguage(language);
  // V8 compiles wasm functions on their first call; the grammar's lexer is one 160 kB function
  // that takes tens of milliseconds to compile. Parsing once here moves that into start-up,
  // where callers overlap it with their own I/O (openLeash: the audit and the sandbox probe),
  // instead of into the first command a person waits for.
  parser.parse('true')?.delete();
  return {
    parse(text: string): SyntaxTree {
      const tree = parser.parse(text);
      if (!tree) throw new Error('tree-sitter returned no tree');
      return tree;
    },
  };
}

/** A child with the field it stands in (`null` for none). */
export interface FieldChild {
  node: SyntaxNode;
  field: string | null;
}

/**
 * The children of `node` with their field names, read with one tree cursor: much cheaper than
 * `child(i)` plus `fieldNameForChild(i)`, which each walk the children from the start.
 */
export function childrenWithFields(node: SyntaxNode): FieldChild[] {
  const out: FieldChild[] = [];
  const cursor = node.walk();
  try {
    if (!cursor.gotoFirstChild()) return out;
    do out.push({ node: cursor.currentNode, field: cursor.currentFieldName });
    while (cursor.gotoNextSibling());
    return out;
  } finally {
    cursor.delete();
  }
}
