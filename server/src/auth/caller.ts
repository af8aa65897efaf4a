import type { Scope } from '@news-forum/protocol';
import type { Request } from 'express';
import { banHolds, refuseBanned } from '../moderation/ban.js';
import { ProblemError } from '../problem/problem-error.js';
import type { Services } from '../services.js';
import type { BanRecord, UserRecord } from '../store/store.js';
import type { TokenClaims } from './tokens.js';

/** The authenticated caller. */
export interface Caller {
  /** The account's id. */
  id: string;
  login: string;
  /** Scopes of the token that the account still holds, less those its ban suspends while it holds (SUSPENDED_BY_BAN). */
  scopes: Scope[];
  /** The verified claims of the token the caller sent (what signing out revokes). */
  token: TokenClaims;
  /** The account's ban, if it has one (it may have ended: see banHolds). */
  ban?: BanRecord;
}

/** The bearer token of a request, if any; a malformed Authorization header is a 401. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i.exec(header.trim());
  if (!match) {
    throw new ProblemError(
      'unauthorized',
      'The Authorization header must be "Bearer <token>", the token a JWT (three dot-separated base64url parts)',
      {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_request"' },
      },
    );
  }
  return match[1];
}

/**
 * The scopes a ban suspends while it holds: a banned moderator or
 * administrator could otherwise hide, ban back, lift its own ban, or go on
 * reading what moderators hid.
 */
const SUSPENDED_BY_BAN: ReadonlySet<Scope> = new Set<Scope>(['delete', 'admin']);

function revoked(detail: string): ProblemError {
  return new ProblemError('unauthorized', detail, {
    headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${detail}"` },
  });
}

/**
 * Verifies a token and checks the account still exists. The caller's scopes
 * are those the token names that the account still holds, so a revoked
 * scope or a deleted account stops working before the token expires, less
 * the moderation scopes while a ban holds (a banned moderator reads as a
 * reader). A signed-out token, or one older than the account's last end of
 * sessions, is refused.
 */
export async function resolveCaller(token: string, services: Pick<Services, 'tokens' | 'store' | 'revocations'>): Promise<Caller> {
  const claims = services.tokens.verify(token);
  if (services.revocations.isRevoked(claims.jti)) throw revoked('The token has been revoked');
  return callerOf(claims, await services.store.getUser(claims.login));
}

/** The caller that verified claims make of their account as read now (null: there is none); see resolveCaller. */
export function callerOf(claims: TokenClaims, user: UserRecord | null): Caller {
  // A login taken again names another account: the token's account id must match.
  if (!user || user.id !== claims.sub) {
    throw new ProblemError('unauthorized', 'The account of this token no longer exists', {
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    });
  }
  if (claims.sv !== user.sessionVersion) throw revoked('The sessions of this account have been ended');
  const held = new Set<Scope>(user.scopes);
  const banned = banHolds(user.ban);
  const scopes = claims.scopes.filter((scope) => held.has(scope) && !(banned && SUSPENDED_BY_BAN.has(scope)));
  return { id: user.id, login: user.login, scopes, token: claims, ...(user.ban && { ban: user.ban }) };
}

/** Throws 403 unless the caller holds every scope (403 `account-banned` for a moderator's or an admin's while banned). */
export function requireScopes(caller: Caller, scopes: readonly Scope[]): void {
  if (scopes.some((scope) => SUSPENDED_BY_BAN.has(scope))) refuseBanned(caller.ban);
  const missing = scopes.filter((scope) => !caller.scopes.includes(scope));
  if (missing.length > 0) throw new ProblemError('forbidden', `This needs the scope ${missing.join(', ')}`);
}

/** Throws 403 unless the caller is `owner` (when there is one) or holds `scope`. */
export function requireOwnerOr(caller: Caller, owner: string | undefined, scope: Scope): void {
  if (caller.login === owner) return;
  if (SUSPENDED_BY_BAN.has(scope)) refuseBanned(caller.ban);
  if (!caller.scopes.includes(scope)) {
    throw new ProblemError('forbidden', `Only the author or an account with the scope ${scope} may do this`);
  }
}
