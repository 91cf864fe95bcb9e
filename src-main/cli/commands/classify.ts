import * as z from 'zod';
import { createPolicyEngine, revealSuspiciousCharacters, type Classification, type PolicyEngine, type PolicySettings } from '../../core/policy/index.js';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataDirectory } from '../../core/paths.js';
import { createRuleBook, POLICY_FILE_NAME } from '../../core/rules/index.js';
import { readSettingsFile } from '../../core/settings/file.js';
import { parseSettings } from '../../core/settings/schema.js';
import { parseArgs, stringFlag } from '../args.js';
import { EXIT, write, type CliIO } from '../io.js';

export const usage = `Usage:
  leash classify [--settings FILE] COMMAND...   explain the verdict for one command
  leash classify --json [--settings FILE] COMMAND...
                                                the whole result as JSON, with \`commands\`: the argv of every
                                                simple command the engine judged
  leash classify --jsonl [--settings FILE]      classify JSON Lines from stdin: {"command": "..."} per line
Without --settings the data directory's saved settings (config.json: your allow patterns) and
your rules for the current directory (policy.json, \`leash rules\`) apply, as in the app and
\`leash run\`. Nothing is written.`;

const VERDICT_LABEL = { allow: 'SAFE (allow)', ask: 'REVIEW (ask)', deny: 'BLOCKED (deny)' } as const;

/** Lines longer than this are answered with an error instead of being buffered. */
const MAX_LINE_BYTES = 1024 * 1024;

const inputLine = z.object({ command: z.string() });

export function formatClassification(command: string, result: Classification): string {
  const lines = [`${VERDICT_LABEL[result.verdict]}  score ${result.score}`, `  $ ${revealSuspiciousCharacters(command)}`];
  for (const reason of result.reasons) lines.push(`  - ${reason.code}: ${reason.message}`);
  return `${lines.join('\n')}\n`;
}

type LineResult = Pick<Classification, 'verdict' | 'score' | 'reasons' | 'commands'> | { error: { code: string; message: string } };

export function classifyLine(engine: PolicyEngine, settings: PolicySettings, line: string): LineResult {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { error: { code: 'INVALID_JSON', message: `not valid JSON: ${(error as Error).message}` } };
  }
  const parsed = inputLine.safeParse(json);
  if (!parsed.success) {
    return { error: { code: 'INVALID_INPUT', message: 'each line must be a JSON object with a string "command"' } };
  }
  try {
    const { verdict, score, reasons, commands } = engine.classify({ tool: 'shell', command: parsed.data.command }, settings);
    return { verdict, score, reasons, commands };
  } catch (error) {
    // The engine fails closed by itself; this keeps one bad line from ending the stream.
    return { error: { code: 'CLASSIFY_FAILED', message: `could not classify the command: ${(error as Error).message}` } };
  }
}

/** Splits a byte stream into lines at `\n` only (JSON strings cannot hold a raw newline). */
async function* lines(input: AsyncIterable<Buffer | string>): AsyncGenerator<{ text?: string; tooLong?: boolean; badUtf8?: boolean }> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  const finish = (parts: Buffer[]): { text?: string; badUtf8?: boolean } => {
    const bytes = Buffer.concat(parts);
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    try {
      return { text: decoder.decode(bytes.subarray(0, end)) };
    } catch {
      return { badUtf8: true };
    }
  };
  for await (const chunk of input) {
    let buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let newline = buffer.indexOf(0x0a); newline !== -1; newline = buffer.indexOf(0x0a)) {
      const head = buffer.subarray(0, newline);
      buffer = buffer.subarray(newline + 1);
      if (skipping || pendingBytes + head.length > MAX_LINE_BYTES) yield { tooLong: true };
      else yield finish([...pending, head]);
      pending = [];
      pendingBytes = 0;
      skipping = false;
    }
    if (!skipping && pendingBytes + buffer.length > MAX_LINE_BYTES) {
      skipping = true;
      pending = [];
      pendingBytes = 0;
    } else if (!skipping && buffer.length > 0) {
      pending.push(Buffer.from(buffer));
      pendingBytes += buffer.length;
    }
  }
  if (skipping) yield { tooLong: true };
  else if (pendingBytes > 0) yield finish(pending);
}

/**
 * The settings to judge with: the file given, else the data directory's saved settings (what the
 * app and `leash run` judge with), else the defaults when none were saved yet.
 */
async function policySettings(given: string | undefined, io: CliIO): Promise<PolicySettings> {
  if (given !== undefined) return readSettingsFile(resolve(io.cwd, given));
  const saved = join(dataDirectory(io.env), 'config.json');
  const settings = existsSync(saved) ? await readSettingsFile(saved) : parseSettingsOrDefaults();
  // The person's rules for the current directory, as the app applies them to a batch run here.
  const rules = createRuleBook({ path: join(dataDirectory(io.env), POLICY_FILE_NAME), audit: { append: async () => undefined } });
  return rules.policyFor(io.cwd, settings);
}

function parseSettingsOrDefaults(): PolicySettings {
  const parsed = parseSettings({});
  if (!parsed.ok) throw new Error('the default settings do not validate');
  return parsed.value;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { valued: ['settings'], boolean: ['jsonl', 'json', 'help'], aliases: { h: 'help' } });
  if (args.flags.has('help')) {
    await write(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  // The engine starts compiling before the settings are read: the two overlap.
  const engineReady = createPolicyEngine();
  engineReady.catch(() => undefined);
  const settings = await policySettings(stringFlag(args, 'settings'), io);
  const engine = await engineReady;

  if (args.flags.has('jsonl')) {
    if (args.positionals.length > 0) {
      await write(io.stderr, 'leash classify: --jsonl reads commands from stdin; do not also pass a command\n');
      return EXIT.usage;
    }
    for await (const line of lines(io.stdin)) {
      let result: LineResult;
      if (line.tooLong) result = { error: { code: 'LINE_TOO_LONG', message: `input lines are limited to ${MAX_LINE_BYTES} bytes` } };
      else if (line.badUtf8) result = { error: { code: 'INVALID_UTF8', message: 'the line is not valid UTF-8' } };
      else result = classifyLine(engine, settings, line.text ?? '');
      await write(io.stdout, `${JSON.stringify(result)}\n`);
    }
    return EXIT.ok;
  }

  if (args.positionals.length === 0) {
    await write(io.stderr, `leash classify: no command given\n${usage}\n`);
    return EXIT.usage;
  }
  const command = args.positionals.join(' ');
  const result = engine.classify({ tool: 'shell', command }, settings);
  await write(io.stdout, args.flags.has('json') ? `${JSON.stringify({ command, ...result })}\n` : formatClassification(command, result));
  return EXIT.ok;
}
