import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layer rules', () => {
  it.each([
    ['src-main/core/policy/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['src-main/core/x.ts', "import Store from 'electron-store';\nexport const s = Store;\n"],
    ['src-main/cli/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['src-main/core/x.ts', "import { createMainWindow } from '../electron/window.js';\nexport const w = createMainWindow;\n"],
    ['src-renderer/src/x.ts', "import { readFile } from 'node:fs';\nexport const r = readFile;\n"],
    ['src-renderer/src/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n"],
  ])('stop %s from importing across layers', async (file, code) => {
    expect(await restrictedImports(file, code)).toHaveLength(1);
  });

  it('let the Electron layer import electron', async () => {
    expect(await restrictedImports('src-main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
  });
});
