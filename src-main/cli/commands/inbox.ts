import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { judgeCommandBytes } from '../../core/inbox/acceptance.js';
import { patchRequest } from '../../core/inbox/commandBatch.js';
import { isPlainObject, MAX_COMMAND_FILE_BYTES, parseCommandDocument } from '../../core/inbox/commandFile.js';
import { writeFileAtomic } from '../../core/inbox/folder.js';
import { combineSecretSources, envSecretSource, keychainSecretSource, NO_SECRET_MESSAGE, type InboxSecretSource } from '../../core/inbox/secrets.js';
import { signDocument } from '../../core/inbox/signature.js';
import { previewPatch } from '../../core/patch/index.js';
import { revealSuspiciousCharacters } from '../../core/policy/index.js';
import { parseArgs, stringFlag, type ParsedArgs } from '../args.js';
import { EXIT, UsageError, write, type CliIO } from '../io.js';
import { plural } from '../../shared/plural.js';

export const usage = `Usage:
  leash inbox sign FILE [--out FILE] [--ttl SECONDS]          sign a command for the inbox folder
  leash inbox check FILE [--json] [--target NAME=DIR]         verify a signed command file
FILE may be - for standard input. Both kinds of command are handled: runBatch (shell commands)
and applyPatch (file changes, the ghost-bridge contract); see FORMAT.md of the inbox.

sign fills in what is missing (schemaVersion 1, action "runBatch", a generated id, issued_at now,
expires_at now + --ttl (default 600 s), a random nonce; for applyPatch also patchType "hybrid" and
an empty validationPlan), signs with LEASH_INBOX_HMAC_SECRET (or the first of
LEASH_INBOX_HMAC_SECRETS), and refuses a command the inbox would refuse. With --out the file is
written atomically, so it can go straight into the inbox's commands/ folder.
check verifies the signature (environment and keychain secrets, as the inbox does), the contract
and the validity window; it cannot know about replays. For an applyPatch, --target MAIN=/path/to/repo
also dry-runs the patch against that directory (path safety, allowedActions, maxFilesChanged; never
writes) and prints its diff. Exit: 0 valid, 1 invalid, 2 usage or I/O.`;

const DEFAULT_TTL_SECONDS = 600;

