import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The keys of forward-secure sealing (FORMAT.md, "Seals"), after systemd-journald's FSS.
 *
 * A person keeps the verification key `K` off the machine. Epoch keys are derived from it,
 * each from the one before by a one-way step: `k0 = HMAC-SHA256(K, "leash-audit-epoch-key/1")`,
 * `k(i+1) = SHA-256("leash-audit-evolve/1" || k(i))`. The machine only ever holds the key of the
 * next seal; once a seal is made with `k(i)` the file holds `k(i+1)`, and nothing on the machine
 * can compute `k(i)` again. So seals made before a compromise cannot be forged after it, while
 * anyone holding `K` can derive every epoch key and check every seal.
 */

export const KEY_BYTES = 32;
const EPOCH_KEY_LABEL = 'leash-audit-epoch-key/1';
const EVOLVE_LABEL = 'leash-audit-evolve/1';
const KEY_ID_LABEL = 'leash-audit-key-id/1';
const SEAL_LABEL = 'leash-audit-seal/1';
const PRINTED_PREFIX = 'leash1';

/** A fresh random verification key (32 bytes). */
export function newVerificationKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Names a verification key without revealing it: 16 hex digits of a one-way hash. Seals carry it,
 * so a verifier knows which key a seal needs and a mistyped key is told apart from a forged seal.
 */
export function keyIdOf(verificationKey: Uint8Array): string {
  return createHash('sha256').update(KEY_ID_LABEL).update(verificationKey).digest('hex').slice(0, 16);
}

/** The key of epoch 0. */
export function firstEpochKey(verificationKey: Uint8Array): Buffer {
  return createHmac('sha256', verificationKey).update(EPOCH_KEY_LABEL).digest();
}

/** One forward step; there is no way back. */
export function evolveKey(epochKey: Uint8Array): Buffer {
  return createHash('sha256').update(EVOLVE_LABEL).update(epochKey).digest();
}

/** The key of `epoch`, derived from the verification key (`epoch` hash steps). */
export function epochKeyOf(verificationKey: Uint8Array, epoch: number): Buffer {
  let key = firstEpochKey(verificationKey);
  for (let i = 0; i < epoch; i++) key = evolveKey(key);
  return key;
}

/** What a seal's MAC covers: the key id, the epoch, and the chain head (seq and hash) it seals. */
export function sealMessage(keyId: string, epoch: number, sealedSeq: number, sealedHash: string): string {
  return `${SEAL_LABEL}\n${keyId}\n${epoch}\n${sealedSeq}\n${sealedHash}`;
}

export function sealMac(epochKey: Uint8Array, keyId: string, epoch: number, sealedSeq: number, sealedHash: string): string {
  return createHmac('sha256', epochKey).update(sealMessage(keyId, epoch, sealedSeq, sealedHash)).digest('hex');
}

export function macsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/**
 * The verification key as a person copies it: `leash1-` and the 64 hex digits in groups of
 * eight (`leash1-0f3a9c2e-…`). No QR code, just text that survives a terminal, a password
 * manager and a sheet of paper.
 */
export function formatVerificationKey(verificationKey: Uint8Array): string {
  const hex = Buffer.from(verificationKey).toString('hex');
  const groups = hex.match(/.{8}/g) ?? [];
  return [PRINTED_PREFIX, ...groups].join('-');
}

export type ParsedVerificationKey = { ok: true; key: Buffer; keyId: string } | { ok: false; message: string };

/** Reads a key as printed by {@link formatVerificationKey}; spaces, dashes and case do not matter. */
export function parseVerificationKey(text: string): ParsedVerificationKey {
  const compact = text.trim().toLowerCase().replace(/[\s-]/g, '');
  const body = compact.startsWith(PRINTED_PREFIX) ? compact.slice(PRINTED_PREFIX.length) : compact;
  if (!/^[0-9a-f]{64}$/.test(body)) {
    return { ok: false, message: `a verification key is "${PRINTED_PREFIX}-" followed by 64 hex digits (as \`leash audit setup-keys\` printed it)` };
  }
  const key = Buffer.from(body, 'hex');
  return { ok: true, key, keyId: keyIdOf(key) };
}
