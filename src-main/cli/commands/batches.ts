import { readLeashSnapshot } from '../../core/leash.js';
import { dataDirectory } from '../../core/paths.js';
import { parseArgs } from '../args.js';
import { EXIT, write, type CliIO } from '../io.js';

export const usage = `Usage: leash batches [--json]
Lists the stored batches (newest last). Read-only: it works while the desktop app, \`leash serve\`
or \`leash run\` is running, and writes nothing (not even to the audit trail). A batch a crash left
"running" is recovered (shown as interrupted) by the next Leash that opens the data directory.`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { boolean: ['json', 'help'], aliases: { h: 'help' } });
  if (args.flags.has('help')) {
    await write(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  let snapshot;
  try {
    snapshot = await readLeashSnapshot(dataDirectory(io.env));
  } catch (error) {
    await write(io.stderr, `leash batches: ${(error as { code?: string }).code ?? 'ERROR'}: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
  for (const problem of snapshot.problems) await write(io.stderr, `leash batches: warning: ${problem}\n`);
  const batches = snapshot.batches;
  if (args.flags.has('json')) {
    await write(io.stdout, `${JSON.stringify(batches, null, 2)}\n`);
  } else if (batches.length === 0) {
    await write(io.stdout, 'no batches\n');
  } else {
    const rows = batches.map((b) => {
      const counts = b.entries.reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.status]: (acc[e.status] ?? 0) + 1 }), {});
      const summary = Object.entries(counts).map(([status, n]) => `${n} ${status}`).join(', ');
      return `${b.id}  ${b.createdAt}  ${b.status.padEnd(11)} ${b.source.padEnd(10)} ${summary}`;
    });
    await write(io.stdout, `${rows.join('\n')}\n`);
  }
  return EXIT.ok;
}
