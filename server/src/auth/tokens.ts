import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import { SCOPES, type Scope } from '@news-forum/protocol';
import jwt from 'jsonwebtoken';
import { ProblemError } from '../problem/problem-error.js';
import type { JwtAlgorithm, JwtKeys, VerifyingKey } from './jwt-keys.js';

/** The verified claims of a bearer token. */
export interface TokenClaims {
  /** The account's id: the token is void once that account is gone, even if its login is taken again. */
  sub: string;
  login: string;
  scopes: Scope[];
  /** The account's session version when issued: ending the account's sessions raises it, voiding older tokens. */
  sv: number;
  /** Names this token, so that signing out can revoke it alone. */
  jti: string;
  iat: number;
  exp: number;
}

/** What a token is issued for. */
export interface TokenSubject {
  id: string;
  login: string;
  scopes: Scope[];
  sessionVersion: number;
}

function invalidToken(detail: string): ProblemError {
  return new ProblemError('unauthorized', detail, {
    headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${detail}"` },
  });
}

/** How far the clocks may disagree, in seconds: a token is still taken that long past its `exp` (or before its `iat`). */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** jti values are UUIDs: anything else is not one of ours. */
const JTI = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A key as the KeyObject jsonwebtoken would otherwise make on every call: given
 * a string or Buffer it first tries to read it as a PEM key, and that failed
 * attempt for a shared secret costs about a millisecond per request.
 */
function keyObject(key: string | Buffer, algorithm: JwtAlgorithm, use: 'sign' | 'verify'): KeyObject {
  if (algorithm === 'HS256') return createSecretKey(typeof key === 'string' ? Buffer.from(key, 'utf8') : key);
  return use === 'sign' ? createPrivateKey(key) : createPublicKey(key);
}

/**
 * Signs with the current key (its `kid` in the header) and verifies with
 * the key the `kid` names, each pinned to its one algorithm; `exp` is always
 * required, and no token is taken that claims a longer life than TOKEN_TTL
 * or to have been issued in the future.
 */
export class TokenService {
  readonly #signing: { kid: string; algorithm: JwtAlgorithm; key: KeyObject };
  readonly #byKid: Map<string, Omit<VerifyingKey, 'key'> & { key: KeyObject }>;
  readonly #ttlSeconds: number;

  constructor(keys: JwtKeys, ttlSeconds: number) {
    const { signing } = keys;
    this.#signing = { kid: signing.kid, algorithm: signing.algorithm, key: keyObject(signing.signingKey, signing.algorithm, 'sign') };
    this.#byKid = new Map(keys.verifying.map((key) => [key.kid, { ...key, key: keyObject(key.key, key.algorithm, 'verify') }]));
    this.#ttlSeconds = ttlSeconds;
  }

  issue(account: TokenSubject): { token: string; expiresAt: string; claims: TokenClaims } {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + this.#ttlSeconds;
    const { id: sub, login, scopes, sessionVersion: sv } = account;
    const claims = { sub, login, scopes, sv, jti: randomUUID(), iat, exp };
    const signing = this.#signing;
    const token = jwt.sign(claims, signing.key, { algorithm: signing.algorithm, keyid: signing.kid });
    return { token, expiresAt: new Date(exp * 1000).toISOString(), claims };
  }

  verify(token: string): TokenClaims {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded) throw invalidToken('The token is invalid');
    const kid = decoded.header.kid;
    const key = typeof kid === 'string' ? this.#byKid.get(kid) : undefined;
    if (!key) throw invalidToken('The token is signed with an unknown key');
    let payload: unknown;
    try {
      payload = jwt.verify(token, key.key, {
        // The kid decides the algorithm: a token naming one key cannot pick another's algorithm.
        algorithms: [key.algorithm],
        maxAge: this.#ttlSeconds,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
    } catch (error) {
      const expired = error instanceof jwt.TokenExpiredError;
      throw invalidToken(expired ? 'The token has expired' : 'The token is invalid');
    }
    if (typeof payload !== 'object' || payload === null) throw invalidToken('The token is invalid');
    const { sub, login, scopes, sv, jti, iat, exp } = payload as Record<string, unknown>;
    if (typeof exp !== 'number') throw invalidToken('The token has no expiry');
    if (typeof sub !== 'string' || typeof login !== 'string' || typeof iat !== 'number' || !Array.isArray(scopes))
      throw invalidToken('The token is invalid');
    if (typeof jti !== 'string' || !JTI.test(jti) || !Number.isSafeInteger(sv) || (sv as number) < 0)
      throw invalidToken('The token is invalid');
    if (!scopes.every((s): s is Scope => (SCOPES as readonly unknown[]).includes(s))) throw invalidToken('The token is invalid');
    if (iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) throw invalidToken('The token is issued in the future');
    if (exp - iat > this.#ttlSeconds + CLOCK_TOLERANCE_SECONDS) throw invalidToken('The token outlives TOKEN_TTL');
    return { sub, login, scopes, sv: sv as number, jti, iat, exp };
  }
}
