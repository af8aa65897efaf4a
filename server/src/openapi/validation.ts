import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { detailOf } from './issue-details.js';
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
  // A oneOf with a `discriminator` is checked against the form its tag names
  // alone, so a reader learns what is wrong with that form, not with another;
  // verbose, so that a tag naming none can be answered with those that exist.
  const ajv = new Ajv2020({
    allErrors: false,
    strict: false,
    coerceTypes: coerce,
    useDefaults: coerce,
    discriminator: true,
    verbose: true,
  });
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

/**
 * A oneOf that failed reports every branch's failure and its own: one value
 * then gets "must be an id", "must be null" and "must match exactly one
 * schema". What a branch's discriminating `const` refused is left out when
 * the branches failed otherwise too (it names the other form), and the
 * branch failures of one member become one sentence ("must be an id or null").
 */
function readable(errors: ErrorObject[]): ErrorObject[] {
  const alternatives = errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf');
  if (alternatives.length === 0) return errors;
  // Ajv reports a branch's failures before the oneOf's own, at or under its value (their schema may be a $ref's).
  const inBranch = (error: ErrorObject, index: number) =>
    alternatives.some((alt) => {
      const under = error.instancePath === alt.instancePath || error.instancePath.startsWith(`${alt.instancePath}/`);
      return under && index < errors.indexOf(alt);
    });
  const otherwise = errors.some((error, index) => inBranch(error, index) && error.keyword !== 'const');
  return errors.filter(
    (error, index) => !alternatives.includes(error) && !(otherwise && error.keyword === 'const' && inBranch(error, index)),
  );
}

function pointerOf(error: ErrorObject, prefix: string): string {
  let pointer = `${prefix}${error.instancePath}`;
  if (error.keyword === 'required') pointer += `/${String(error.params.missingProperty)}`;
  if (error.keyword === 'additionalProperties') pointer += `/${String(error.params.additionalProperty)}`;
  if (error.keyword === 'discriminator') pointer += `/${String(error.params.tag)}`;
  return pointer;
}

function issues(validate: ValidateFunction, prefix: string): ValidationIssue[] {
  const byPointer = new Map<string, string[]>();
  for (const error of readable(validate.errors ?? [])) {
    const pointer = pointerOf(error, prefix);
    const details = byPointer.get(pointer) ?? [];
    const detail =
      error.keyword === 'additionalProperties' && error.instancePath === '/query'
        ? 'is not a parameter of this operation'
        : detailOf(error);
    if (!details.includes(detail)) details.push(detail);
    byPointer.set(pointer, details);
  }
  return [...byPointer].slice(0, MAX_ISSUES).map(([pointer, details]) => ({
    pointer,
    detail: details.every((detail) => detail.startsWith('must be '))
      ? `must be ${details.map((detail) => detail.slice('must be '.length)).join(' or ')}`
      : details.join('; or '),
  }));
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
