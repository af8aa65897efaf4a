import { createHash, createHmac, createPublicKey, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JwtKeyConfig, PreviousJwtKeyConfig } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** A key that verifies tokens, named by `kid`, with the one algorithm it is used with. */
export interface VerifyingKey {
  kid: string;
  algorithm: JwtAlgorithm;
  key: string | Buffer;
}

/** The signing key and every key tokens are verified with. */
export interface JwtKeys {
  /** Signs every new token; its `kid` goes in the token's header. */
  signing: VerifyingKey & { signingKey: string | Buffer };
  /** The current key first, then the previous one (verification only), if configured. */
  verifying: VerifyingKey[];
}

const SECRET_FILE = 'jwt-secret';
/** Bytes a generated secret has (48), and the fewest one read back may have: an emptied file must not sign with no key. */
const MIN_SECRET_BYTES = 32;

/** The secret a node wrote to `file`, refused when it is too short to be one (emptied, cut short, edited). */
async function readSecret(file: string): Promise<Buffer> {
  const secret = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
  if (secret.length < MIN_SECRET_BYTES) {
    throw new ConfigError(
      'DATA_DIR',
      `${file} holds ${secret.length} bytes of secret, fewer than ${MIN_SECRET_BYTES}: remove it for a new one (every token signed with it ends), or set JWT_SECRET`,
    );
  }
  return secret;
}

/**
 * Key ids: the RFC 7638 thumbprint of a public key, and for a secret an
 * HMAC of a fixed label under the secret (names the secret without
 * revealing anything about it).
 */
export function secretKid(secret: string | Buffer): string {
  return createHmac('sha256', secret).update('news-forum key id').digest('base64url').slice(0, 22);
}

export function publicKeyKid(publicKey: string): string {
  const jwk = createPublicKey(publicKey).export({ format: 'jwk' });
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

async function generatedSecret(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, SECRET_FILE);
  try {
    return await readSecret(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let secret: Buffer = randomBytes(48);
  await mkdir(dataDir, { recursive: true });
  // 'wx' so that two nodes starting at once on one data dir cannot overwrite each other's secret.
  await writeFile(file, secret.toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(async (writeError: NodeJS.ErrnoException) => {
    if (writeError.code !== 'EEXIST') throw writeError;
    secret = await readSecret(file);
  });
  return secret;
}

function previousKey(config: PreviousJwtKeyConfig): VerifyingKey {
  return config.kind === 'secret'
    ? { kid: secretKid(config.secret), algorithm: 'HS256', key: config.secret }
    : { kid: publicKeyKid(config.publicKey), algorithm: config.algorithm, key: config.publicKey };
}

/**
 * The keys from the configuration, or, when none is given, a development
 * secret generated once into the data directory so that tokens survive
 * restarts. `previous` verifies only.
 */
export async function resolveJwtKeys(config: JwtKeyConfig, dataDir: string, previous?: PreviousJwtKeyConfig): Promise<JwtKeys> {
  let signing: JwtKeys['signing'];
  if (config.kind === 'keypair') {
    signing = { kid: publicKeyKid(config.publicKey), algorithm: config.algorithm, key: config.publicKey, signingKey: config.privateKey };
  } else {
    const secret = config.kind === 'secret' ? config.secret : await generatedSecret(dataDir);
    signing = { kid: secretKid(secret), algorithm: 'HS256', key: secret, signingKey: secret };
  }
  const verifying: VerifyingKey[] = [{ kid: signing.kid, algorithm: signing.algorithm, key: signing.key }];
  if (previous) verifying.push(previousKey(previous));
  return { signing, verifying };
}
