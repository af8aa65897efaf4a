import type { paths } from '../generated/openapi.js';
type PathParams<P extends keyof paths> = NonNullable<paths[P]['parameters']['path']>;
/**
 * A path of openapi.yaml with its parameters filled in (URL-encoded), so a
 * route or parameter name that drifts from the contract fails to compile.
 */
export declare function route<P extends keyof paths>(template: P, ...[params]: [PathParams<P>] extends [never] ? [] : [PathParams<P>]): string;
export {};
//# sourceMappingURL=route.d.ts.map