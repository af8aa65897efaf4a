import type { paths } from '@news-forum/protocol';
import type { HttpMethod, OperationRequestBodyContent, PathsWithMethod, SuccessResponseJSON } from 'openapi-typescript-helpers';

/** The methods the API uses. */
export type Method = Extract<HttpMethod, 'get' | 'post' | 'put' | 'delete'>;
/** Paths of openapi.yaml that have an operation for `M`. */
export type PathOf<M extends Method> = PathsWithMethod<paths, M>;
type Operation<P extends keyof paths, M extends Method> = Extract<paths[P][M], Record<string | number, unknown>>;

type PathParams<P extends keyof paths> = NonNullable<paths[P]['parameters']['path']>;
/** `params` when the path has parameters, none otherwise, so a missing or misnamed one fails to compile. */
export type ParamsOf<P extends keyof paths> = [PathParams<P>] extends [never] ? { params?: undefined } : { params: PathParams<P> };
/** Query parameters of an operation. */
export type QueryOf<P extends keyof paths, M extends Method> = NonNullable<
  Operation<P, M> extends { parameters: { query?: infer Q } } ? Q : never
>;
/** JSON body of an operation (undefined when it takes none). */
export type BodyOf<P extends keyof paths, M extends Method> = OperationRequestBodyContent<Operation<P, M>>;
/** What a successful answer carries: its JSON body, or null for `204 No Content`. */
export type DataOf<P extends keyof paths, M extends Method> = [NonNullable<SuccessResponseJSON<Operation<P, M>>>] extends [never]
  ? null
  : SuccessResponseJSON<Operation<P, M>>;

/** An operation and its path parameters: the method and path template of openapi.yaml. */
export type Target<P extends PathOf<M>, M extends Method> = { method: M; path: P } & ParamsOf<P>;

/** A path template with its parameters filled in, URL-encoded. */
export function fillPath(template: string, params: Record<string, string> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''));
}
