import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { spec } from './spec.js';

export interface ValidationIssue {
  pointer: string;
  detail: string;
}

export type Validator = (value: unknown) => ValidationIssue[];

/** The most issues one answer lists: what a client sent must not decide how much the node writes back. */
export const MAX_ISSUES = 20;

function createAjv(coerce: boolean): Ajv2020 {
  // Not allErrors: validation stops at the first failing keyword (maxItems
  // before items and uniqueItems), so its cost does not grow with bad input.
  const ajv = new Ajv2020({ allErrors: false, strict: false, coerceTypes: coerce, useDefaults: coerce });
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: spec.components });
  return ajv;
}

/** One Ajv, made on first use: making one compiles JSON Schema's meta-schema, which start-up need not wait for. */
function once(make: () => Ajv2020): () => Ajv2020 {
  let ajv: Ajv2020 | undefined;
  return () => {
    ajv ??= make();
    return ajv;
  };
}

/** Fills in defaults and coerces strings (path, query and headers arrive as strings). */
export const coercing = once(() => createAjv(true));
/** Takes values as they are (JSON bodies, responses, socket payloads). */
export const exact = once(() => createAjv(false));

/** Schemas inside openapi.yaml say `#/components/...`; compiled alone they must name the document. */
function anchored(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')) as object;
}

function issues(validate: ValidateFunction, prefix: string): ValidationIssue[] {
  return (validate.errors ?? []).slice(0, MAX_ISSUES).map((error: ErrorObject) => {
    let pointer = `${prefix}${error.instancePath}`;
    if (error.keyword === 'required') pointer += `/${String(error.params.missingProperty)}`;
    if (error.keyword === 'additionalProperties') pointer += `/${String(error.params.additionalProperty)}`;
    const detail = error.keyword === 'additionalProperties' ? 'is not an allowed member' : (error.message ?? 'is invalid');
    return { pointer, detail };
  });
}

/** Compiled on first use: a node starts without compiling the whole contract, and each operation pays once. */
export function validator(ajv: () => Ajv2020, schema: object, prefix: string): Validator {
  let validate: ValidateFunction | undefined;
  return (value) => {
    validate ??= ajv().compile(anchored(schema));
    return validate(value) ? [] : issues(validate, prefix);
  };
}

/**
 * A validator of one schema of `components.schemas`, compiled by the same
 * Ajv that checks REST bodies, e.g. for socket payloads.
 */
export function schemaValidator(name: string): Validator {
  if (!(name in spec.components.schemas)) throw new Error(`openapi.yaml has no schema ${name}`);
  return validator(exact, { $ref: `#/components/schemas/${name}` }, '');
}
