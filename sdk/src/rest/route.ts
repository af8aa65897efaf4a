import type { paths } from '@news-forum/protocol';

type PathParams<P extends keyof paths> = NonNullable<paths[P]['parameters']['path']>;

/**
 * A path of openapi.yaml with its parameters filled in (URL-encoded), so a
 * route or parameter name that drifts from the contract fails to compile.
 */
export function route<P extends keyof paths>(
  template: P,
  ...[params]: [PathParams<P>] extends [never] ? [] : [PathParams<P>]
): string {
  const values = (params ?? {}) as Record<string, string>;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
}
