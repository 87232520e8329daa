import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '@primaries/db';
import type { AdminConfig } from '@primaries/config';

/** One key of ADMIN_TOTP_KEYS: an id and 32 bytes. */
type BallotKey = AdminConfig['ADMIN_TOTP_KEYS'][number];

/**
 * Staff TOTP secrets at rest (issue #12): AES-256-GCM under ADMIN_TOTP_KEYS, never in clear
 * in Postgres. Stored as `t1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>`; the version, key
 * id and account id are authenticated (additional data), so a stored secret cannot be
 * copied onto another account or relabelled with another key unnoticed. The first key
 * encrypts, every key listed opens: rotate by putting a new key first — the admin service
 * re-encrypts every stored secret under it when it starts (reencryptTotpSecrets), after
 * which the old key can go.
 */

const VERSION = 't1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const STORED = /^t1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)$/;

class TotpSecretError extends Error {
  override name = 'TotpSecretError';
}

function aad(keyId: string, staffId: number): Buffer {
  return Buffer.from(`primaries-totp-${VERSION}:${keyId}:staff:${staffId}`);
}

/** Encrypts an account's TOTP secret under the first key. */
export function sealTotpSecret(keys: readonly BallotKey[], staffId: number, secret: string): string {
  const k = keys[0];
  if (!k) throw new TotpSecretError('no TOTP key configured (ADMIN_TOTP_KEYS)');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', k.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(k.id, staffId));
  const body = Buffer.concat([iv, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${k.id}.${body.toString('base64url')}`;
}

/**
 * Opens a stored secret. Throws TotpSecretError when it is not encrypted (a secret in
 * clear is refused: fail closed), its key is not configured, or it does not authenticate
 * (wrong key, another account's secret, tampered) — never saying anything of the secret.
 */
export function openTotpSecret(keys: readonly BallotKey[], staffId: number, stored: string): string {
  const m = STORED.exec(stored);
  if (!m) throw new TotpSecretError(`the TOTP secret of staff ${staffId} is not encrypted`);
  const keyId = m[1]!;
  const k = keys.find((x) => x.id === keyId);
  if (!k) throw new TotpSecretError(`the TOTP secret of staff ${staffId} is under key ${keyId}, which ADMIN_TOTP_KEYS does not list`);
  const body = Buffer.from(m[2]!, 'base64url');
  if (body.length < IV_BYTES + TAG_BYTES + 1) throw new TotpSecretError(`the TOTP secret of staff ${staffId} is malformed`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', k.key, body.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(keyId, staffId));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new TotpSecretError(`the TOTP secret of staff ${staffId} does not open with key ${keyId} (wrong key, or changed)`);
  }
}

/** A TOTP secret as otplib makes them (base32), i.e. one stored in clear before encryption. */
const CLEAR_SECRET = /^[A-Z2-7]{16,128}=*$/;

export interface ReencryptSummary {
  /** Secrets that were in clear, now encrypted. */
  encrypted: number;
  /** Secrets under an older key, now under the first. */
  rotated: number;
  /** Secrets that could not be opened (key missing or wrong): left as they are, their accounts cannot sign in. */
  failed: number[];
}

/**
 * The transition and rotation step, run when the admin service starts (before it listens):
 * every stored secret that is in clear (from before encryption) or under a key other than
 * the first is (re-)encrypted under the first key. Each row is updated only if it still
 * holds what was read, so several instances starting at once are safe. Sign-in itself
 * never accepts a secret in clear.
 */
export async function reencryptTotpSecrets(db: Kysely<Database>, keys: readonly BallotKey[]): Promise<ReencryptSummary> {
  const first = keys[0]!.id;
  const rows = await db
    .selectFrom('staff')
    .select(['id', 'totp_secret'])
    .where('totp_secret', 'is not', null)
    .where(sql<boolean>`totp_secret not like ${`${VERSION}.${first}.%`}`)
    .execute();
  const summary: ReencryptSummary = { encrypted: 0, rotated: 0, failed: [] };
  for (const row of rows) {
    const stored = row.totp_secret!;
    let secret: string;
    try {
      secret = CLEAR_SECRET.test(stored) ? stored : openTotpSecret(keys, row.id, stored);
    } catch {
      summary.failed.push(row.id);
      continue;
    }
    const updated = await db.updateTable('staff').set({ totp_secret: sealTotpSecret(keys, row.id, secret) }).where('id', '=', row.id).where('totp_secret', '=', stored).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) summary[CLEAR_SECRET.test(stored) ? 'encrypted' : 'rotated']++;
  }
  return summary;
}
