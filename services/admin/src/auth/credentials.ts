import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { generateSecret, generateURI, verify as totpVerify } from 'otplib';
import QRCode from 'qrcode';

/** Shortest password accepted, before its strength is estimated. */
const PASSWORD_MIN_LENGTH = 12;
/** zxcvbn score (0–4) a password must reach: 3 is "safely unguessable: moderate protection from offline attacks". */
const PASSWORD_MIN_SCORE = 3;

const zxcvbn = new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs });

/** Whether a password is strong enough: long enough, and not guessable (zxcvbn-ts, common dictionaries, the login itself). */
export function passwordStrongEnough(password: string, userInputs: string[] = []): boolean {
  if (password.length < PASSWORD_MIN_LENGTH) return false;
  return zxcvbn.check(password, userInputs).score >= PASSWORD_MIN_SCORE;
}

/** argon2id (the library's default algorithm and parameters: 19 MiB, 2 passes), as a PHC string. */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password);
}

export async function verifyPassword(phc: string | null, password: string): Promise<boolean> {
  // With no hash (not enrolled, unknown login) a dummy verify keeps the timing alike.
  try {
    return await argon2Verify(phc ?? DUMMY_HASH, password) && phc !== null;
  } catch {
    return false;
  }
}
// argon2id of a throwaway word, same parameters as real hashes.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$uxouGoEO7gLhxFZG3vLC3g$IKGpy/iP9zIZNKkTqFSu6s3kTBItmvm/xqoaButzijc';

/** A new TOTP secret (base32, 160 bits). */
export function newTotpSecret(): string {
  return generateSecret();
}

/**
 * The time step of a valid code, or null. Codes from one step before or after now are
 * accepted (clock drift); a step at or before `afterStep` (already used) never is.
 */
export async function verifyTotp(secret: string, token: string, afterStep: number | null): Promise<{ step: number } | { replayed: true } | null> {
  if (!/^\d{6}$/.test(token)) return null;
  const result = await totpVerify({ secret, token, epochTolerance: 30 });
  if (!result.valid) return null;
  const step = (result as { timeStep: number }).timeStep;
  if (afterStep !== null && step <= afterStep) return { replayed: true };
  return { step };
}

/** The otpauth:// URI and its QR code (SVG) for an authenticator app. */
export async function totpEnrolment(secret: string, login: string): Promise<{ uri: string; qrSvg: string }> {
  const uri = generateURI({ issuer: 'primaries', label: login, secret });
  const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1 });
  return { uri, qrSvg };
}
