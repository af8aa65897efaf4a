import { tokenExpired } from '../src/live/token-expiry.js';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (payload: unknown) => `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}.signature`;

describe('the live socket offers a token only until it expires', () => {
  const now = Date.UTC(2026, 0, 1);

  test('a token whose exp is in the future is offered', () => {
    expect(tokenExpired(token({ login: 'ana', exp: now / 1000 + 60 }), now)).toBe(false);
  });

  test('a token whose exp has passed is not', () => {
    expect(tokenExpired(token({ login: 'ana', exp: now / 1000 }), now)).toBe(true);
    expect(tokenExpired(token({ login: 'ana', exp: now / 1000 - 3600 }), now)).toBe(true);
  });

  test('base64url characters in the payload are read', () => {
    // '?' and '>' encode to '_' and '-' in base64url.
    const payload = { note: '??>>??>>', exp: now / 1000 - 1 };
    expect(encode(payload)).toMatch(/[-_]/);
    expect(tokenExpired(token(payload), now)).toBe(true);
  });

  test('what cannot be read is left to the server', () => {
    expect(tokenExpired('opaque', now)).toBe(false);
    expect(tokenExpired('a.%%%.c', now)).toBe(false);
    expect(tokenExpired(token({ login: 'ana' }), now)).toBe(false);
  });
});
