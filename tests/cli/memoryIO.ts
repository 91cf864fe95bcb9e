import { PassThrough, Readable } from 'node:stream';
import type { CliIO } from '../../src-main/cli/io.js';

export interface MemoryIO extends CliIO {
  output(): string;
  errors(): string;
}

/** In-memory streams for driving CLI commands in-process. */
export function memoryIO(input: string | Buffer = '', env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): MemoryIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return {
    stdin: Readable.from(input.length === 0 ? [] : [Buffer.from(input)]),
    stdout,
    stderr,
    env,
    cwd,
    output: () => Buffer.concat(out).toString('utf8'),
    errors: () => Buffer.concat(err).toString('utf8'),
  };
}
