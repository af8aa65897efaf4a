import type { ErrorObject } from 'ajv/dist/2020.js';

/**
 * The patterns of openapi.yaml in words (a test checks that each has some):
 * a reader shown "must match pattern "\S"" learns nothing.
 */
export const PATTERN_WORDS: Readonly<Record<string, string>> = {
  '\\S': 'must not be blank',
  '^https?://[^/?#]': 'must be an http or https address with a host',
  '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]': 'must be an http or https address with a host',
  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$': 'must be an id (a UUID in lower case)',
  '^[a-z0-9][a-z0-9_-]{2,31}$': 'must be 3 to 32 lower-case letters, digits, "_" or "-", the first a letter or a digit',
  '^[\\x21-\\x7E]+$': 'must be printable ASCII characters without spaces',
  '^[A-Za-z0-9_-]+$': 'must be letters, digits, "_" or "-"',
  '^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*$': 'must not hold control characters (tabs and line breaks are fine)',
};

const FORMAT_WORDS: Readonly<Record<string, string>> = {
  uri: 'must be an absolute URL',
  'date-time': 'must be a date and time with its offset, e.g. 2030-01-31T12:00:00Z',
  uuid: 'must be an id (a UUID)',
};

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function plural(count: unknown, one: string): string {
  return `${String(count)} ${one}${count === 1 ? '' : 's'}`;
}

function list(values: readonly unknown[]): string {
  const words = values.map((value) => JSON.stringify(value));
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** The values a discriminated oneOf's inline forms give their tag (a form behind a $ref names none here). */
function tagValues(schema: unknown, tag: string): unknown[] {
  const forms = (schema as { oneOf?: { properties?: Record<string, { const?: unknown }> }[] } | undefined)?.oneOf ?? [];
  return forms.flatMap((form) => {
    const property = form.properties?.[tag];
    return property && 'const' in property ? [property.const] : [];
  });
}

/** What a failed JSON Schema keyword means, in words a reader of a form understands (the member is named by the pointer). */
export function detailOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not an allowed member';
    case 'pattern':
      return PATTERN_WORDS[String(params.pattern)] ?? `must match the pattern ${String(params.pattern)}`;
    case 'format':
      return FORMAT_WORDS[String(params.format)] ?? `must be a valid ${String(params.format)}`;
    case 'type':
      return `must be ${String(params.type)
        .split(',')
        .map((type) => TYPE_WORDS[type] ?? type)
        .join(' or ')}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${plural(params.limit, 'character')} long`;
    case 'maxLength':
      return `must be at most ${plural(params.limit, 'character')} long`;
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    case 'maximum':
      return `must be at most ${String(params.limit)}`;
    case 'minItems':
      return `must hold at least ${plural(params.limit, 'item')}`;
    case 'maxItems':
      return `must hold at most ${plural(params.limit, 'item')}`;
    case 'uniqueItems':
      return 'must not hold the same item twice';
    case 'enum':
      return `must be one of ${list(params.allowedValues as unknown[])}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'discriminator': {
      // The member that picks the form of a oneOf named none of them: the forms' values say what it may be.
      const values = tagValues(error.parentSchema, String(params.tag));
      if (params.tagValue === undefined) return 'is required';
      return values.length > 0 ? `must be one of ${list(values)}` : 'names no form of this value';
    }
    default:
      return error.message ?? 'is invalid';
  }
}
