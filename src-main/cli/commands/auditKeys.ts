import { forgetPendingKey, openAuditWriter, readPendingKey, verifyAudit, type AuditWriter } from '../../core/audit/index.js';
import { dataPaths } from '../../core/paths.js';
import { EXIT, write, type CliIO } from '../io.js';

/**
 * `leash audit setup-keys`: hands the person the verification key, once. Every Leash process
 * seals the trail from its first start and leaves the verification key in `<log>.verify-key`
 * until someone takes it; this prints it and removes it from the machine. With `--new` (or when
 * no key is waiting) it makes a new sealing key, which needs the trail's writer lock.
 */
export async function setupKeys(file: string, options: { renew: boolean; json: boolean }, io: CliIO): Promise<number> {
  const pending = options.renew ? undefined : await readPendingKey(file);
  if (pending) {
    await write(io.stdout, options.json ? `${JSON.stringify({ keyId: pending.keyId, verificationKey: pending.printed, createdAt: pending.createdAt })}\n` : shown(pending.keyId, pending.printed));
    await forgetPendingKey(file);
    return EXIT.ok;
  }
  if (!options.renew) {
    await write(
      io.stderr,
      'leash audit: no verification key is waiting on this machine: it was already taken (shown by `leash audit setup-keys` or the Audit screen).\nIf you no longer have it, `leash audit setup-keys --new` starts a new sealing key (recorded in the trail; the old key still checks the seals made before).\n',
    );
    return EXIT.failed;
  }
  const writer = await openAuditWriter(file, { sealing: {}, onTampered: 'fail' });
  let made: { keyId: string; verificationKey: string };
  try {
    made = await writer.newSealingKey();
  } finally {
    await writer.close();
  }
  await forgetPendingKey(file);
  await write(io.stdout, options.json ? `${JSON.stringify(made)}\n` : shown(made.keyId, made.verificationKey));
  return EXIT.ok;
}

function shown(keyId: string, printed: string): string {
  return [
    `Verification key of the audit trail (key id ${keyId}):`,
    '',
    `    ${printed}`,
    '',
    'Keep it off this machine (a password manager, or on paper): it is shown once and now removed',
    'from here. With it, anyone can check that what Leash sealed was not changed afterwards:',
    `    leash audit verify --verify-key ${printed.slice(0, 15)}…`,
    'Without it, verification still checks the hash chain but cannot check the seals.',
    '',
  ].join('\n');
}

/**
 * `leash audit new-trail`: the deliberate way on after a trail was deleted (`MISSING`). Starts a
 * new chain whose first record says the old one is missing and what showed it existed, and a new
 * sealing key. Refuses when the trail is there: tampering is dealt with by quarantine, not this.
 */
export async function newTrail(file: string, dataDir: string, json: boolean, io: CliIO): Promise<number> {
  const history = { batchesDir: dataPaths(dataDir).batches };
  const verdict = await verifyAudit(file, { history }).catch((error: unknown) => error as Error);
  if (verdict instanceof Error || verdict.ok || verdict.firstBad.reason !== 'MISSING') {
    const why = verdict instanceof Error ? 'there is no trail and nothing shows one existed: Leash starts one by itself' : 'the trail is there; `leash audit verify` says what is wrong with it';
    await write(io.stderr, `leash audit: new-trail is only for a trail that was deleted; ${why}.\n`);
    return EXIT.failed;
  }
  let writer: AuditWriter | undefined;
  try {
    writer = await openAuditWriter(file, { sealing: {}, history, onTampered: 'quarantine' });
    const key = await readPendingKey(file);
    await writer.close();
    await write(io.stdout, json ? `${JSON.stringify({ ok: true, recovery: writer.recovery, keyId: key?.keyId })}\n` : `started a new trail at ${file}; its first record says the previous one is missing.\nThe new sealing key's verification key is waiting: run \`leash audit setup-keys\` to take it.\n`);
    return EXIT.ok;
  } finally {
    await writer?.close();
  }
}
