import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.cleanup());

test('an array far over its maxItems is refused with a short answer naming the limit', async () => {
  const scopes = Array.from({ length: 30_000 }, (_, i) => i.toString(36));
  const r = await t.call('PUT', '/api/users/x-many-scopes', { body: { password: 'long-enough-password', scopes } });
  expect(r.status).toBe(422);
  const text = JSON.stringify(r.body);
  // One problem, not one entry per item: the size does not grow with what was sent.
  expect(text.length).toBeLessThan(4096);
  expect(r.body.errors).toEqual([expect.objectContaining({ pointer: '/body/scopes' })]);
  expect(r.body.errors[0].detail).toMatch(/3 items/);
});

test('many bad members are reported, but only up to a cap', async () => {
  // 200 unknown members: each is an error of its own kind.
  const body: Record<string, unknown> = { password: 'long-enough-password' };
  for (let i = 0; i < 200; i++) body[`extra${i}`] = i;
  const r = await t.call('PUT', '/api/users/x-many-members', { body });
  expect(r.status).toBe(422);
  expect(r.body.errors.length).toBeGreaterThan(0);
  expect(r.body.errors.length).toBeLessThanOrEqual(20);
});
