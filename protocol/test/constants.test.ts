import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import {
  COMMENT_SNAPSHOT_LIMIT,
  DEFAULT_POST_SORT,
  ID_PATTERN,
  MAX_COMMENT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  POST_SORTS,
  QUERY_DEFAULTS,
  SCOPES,
  VOTES,
} from '../src/index.js';

// The constants are written once in code; these checks hold them to the contract.
interface Schema {
  $ref?: string;
  enum?: unknown[];
  default?: unknown;
  maximum?: number;
  maxItems?: number;
  pattern?: string;
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
}
interface Parameter {
  $ref?: string;
  name: string;
  in: string;
  schema: Schema;
}
const spec = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { operationId?: string; parameters?: Parameter[] }>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, Parameter> };
};
const { schemas } = spec.components;

function resolve<T>(value: T & { $ref?: string }): T {
  if (!value.$ref) return value;
  let node: unknown = spec;
  for (const part of value.$ref.replace(/^#\//, '').split('/')) node = (node as Record<string, unknown>)[part];
  return resolve(node as T & { $ref?: string });
}

/** Each operation's query parameters with a default, and the default. */
function specQueryDefaults(): Record<string, Record<string, unknown>> {
  const found: Record<string, Record<string, unknown>> = {};
  for (const item of Object.values(spec.paths)) {
    for (const operation of Object.values(item)) {
      for (const parameter of (operation.parameters ?? []).map((p) => resolve(p))) {
        if (parameter.in === 'query' && parameter.schema.default !== undefined) {
          const id = operation.operationId!;
          found[id] ??= {};
          found[id][parameter.name] = parameter.schema.default;
        }
      }
    }
  }
  return found;
}

describe('protocol constants match openapi.yaml', () => {
  test('enums: sorts, scopes, votes', () => {
    expect(POST_SORTS).toEqual(schemas.PostSort!.enum);
    expect(SCOPES).toEqual(schemas.Scope!.enum);
    expect(VOTES).toEqual(schemas.Vote!.enum);
  });

  test('query defaults, default sort and the largest pages', () => {
    expect(QUERY_DEFAULTS).toEqual(specQueryDefaults());
    expect(DEFAULT_POST_SORT).toBe(specQueryDefaults().listPosts!.sort);
    expect(MAX_PAGE_SIZE).toBe(schemas.PageSize!.maximum);
    const limit = spec.paths['/comments/{pid}']!.get!.parameters!.find((p) => p.name === 'limit')!;
    expect(MAX_COMMENT_PAGE_SIZE).toBe(limit.schema.maximum);
  });

  test('the comment snapshot cap and the id format', () => {
    const comments = schemas.SubscribeAck!.oneOf!.find((variant) => variant.properties?.postId)!;
    expect(COMMENT_SNAPSHOT_LIMIT).toBe(comments.properties!.snapshot!.maxItems);
    expect(ID_PATTERN.source).toBe(schemas.Id!.pattern);
  });
});