export async function run(argv: string[], io: CliIO, secrets?: InboxSecretSource): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    await write(subcommand ? io.stdout : io.stderr, `${usage}\n`);
    return subcommand ? EXIT.ok : EXIT.usage;
  }
  if (subcommand !== 'sign' && subcommand !== 'check') throw new UsageError(`unknown subcommand "${subcommand}"`);
  const args = parseArgs(rest, { valued: ['out', 'ttl', 'target'], boolean: ['json', 'help', 'allow-deletions'], aliases: { h: 'help', o: 'out' } });
  if (args.flags.has('help')) {
    await write(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  if (args.positionals.length !== 1) throw new UsageError('give exactly one command file (or - for standard input)');
  const file = args.positionals[0] as string;
  const bytes = await readInput(file, io);
  if (bytes === null) return EXIT.usage;
  if (subcommand === 'sign') {
    if (args.flags.has('json')) throw new UsageError('--json is for check');
    return sign(bytes, args, io);
  }
  if (args.flags.has('out') || args.flags.has('ttl')) throw new UsageError('--out and --ttl are for sign');
  const targets = parseTargets(args);
  return check(bytes, { json: args.flags.has('json'), targets, allowDeletions: args.flags.has('allow-deletions') }, io, secrets ?? combineSecretSources(envSecretSource(io.env), keychainSecretSource()));
}

async function readInput(file: string, io: CliIO): Promise<Buffer | null> {
  try {
    if (file !== '-') return await readFile(resolve(io.cwd, file));
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
  } catch (error) {
    await write(io.stderr, `leash inbox: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return null;
  }
}

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function sign(bytes: Buffer, args: ParsedArgs, io: CliIO): Promise<number> {
  const ttlText = stringFlag(args, 'ttl') ?? String(DEFAULT_TTL_SECONDS);
  if (!/^\d{1,7}$/.test(ttlText) || Number(ttlText) < 1) throw new UsageError(`--ttl takes a whole number of seconds, not ${JSON.stringify(ttlText)}`);
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    return fail(io, 'NOT_JSON', 'the input is not valid JSON');
  }
  if (!isPlainObject(document)) return fail(io, 'SCHEMA_INVALID', 'a command must be a JSON object');
  const loaded = await envSecretSource(io.env).load();
  for (const problem of loaded.problems) await write(io.stderr, `leash inbox: warning: ${problem}\n`);
  const key = loaded.keys[0];
  if (!key) return fail(io, 'NO_SECRET', NO_SECRET_MESSAGE);

  const issuedMs = Date.now();
  const unsigned: Record<string, unknown> = {
    schemaVersion: 1,
    id: `cmd-${nowSeconds().replace(/[-:]/g, '')}-${randomBytes(3).toString('hex')}`,
    issued_at: nowSeconds(),
    expires_at: new Date(issuedMs + Number(ttlText) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    nonce: randomBytes(16).toString('hex'),
    action: 'runBatch',
    ...(document.action === 'applyPatch' ? { patchType: 'hybrid', validationPlan: [] } : {}),
    ...document,
  };
  delete unsigned.hmac;
  let signed: Record<string, unknown>;
  try {
    signed = signDocument(unsigned, key);
  } catch (error) {
    return fail(io, 'SCHEMA_INVALID', `the command has no canonical JSON form (${(error as Error).message}); numbers must be integers`);
  }
  const parsed = parseCommandDocument(signed);
  if (!parsed.ok) return fail(io, parsed.rejection.code, parsed.rejection.message);
  const text = `${JSON.stringify(signed, null, 2)}\n`;
  if (Buffer.byteLength(text) > MAX_COMMAND_FILE_BYTES) return fail(io, 'TOO_LARGE', `the signed command is larger than ${MAX_COMMAND_FILE_BYTES} bytes`);
  const out = stringFlag(args, 'out');
  if (out === undefined) {
    await write(io.stdout, text);
    return EXIT.ok;
  }
  try {
    await writeFileAtomic(resolve(io.cwd, out), text);
  } catch (error) {
    await write(io.stderr, `leash inbox: cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return EXIT.usage;
  }
  await write(io.stderr, `signed ${parsed.command.id} (expires ${parsed.command.expires_at}) with ${key.label} -> ${out}\n`);
  return EXIT.ok;
}

interface CheckOptions {
  json: boolean;
  /** `--target NAME=DIR`: where an applyPatch is dry-run. */
  targets: Record<string, string>;
  allowDeletions: boolean;
}

function parseTargets(args: ParsedArgs): Record<string, string> {
  const targets: Record<string, string> = {};
  const value = stringFlag(args, 'target');
  if (value !== undefined) {
    const match = /^([A-Za-z][A-Za-z0-9_-]{0,63})=(.+)$/.exec(value);
    if (!match) throw new UsageError(`--target takes NAME=DIR (for example MAIN=/home/me/project), not ${JSON.stringify(value)}`);
    targets[match[1] as string] = resolve(match[2] as string);
  }
  return targets;
}

async function check(bytes: Buffer, options: CheckOptions, io: CliIO, secrets: InboxSecretSource): Promise<number> {
  const { json } = options;
  const loaded = await secrets.load();
  if (!json) for (const problem of loaded.problems) await write(io.stderr, `leash inbox: warning: ${problem}\n`);
  const judged = await judgeCommandBytes(bytes, { keys: loaded.keys, nowMs: Date.now(), skewMs: 120_000, replayed: async () => null });
  if (!judged.ok) return invalid(io, json, judged.rejection.code, judged.rejection.message);
  const command = judged.command;
  const { id, expires_at: expiresAt } = command;
  const summary = command.action === 'runBatch' ? `runBatch, ${plural(command.payload.entries.length, 'entry', 'entries')}` : `applyPatch to ${command.target}, ${plural(command.payload.inline.ops.length, 'operation')}`;
  let dryRun: { root: string; filesChanged: number; diffSha256: string; diff: string } | null = null;
  const root = command.action === 'applyPatch' && Object.hasOwn(options.targets, command.target) ? options.targets[command.target] : undefined;
  if (command.action === 'applyPatch' && root !== undefined) {
    const context = { targets: options.targets, allowDeletions: options.allowDeletions, protectedPaths: [], defaultCwd: io.cwd };
    const preview = previewPatch(patchRequest(command, root, context));
    if (!preview.ok) return invalid(io, json, preview.code, preview.message);
    dryRun = { root, filesChanged: preview.filesChanged, diffSha256: preview.diffSha256, diff: preview.diff };
  }
  if (json) {
    await write(io.stdout, `${JSON.stringify({ ok: true, id, action: command.action, verifiedWith: judged.verifiedWith, expiresAt, ...(dryRun ?? {}) })}\n`);
    return EXIT.ok;
  }
  await write(io.stdout, `valid: ${id} (${summary}), signed with ${judged.verifiedWith}, expires ${expiresAt}\n`);
  if (command.action === 'applyPatch' && !dryRun) await write(io.stdout, `(the files were not checked: give --target ${command.target}=DIR to dry-run the patch)\n`);
  if (dryRun) await write(io.stdout, `dry run in ${dryRun.root}: ${dryRun.filesChanged} file${dryRun.filesChanged === 1 ? '' : 's'} changed, diff sha256 ${dryRun.diffSha256}\n${revealSuspiciousCharacters(dryRun.diff)}`);
  return EXIT.ok;
}

async function invalid(io: CliIO, json: boolean, code: string, message: string): Promise<number> {
  await write(io.stdout, json ? `${JSON.stringify({ ok: false, code, message })}\n` : `invalid: ${code}: ${revealSuspiciousCharacters(message)}\n`);
  return EXIT.failed;
}

async function fail(io: CliIO, code: string, message: string): Promise<number> {
  await write(io.stderr, `leash inbox sign: ${code}: ${message}\n`);
  return EXIT.failed;
}
