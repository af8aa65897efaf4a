import { SCOPES, type Scope } from '@news-forum/protocol';
import jwt from 'jsonwebtoken';
import { ProblemError } from '../problem/problem-error.js';
import type { JwtKeys } from './jwt-keys.js';

/** The verified claims of a bearer token. */
export interface TokenClaims {
  /** The account's id: the token is void once that account is gone, even if its login is taken again. */
  sub: string;
  login: string;
  scopes: Scope[];
  iat: number;
  exp: number;
}

function invalidToken(detail: string): ProblemError {
  return new ProblemError('unauthorized', detail, {
    headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${detail}"` },
  });
}

/** How far the clocks of the nodes may disagree, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Signs and verifies tokens with one pinned algorithm; `exp` is always
 * required, and no token is taken that claims a longer life than TOKEN_TTL
 * or to have been issued in the future.
 */
export class TokenService {
  readonly #keys: JwtKeys;
  readonly #ttlSeconds: number;

  constructor(keys: JwtKeys, ttlSeconds: number) {
    this.#keys = keys;
    this.#ttlSeconds = ttlSeconds;
  }

  issue(account: { id: string; login: string; scopes: Scope[] }): { token: string; expiresAt: string } {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + this.#ttlSeconds;
    const { id: sub, login, scopes } = account;
    const token = jwt.sign({ sub, login, scopes, iat, exp }, this.#keys.signingKey, { algorithm: this.#keys.algorithm });
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  verify(token: string): TokenClaims {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.#keys.verifyingKey, {
        algorithms: [this.#keys.algorithm],
        maxAge: this.#ttlSeconds,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
    } catch (error) {
      const expired = error instanceof jwt.TokenExpiredError;
      throw invalidToken(expired ? 'The token has expired' : 'The token is invalid');
    }
    if (typeof payload !== 'object' || payload === null) throw invalidToken('The token is invalid');
    const { sub, login, scopes, iat, exp } = payload as Record<string, unknown>;
    if (typeof exp !== 'number') throw invalidToken('The token has no expiry');
    if (typeof sub !== 'string' || typeof login !== 'string' || typeof iat !== 'number' || !Array.isArray(scopes))
      throw invalidToken('The token is invalid');
    if (!scopes.every((s): s is Scope => (SCOPES as readonly unknown[]).includes(s))) throw invalidToken('The token is invalid');
    if (iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) throw invalidToken('The token is issued in the future');
    if (exp - iat > this.#ttlSeconds + CLOCK_TOLERANCE_SECONDS) throw invalidToken('The token outlives TOKEN_TTL');
    return { sub, login, scopes, iat, exp };
  }
}
