import { describe, expect, it } from 'vitest';
import { looksLikeProse } from '../../../src-main/core/intake/proseHeuristic.js';

describe('telling prose from commands', () => {
  it.each([
    'Sure! Here are the commands you need:',
    'This will install the dependencies.',
    'Then list the files again.',
    'Done.',
    'Note:',
    'Why does this fail?',
    "Let's check what's running…",
    '- First, update your package lists.',
    '1. Run `npm install` to fetch the dependencies.',
    '**Note:** this deletes the build folder.',
    'Run `rm -rf build && make` to start over.',
    'After that you should see the server start on port 8080 without any errors',
    'Élément supprimé avec succès.',
  ])('“%s” reads like prose', (line) => {
    expect(looksLikeProse(line)).toBe(true);
  });

  it.each([
    'ls -la',
    'npm install',
    'echo Hello World.',
    'git commit -m "Fix the bug."',
    'Rscript analysis.R',
    'VBoxManage list vms',
    'R --version',
    'Run the tests',
    'FOO=Bar make.',
    'Install it | tee log.',
    'Print $HOME now.',
    'Update the {config} file.',
    'DEBUG=1 npm test',
    '部署完成。',
    '',
  ])('“%s” is not taken for prose', (line) => {
    expect(looksLikeProse(line)).toBe(false);
  });
});
