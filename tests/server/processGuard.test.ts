import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** The guard in a real process: a stray exception and a stray rejection are printed with their stacks, and the process lives on. */
const SCRIPT = `
const { guardProcess } = await import(${JSON.stringify(new URL('../../src-main/server/processGuard.ts', import.meta.url).pathname)});
guardProcess((line) => process.stderr.write(line + '\\n'));
setTimeout(() => { throw new TypeError('stray exception from a timer'); }, 10);
setTimeout(() => { Promise.reject(new RangeError('stray rejection')); }, 20);
setTimeout(() => { process.stdout.write('still alive'); }, 200);
`;

describe('the serve process guard', () => {
  it('reports stray errors in full and keeps the process alive', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stdout).toBe('still alive');
    expect(code).toBe(0);
    expect(stderr).toContain('internal error (uncaught exception): a bug in Leash, please report it');
    expect(stderr).toContain('TypeError: stray exception from a timer');
    expect(stderr).toContain('internal error (unhandled rejection)');
    expect(stderr).toMatch(/RangeError: stray rejection\n\s+at /);
  });
});
