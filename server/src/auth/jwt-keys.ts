import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JwtKeyConfig } from '../config/config.js';

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** Keys and the one algorithm tokens are signed and verified with. */
export interface JwtKeys {
  algorithm: JwtAlgorithm;
  signingKey: string | Buffer;
  verifyingKey: string | Buffer;
}

const SECRET_FILE = 'jwt-secret';

/**
 * The keys from the configuration, or, when none is given, a development
 * secret generated once into the data directory so that tokens survive
 * restarts.
 */
export async function resolveJwtKeys(config: JwtKeyConfig, dataDir: string): Promise<JwtKeys> {
  if (config.kind === 'secret') return { algorithm: 'HS256', signingKey: config.secret, verifyingKey: config.secret };
  if (config.kind === 'keypair') return { algorithm: config.algorithm, signingKey: config.privateKey, verifyingKey: config.publicKey };
  const file = path.join(dataDir, SECRET_FILE);
  let secret: Buffer;
  try {
    secret = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    secret = randomBytes(48);
    await mkdir(dataDir, { recursive: true });
    // 'wx' so that two nodes starting at once on one data dir cannot overwrite each other's secret.
    await writeFile(file, secret.toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(async (writeError: NodeJS.ErrnoException) => {
      if (writeError.code !== 'EEXIST') throw writeError;
      secret = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
    });
  }
  return { algorithm: 'HS256', signingKey: secret, verifyingKey: secret };
}
