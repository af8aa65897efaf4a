import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { secretKid } from '../../src/auth/jwt-keys.js';
import { TEST_SECRET } from './server.js';

/**
 * Signs `claims` as a node with JWT_SECRET=TEST_SECRET would (HS256, the
 * secret's kid, a fresh jti, session version 0), so that a test changes
 * only what it means to.
 */
export function signTestToken(
  claims: Record<string, unknown>,
  options: { secret?: string; algorithm?: jwt.Algorithm; kid?: string } = {},
): string {
  const secret = options.secret ?? TEST_SECRET;
  return jwt.sign({ jti: randomUUID(), sv: 0, ...claims }, secret, {
    algorithm: options.algorithm ?? 'HS256',
    keyid: options.kid ?? secretKid(secret),
  });
}
