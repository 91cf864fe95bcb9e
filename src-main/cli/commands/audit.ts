import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AuditError, parseVerificationKey, readAuditTail, verifyAudit, type AuditRecord, type AuditTailEntry } from '../../core/audit/index.js';
import { canonicalJson } from '../../core/json/canonicalJson.js';
import { dataDirectory, dataPaths } from '../../core/paths.js';
import { revealSuspiciousCharacters } from '../../core/policy/index.js';
import { parseArgs, stringFlag, type ParsedArgs } from '../args.js';
import { EXIT, UsageError, write, type CliIO } from '../io.js';
import { newTrail, setupKeys } from './auditKeys.js';
import { formatVerification } from './auditReport.js';

export { formatVerification };

export const usage = `Usage:
  leash audit verify [FILE] [--verify-key KEY | --verify-key-file F] [--json]
                                             check the hash chain, the head checkpoint and the seals; name the first bad
                                             record; with the verification key, check every seal's MAC too
  leash audit setup-keys [FILE] [--new] [--json]
                                             print the verification key once and remove it from this machine (keep it
                                             elsewhere); --new replaces the sealing key (Leash must be closed)
  leash audit new-trail [FILE]               after the trail was deleted: start a new one deliberately, recording the loss
  leash audit tail [FILE] [-n N] [--json]    print the last N records (default 20); does not verify
FILE defaults to audit.jsonl in the data directory (LEASH_HOME overrides it); --audit FILE works too.
--verify-key-file - reads the key from standard input (keeps it out of the shell history).
verify exits 0 when the log is intact, 1 when it is not, 2 when it cannot be read.`;

const SUBCOMMANDS = new Set(['verify', 'tail', 'setup-keys', 'new-trail']);

