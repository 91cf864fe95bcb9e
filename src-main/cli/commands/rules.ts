import { join, resolve } from 'node:path';
import { AuditError, openAuditWriter } from '../../core/audit/index.js';
import { dataDirectory, dataPaths } from '../../core/paths.js';
import { createRuleBook, POLICY_FILE_NAME, RuleError, ruleCommandText, scopeText, type RuleBook, type RuleBookDeps, type UserRule } from '../../core/rules/index.js';
import { readSettingsFile } from '../../core/settings/file.js';
import { parseArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, write, type CliIO } from '../io.js';

export const usage = `Usage:
  leash rules list [--json]                     your rules (policy.json in the data directory)
  leash rules add [--deny | --ask] [--everywhere | --project DIR] [--network] [--json] -- WORD...
                                                a rule for commands whose words start with WORD...
                                                (default: allow, for the project enclosing the
                                                current directory: its git work tree, or the directory)
  leash rules remove [--json] ID
Allow rules never name a shell, an interpreter, a wrapper (env, xargs, sudo, timeout, …) or git
alone, and never lift a block or a structural review (redirects, substitutions, …). Beside a
running Leash the file is shared: the running app picks the change up, re-judges pending batches
and records it in its audit trail.`;

function row(rule: UserRule): string {
  const flags = [rule.decision.toUpperCase().padEnd(5), rule.lifetime === 'session' ? 'session' : rule.addedAt.slice(0, 10), rule.network ? 'network' : ''].filter(Boolean);
  return `${rule.id}  ${flags.join('  ')}  ${ruleCommandText(rule.words)}  (${scopeText(rule)})`;
}

/**
 * Opens the audit trail to record the change; when another Leash holds it, that Leash records
 * the change when it sees the file change (and this process records nothing itself).
 */
async function openAudit(dataDir: string): Promise<{ audit: RuleBookDeps['audit']; close(): Promise<void>; shared: boolean }> {
  const settingsPath = dataPaths(dataDir).settings;
  const configured = await readSettingsFile(settingsPath).then((s) => s.auditPath, () => undefined);
  try {
    const writer = await openAuditWriter(configured ?? dataPaths(dataDir).audit, { onTampered: 'fail' });
    return { audit: writer, close: () => writer.close(), shared: false };
  } catch (error) {
    if (!(error instanceof AuditError) || error.code !== 'AUDIT_LOCKED') throw error;
    return { audit: { append: async () => undefined }, close: async () => undefined, shared: true };
  }
}

async function fail(io: CliIO, json: boolean, code: string, message: string): Promise<number> {
  if (json) await write(io.stdout, `${JSON.stringify({ ok: false, error: { code, message } })}\n`);
  await write(io.stderr, `leash rules: ${code}: ${message}\n`);
  return EXIT.failed;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h') {
    await write(verb ? io.stdout : io.stderr, `${usage}\n`);
    return verb ? EXIT.ok : EXIT.usage;
  }
  const args = parseArgs(rest, { boolean: ['json', 'help', 'deny', 'ask', 'everywhere', 'network'], valued: ['project'], aliases: { h: 'help' } });
  if (args.flags.has('help')) {
    await write(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  const json = args.flags.has('json');
  const dataDir = dataDirectory(io.env);
  const path = join(dataDir, POLICY_FILE_NAME);
  if (verb === 'list') {
    if (args.positionals.length > 0) throw new UsageError('`leash rules list` takes no arguments');
    const listing = createRuleBook({ path, audit: { append: async () => undefined } }).list();
    if (json) {
      await write(io.stdout, `${JSON.stringify(listing, null, 2)}\n`);
    } else {
      if (listing.problem) await write(io.stderr, `leash rules: ${listing.problem.code}: ${listing.problem.message}\n`);
      await write(io.stdout, listing.rules.length === 0 ? 'no rules\n' : `${listing.rules.map(row).join('\n')}\n`);
    }
    return listing.problem ? EXIT.failed : EXIT.ok;
  }
  if (verb !== 'add' && verb !== 'remove') throw new UsageError(`unknown rules command "${verb}"`);
  if (args.flags.has('deny') && args.flags.has('ask')) throw new UsageError('give --deny or --ask, not both');
  if (args.flags.has('everywhere') && args.flags.has('project')) throw new UsageError('give --everywhere or --project, not both');
  if (verb === 'remove' && args.positionals.length !== 1) throw new UsageError('`leash rules remove` takes one rule id');
  if (verb === 'add' && args.positionals.length === 0) throw new UsageError('name the words the rule matches, e.g. `leash rules add -- npm run test`');

  const opened = await openAudit(dataDir).catch(async (error: Error & { code?: string }) => {
    await fail(io, json, error.code ?? 'AUDIT_OPEN_FAILED', error.message);
    return undefined;
  });
  if (!opened) return EXIT.failed;
  const book: RuleBook = createRuleBook({ path, audit: opened.audit });
  try {
    const rule =
      verb === 'add'
        ? await book.add({
            decision: args.flags.has('deny') ? 'deny' : args.flags.has('ask') ? 'ask' : 'allow',
            words: args.positionals,
            scope: args.flags.has('everywhere') ? 'everywhere' : 'project',
            cwd: resolve(io.cwd, stringFlag(args, 'project') ?? '.'),
            network: args.flags.has('network'),
          })
        : await book.remove(args.positionals[0] as string);
    if (json) await write(io.stdout, `${JSON.stringify({ ok: true, value: rule }, null, 2)}\n`);
    else await write(io.stdout, `${verb === 'add' ? 'added' : 'removed'} ${row(rule)}\n`);
    if (opened.shared) await write(io.stderr, 'leash rules: the running Leash applies the change and records it in its audit trail\n');
    return EXIT.ok;
  } catch (error) {
    if (error instanceof RuleError) return fail(io, json, error.code, error.message);
    throw error;
  } finally {
    await opened.close();
  }
}
