// Passwords are hashed with scrypt from node:crypto (no native module to build or ship). The cost is
// OWASP's first recommendation for scrypt: N = 2^17, r = 8, p = 1, that is 128 MiB and about a third
// of a second per hash on one core. The parameters are stored with each hash, so raising them later
// leaves older hashes verifiable; a hash made with a lower cost is rehashed at the next sign-in.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptCost {
  /** log2 of N, the CPU and memory cost. */
  logN: number;
  r: number;
  p: number;
}

export const PASSWORD_COST: ScryptCost = { logN: 17, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Shorter passwords are refused (NIST SP 800-63B's minimum for a chosen password is 8; we ask 12). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.logN;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `$scrypt$ln=17,r=8,p=1$<salt>$<key>`, base64 without padding, as the PHC string format writes it. */
export async function hashPassword(password: string, cost = PASSWORD_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost);
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${cost.logN},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
}

const PHC = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export function costOf(hash: string): ScryptCost | undefined {
  const m = PHC.exec(hash);
  return m ? { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) } : undefined;
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = PHC.exec(hash);
  const cost = costOf(hash);
  if (!m || !cost || password.length > PASSWORD_MAX_LENGTH) return false;
  const want = Buffer.from(m[5], 'base64');
  const got = await derive(password, Buffer.from(m[4], 'base64'), cost);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** True when `hash` was made with less than today's cost: rehash it once the password is known. */
export function needsRehash(hash: string, cost = PASSWORD_COST): boolean {
  const had = costOf(hash);
  return !had || had.logN < cost.logN || had.r < cost.r || had.p < cost.p;
}

/** Why a new password is refused, or undefined. */
export function passwordProblem(password: string, name?: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `the password has ${password.length} characters: it needs at least ${PASSWORD_MIN_LENGTH}`;
  if (password.length > PASSWORD_MAX_LENGTH)
    return `the password is longer than ${PASSWORD_MAX_LENGTH} characters`;
  if (name && password.toLowerCase().includes(name.toLowerCase()))
    return 'the password contains the account name';
  return undefined;
}

/** A one-time password to hand over: 20 characters of base64url, 120 bits. */
export function oneTimePassword(): string {
  return randomBytes(15).toString('base64url');
}
