import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

test('the bundled server parses openapi.yaml itself when the parsed copy is of another text', () => {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  // Inside the repository, so the bundle's packages resolve from its node_modules.
  const root = mkdtempSync(join(repo, 'node_modules', '.stale-spec-'));
  try {
    cpSync(join(repo, 'server/dist/bundle'), join(root, 'server/dist/bundle'), { recursive: true });
    cpSync(PARSED, join(root, 'server/dist/openapi.json'));
    const changed = `${readFileSync(specPath, 'utf8')}\n# changed after the build\n`;
    writeFileSync(join(root, 'openapi.yaml'), changed);
    const probe = `const { createApp } = await import(${JSON.stringify(pathToFileURL(join(root, 'server/dist/bundle/index.js')).href)});
      process.stdout.write(typeof createApp);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
    expect(out).toBe('function');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}, 60_000);
