import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sandboxTestRoot } from '../support/sandboxTestRoot.js';

const BIN = join(process.cwd(), 'bin/leash.js');
const root = mkdtempSync(join(sandboxTestRoot(), 'cli-backpressure-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MIB = 1024 * 1024;
const OUTPUT_MIB = 256;
/**
 * `leash run` of `true` peaks near 95 MiB here; without backpressure the flood below took it past
 * 500 MiB (every unread byte held as a string in the CLI's stdout queue).
 */
const PEAK_BOUND_MIB = 200;

/** The process's peak resident set so far (VmHWM), in MiB; undefined once it is gone. */
function peakRssMiB(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

describe('leash run and a slow reader', () => {
  it(`passes ${OUTPUT_MIB} MiB to a reader that stalls, intact, without holding it in memory`, async () => {
    const home = mkdtempSync(join(root, 'home-'));
    const project = mkdtempSync(join(root, 'project-'));
    const batch = join(project, 'batch.json');
    writeFileSync(batch, JSON.stringify({ cwd: project, entries: [{ command: `head -c ${OUTPUT_MIB}M /dev/zero` }] }));
    const child = spawn(process.execPath, [BIN, 'run', '--yes', batch], { env: { ...process.env, LEASH_HOME: home }, cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid as number;
    let peak = 0;
    const sample = (): void => {
      peak = Math.max(peak, peakRssMiB(pid) ?? 0);
    };
    const sampler = setInterval(sample, 25);
    let zeros = 0;
    let text = '';
    let sinceStall = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      for (const byte of chunk) {
        if (byte === 0) zeros++;
        else text += String.fromCharCode(byte);
      }
      sinceStall += chunk.length;
      sample();
      // A reader slower than the command: every 4 MiB it stops reading for a while.
      if (sinceStall >= 4 * MIB) {
        sinceStall = 0;
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 30);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sampler);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(zeros).toBe(OUTPUT_MIB * MIB);
    expect(text).toContain('completed');
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(PEAK_BOUND_MIB);
  }, 120_000);
});
