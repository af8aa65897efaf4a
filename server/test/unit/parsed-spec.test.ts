import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { spec, specPath } from '../../src/openapi/spec.js';

// The built server reads the contract from dist/openapi.json, parsed by the build, when it matches openapi.yaml.
const PARSED = fileURLToPath(new URL('../../dist/openapi.json', import.meta.url));

test('the parsed contract the build writes is openapi.yaml, and names the text it came from', () => {
  const text = readFileSync(specPath, 'utf8');
  const parsed = JSON.parse(readFileSync(PARSED, 'utf8')) as { sha256: string; document: unknown };
  expect(parsed.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  expect(parsed.document).toEqual(parse(text));
  expect(spec).toEqual(parse(text));
});