const DEFAULT_TAIL = 20;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    await write(subcommand ? io.stdout : io.stderr, `${usage}\n`);
    return subcommand ? EXIT.ok : EXIT.usage;
  }
  if (!SUBCOMMANDS.has(subcommand)) throw new UsageError(`unknown subcommand "${subcommand}"`);
  const args = parseArgs(rest, { valued: ['audit', 'n', 'verify-key', 'verify-key-file'], boolean: ['json', 'help', 'new'], aliases: { h: 'help', lines: 'n' } });
  if (args.flags.has('help')) {
    await write(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  const file = auditFile(args, io);
  const json = args.flags.has('json');
  try {
    if (subcommand === 'verify') return await verify(file, { json, verification: await verificationKey(args, io), history: historyFor(file, io) }, io);
    if (subcommand === 'setup-keys') return await setupKeys(file, { renew: args.flags.has('new'), json }, io);
    if (subcommand === 'new-trail') return await newTrail(file, dataDirectory(io.env), json, io);
    return await tail(file, tailCount(args), json, io);
  } catch (error) {
    if (!(error instanceof AuditError)) throw error;
    if (json) await write(io.stdout, `${JSON.stringify({ ok: false, error: { code: error.code, message: error.message } })}\n`);
    else await write(io.stderr, `leash audit: ${error.code}: ${error.message}\n`);
    return EXIT.usage;
  }
}

function auditFile(args: ParsedArgs, io: CliIO): string {
  const flag = stringFlag(args, 'audit');
  if (args.positionals.length > 1) throw new UsageError('give at most one audit file');
  if (flag !== undefined && args.positionals.length > 0) throw new UsageError('give the audit file either as FILE or as --audit FILE, not both');
  const given = flag ?? args.positionals[0];
  return given === undefined ? dataPaths(dataDirectory(io.env)).audit : resolve(io.cwd, given);
}

function tailCount(args: ParsedArgs): number {
  const value = stringFlag(args, 'n');
  if (value === undefined) return DEFAULT_TAIL;
  if (!/^\d{1,7}$/.test(value)) throw new UsageError(`-n needs a whole number of records, got "${value}"`);
  return Number(value);
}

async function verify(file: string, options: { json: boolean; verification?: { key: Buffer; keyId: string }; history?: { batchesDir: string } }, io: CliIO): Promise<number> {
  const result = await verifyAudit(file, { verification: options.verification, history: options.history });
  await write(io.stdout, options.json ? `${JSON.stringify(result)}\n` : formatVerification(result));
  return result.ok ? EXIT.ok : EXIT.failed;
}

/** The batches beside the default trail are evidence it existed; a FILE given elsewhere has none. */
function historyFor(file: string, io: CliIO): { batchesDir: string } | undefined {
  const paths = dataPaths(dataDirectory(io.env));
  return file === paths.audit ? { batchesDir: paths.batches } : undefined;
}

async function verificationKey(args: ParsedArgs, io: CliIO): Promise<{ key: Buffer; keyId: string } | undefined> {
  const inline = stringFlag(args, 'verify-key');
  const from = stringFlag(args, 'verify-key-file');
  if (inline !== undefined && from !== undefined) throw new UsageError('give the verification key either with --verify-key or with --verify-key-file');
  let text = inline;
  if (from !== undefined) {
    text =
      from === '-'
        ? await readStream(io.stdin)
        : await readFile(resolve(io.cwd, from), 'utf8').catch((error: unknown) => {
            throw new UsageError(`cannot read the verification key from ${from}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
          });
  }
  if (text === undefined) return undefined;
  const parsed = parseVerificationKey(text);
  if (!parsed.ok) throw new UsageError(parsed.message);
  return { key: parsed.key, keyId: parsed.keyId };
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.length > 4096) break;
  }
  return text;
}

async function tail(file: string, count: number, json: boolean, io: CliIO): Promise<number> {
  const entries = await readAuditTail(file, count);
  if (json) {
    const lines = entries.map((entry) => asciiJson(entry.ok ? entry.record : { unreadable: { reason: entry.reason, text: entry.text } }));
    await write(io.stdout, lines.map((line) => `${line}\n`).join(''));
  } else {
    await write(io.stdout, formatTail(entries));
  }
  return EXIT.ok;
}

/**
 * JSON that is safe to print to a terminal: a record comes out exactly as stored (canonical JSON
 * is ASCII), and anything canonical JSON refuses (a tampered record with a float, say) is still
 * printed with every non-ASCII character escaped, so no escape sequence or bidi control gets
 * through raw.
 */
function asciiJson(value: unknown): string {
  try {
    return canonicalJson(value);
  } catch {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
}

/** A table: seq, time, event, batch/entry, then the rest of the record in words. */
export function formatTail(entries: readonly AuditTailEntry[]): string {
  if (entries.length === 0) return '(no records)\n';
  const rows = entries.map((entry) =>
    entry.ok
      ? [String(entry.record.seq), display(entry.record.ts), display(entry.record.event), batchAndEntry(entry.record), describe(entry.record)]
      : ['?', '', entry.reason, '', `unreadable line: ${shown(entry.text)}`],
  );
  const header = ['SEQ', 'TIME', 'EVENT', 'BATCH/ENTRY', 'DETAIL'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (row: string[]): string =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(format).join('\n')}\n`;
}

function batchAndEntry(record: AuditRecord): string {
  if (record.batchId === undefined) return record.entryId === undefined ? '-' : `-/${display(record.entryId)}`;
  return record.entryId === undefined ? display(record.batchId) : `${display(record.batchId)}/${display(record.entryId)}`;
}

function describe(record: AuditRecord): string {
  const parts: string[] = [];
  if (record.verdict !== undefined) parts.push(display(record.verdict));
  if (record.approvedBy !== undefined) parts.push(`by ${display(record.approvedBy)}`);
  if (record.exitCode !== undefined) parts.push(`exit ${String(record.exitCode)}`);
  if (record.signal !== undefined) parts.push(`signal ${display(record.signal)}`);
  if (record.durationMs !== undefined) parts.push(`${String(record.durationMs)}ms`);
  if (record.stdoutBytes !== undefined) parts.push(`stdout ${String(record.stdoutBytes)}B`);
  if (record.stderrBytes !== undefined) parts.push(`stderr ${String(record.stderrBytes)}B`);
  if (record.reason !== undefined) parts.push(shown(record.reason));
  if (record.details !== undefined) parts.push(revealSuspiciousCharacters(JSON.stringify(record.details)));
  if (record.command !== undefined) parts.push(`$ ${shown(record.command)}`);
  return parts.join('  ');
}

/**
 * Text from the log may have been written by an agent (commands) or edited by anyone: quote it as
 * JSON (so newlines, escapes and backslashes are unambiguous) and make invisible or bidirectional
 * characters visible, so the terminal shows exactly what is stored.
 */
function shown(text: string): string {
  return revealSuspiciousCharacters(JSON.stringify(text));
}

/** Short fields (ids, names) shown bare unless they hold anything that needs quoting. */
function display(value: unknown): string {
  const text = String(value);
  return /^[\x21-\x7e]*$/.test(text) ? text : shown(text);
}
