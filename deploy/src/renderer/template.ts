import { readFileSync } from 'node:fs';
import Mustache from 'mustache';
import { DeployError } from '../deploy-error.js';

/** The templates that ship with the package (`deploy/templates/`). */
export const TEMPLATES_DIR = new URL('../../templates/', import.meta.url);

/** Path of a template shipped with the package. */
export function bundledTemplate(name: string): string {
  return new URL(name, TEMPLATES_DIR).pathname;
}

/** Characters a rendered value may contain: no space, quote, semicolon, brace or `$`, so no value adds a directive. */
const SAFE_VALUE = /^[A-Za-z0-9._:/[\]-]*$/;

/**
 * Renders a Mustache template (logic-less: `{{name}}`, `{{#list}}…{{/list}}`,
 * `{{^list}}…{{/list}}` for empty) into nginx configuration text. Values are
 * not HTML-escaped but checked: one that could break out of its directive
 * throws instead of being written.
 */
export function renderTemplate(file: string, view: object): string {
  let template: string;
  try {
    template = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DeployError('bad-option', `cannot read the template ${file}: ${(error as Error).message}`, { cause: error });
  }
  return Mustache.render(template, view, undefined, {
    escape: (value: unknown) => {
      const text = String(value);
      if (!SAFE_VALUE.test(text)) throw new DeployError('nginx-config', `refusing to render the unsafe value ${JSON.stringify(text)}`);
      return text;
    },
  });
}
