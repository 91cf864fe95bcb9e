import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';

/** SHA-256 hex of the token: the only form in which a confirmed token is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token.trim(), 'utf8').digest('hex');
}

/** Public identifier of a token (`autonomy:<fingerprint>` in approvals and the audit). */
export function fingerprintOf(tokenHash: string): string {
  return tokenHash.slice(0, 12);
}

export function newToken(): string {
  return randomUUID();
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
