import type { Scope } from '@news-forum/protocol';
import { deref, HTTP_METHODS, type HttpMethod, type OperationObject, type ParameterObject, spec } from './spec.js';
import { coercing, exact, type Validator, validator } from './validation.js';

/** Who may call an operation, read from its `security`. */
export interface OperationSecurity {
  /** False when `{}` is one of the alternatives: a token is optional. */
  required: boolean;
  scopes: Scope[];
}

/** One operation of openapi.yaml with its compiled validators. */
export interface CompiledOperation {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path under the `/api` base, e.g. `/posts/{pid}`. */
  path: string;
  /** Express path, e.g. `/posts/:pid`. */
  expressPath: string;
  security: OperationSecurity;
  /** Validates and coerces `{path, query, headers}` (defaults filled in). */
  validateParameters: Validator;
  /** Validates and coerces `{headers}` alone. */
  validateHeaders: Validator;
  /** Undefined when the operation takes no body. */
  validateBody: Validator | undefined;
  /** Validates a response body for a status; undefined when the status is not declared. */
  responseValidator(status: number): Validator | undefined;
  declaresStatus(status: number): boolean;
}

/**
 * The strings a number parameter may be: decimal only. Ajv coerces a string as
 * JavaScript's Number() reads it, so `0x10`, `1e1`, ` 10`, `+5` and `5.0`
 * passed as numbers, and a URL that means 16 could be written many ways.
 */
const DECIMAL: Readonly<Record<string, RegExp>> = { integer: /^-?(?:0|[1-9]\d*)$/, number: /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/ };

type Group = { type: 'object'; properties: Record<string, object>; required: string[]; additionalProperties?: false };
const GROUPS = { path: 'path', query: 'query', header: 'headers' } as const;

function compileParameters(parameters: ParameterObject[]): { all: Validator; headers: Validator } {
  const emptyGroup = (): Group => ({ type: 'object', properties: {}, required: [] });
  const properties: Record<(typeof GROUPS)[ParameterObject['in']], Group> = {
    path: emptyGroup(),
    // A query names only the operation's parameters: `?limit[]=5` or a misspelt `?srot=new` is refused, not read as the
    // defaults. Headers are open (every client and proxy sends its own).
    query: { ...emptyGroup(), additionalProperties: false },
    headers: emptyGroup(),
  };
  const decimals: { group: string; name: string; pattern: RegExp }[] = [];
  for (const parameter of parameters) {
    const group = GROUPS[parameter.in];
    // Node lower-cases incoming header names.
    const name = parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name;
    properties[group].properties[name] = parameter.schema;
    if (parameter.required) properties[group].required.push(name);
    const pattern = DECIMAL[deref<{ type?: string }>(parameter.schema as { type?: string }).type ?? ''];
    if (pattern) decimals.push({ group, name, pattern });
  }
  const validate = validator(coercing, { type: 'object', properties }, '');
  const all: Validator = (value) => {
    const groups = value as Record<string, Record<string, unknown> | undefined>;
    for (const { group, name, pattern } of decimals) {
      const raw = groups[group]?.[name];
      if (typeof raw === 'string' && !pattern.test(raw)) return [{ pointer: `/${group}/${name}`, detail: 'must be a decimal number' }];
    }
    return validate(value);
  };
  return { all, headers: validator(coercing, { type: 'object', properties: { headers: properties.headers } }, '') };
}

function securityOf(operation: OperationObject): OperationSecurity {
  const requirements = operation.security ?? spec.security ?? [];
  const required = requirements.length > 0 && !requirements.some((r) => Object.keys(r).length === 0);
  const scopes = required ? [...new Set(requirements.flatMap((r) => r.bearerAuth ?? []))] : [];
  return { required, scopes: scopes as Scope[] };
}

function compile(path: string, method: HttpMethod, operation: OperationObject, shared: ParameterObject[]): CompiledOperation {
  const parameters = [...shared, ...(operation.parameters ?? []).map((p) => deref<ParameterObject>(p))];
  const validators = compileParameters(parameters);
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const responses = new Map<string, Validator | undefined>();
  for (const [status, response] of Object.entries(operation.responses)) {
    const content = deref(response).content;
    const schema = content?.['application/json']?.schema ?? content?.['application/problem+json']?.schema;
    responses.set(status, schema ? validator(exact, schema, '') : undefined);
  }
  return {
    operationId: operation.operationId,
    method,
    path,
    expressPath: path.replace(/\{(\w+)\}/g, ':$1'),
    security: securityOf(operation),
    validateParameters: validators.all,
    validateHeaders: validators.headers,
    validateBody: bodySchema ? validator(exact, bodySchema, '/body') : undefined,
    responseValidator: (status) => responses.get(String(status)) ?? responses.get('default'),
    declaresStatus: (status) => responses.has(String(status)) || responses.has('default'),
  };
}

/** Every operation of openapi.yaml, compiled once. */
export const operations: readonly CompiledOperation[] = Object.entries(spec.paths).flatMap(([path, item]) => {
  const shared = (item.parameters ?? []).map((p) => deref<ParameterObject>(p));
  return HTTP_METHODS.flatMap((method) => {
    const operation = item[method];
    return operation ? [compile(path, method, operation, shared)] : [];
  });
});
