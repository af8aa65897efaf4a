import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The parts of an OpenAPI 3.1 document the server reads. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  security?: SecurityRequirement[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, object>;
    parameters?: Record<string, ParameterObject>;
    responses?: Record<string, ResponseObject>;
    [key: string]: unknown;
  };
}
export type SecurityRequirement = Record<string, string[]>;
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';
export type Ref = { $ref: string };
export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: object;
}
export interface ResponseObject {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: object }>;
}
export interface OperationObject {
  operationId: string;
  security?: SecurityRequirement[];
  parameters?: (ParameterObject | Ref)[];
  requestBody?: { required?: boolean; content: Record<string, { schema: object }> };
  responses: Record<string, ResponseObject | Ref>;
}
export type PathItem = { parameters?: (ParameterObject | Ref)[] } & Partial<Record<HttpMethod, OperationObject>>;

export const HTTP_METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'patch'];

// The contract sits at the repository root; a packaged server carries its own
// copy next to dist/ (made by the build). The root's comes first, so a
// working copy never reads a stale copy.
const CANDIDATES = ['../../../openapi.yaml', '../../openapi.yaml'];

/** Path of openapi.yaml. */
export const specPath: string = (() => {
  for (const candidate of CANDIDATES) {
    const file = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new Error('openapi.yaml not found next to the server');
})();

/** openapi.yaml as text, parsed once. */
export const specYaml: string = readFileSync(specPath, 'utf8');

// Parsing the YAML is the costliest step of loading the server (the parser and
// its run, a third of a second), so the build keeps the parsed document next
// to dist/ with the hash of the text it came from; a copy that does not match
// the text read above is not used.
const PARSED = fileURLToPath(new URL('../openapi.json', import.meta.url));
const specHash = createHash('sha256').update(specYaml).digest('hex');

function readParsed(): OpenApiDocument | undefined {
  try {
    const parsed = JSON.parse(readFileSync(PARSED, 'utf8')) as { sha256: string; document: OpenApiDocument };
    return parsed.sha256 === specHash ? parsed.document : undefined;
  } catch {
    return undefined;
  }
}

async function parseYaml(): Promise<OpenApiDocument> {
  const yaml = await import('yaml');
  // Bundled, the CommonJS parser has only a default export.
  const parse = yaml.parse ?? (yaml as unknown as { default: typeof yaml }).default.parse;
  return parse(specYaml) as OpenApiDocument;
}

export const spec: OpenApiDocument = readParsed() ?? (await parseYaml());

/** Writes the parsed contract where `spec` looks first (run by the build). */
export function writeParsedSpec(): void {
  writeFileSync(PARSED, JSON.stringify({ sha256: specHash, document: spec }));
}

/** Resolves a local `#/components/...` reference. */
export function deref<T>(value: T | Ref): T {
  if (typeof value === 'object' && value !== null && '$ref' in value) {
    const parts = value.$ref.replace(/^#\//, '').split('/');
    let node: unknown = spec;
    for (const part of parts) node = (node as Record<string, unknown>)[part];
    if (node === undefined) throw new Error(`Unresolved reference ${value.$ref}`);
    return node as T;
  }
  return value;
}
