/** Machine-readable reasons a deploy operation fails. */
export type DeployErrorCode = 'missing-programs' | 'bad-option' | 'nginx-config' | 'start-timeout' | 'process-exited' | 'dockerfile';

/**
 * The one error class of `@news-forum/deploy`: `code` is stable, `message`
 * is for people (a missing program's message is the `apt-get install` line).
 */
export class DeployError extends Error {
  override readonly name = 'DeployError';
  readonly code: DeployErrorCode;

  constructor(code: DeployErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Whether `error` is a {@link DeployError}, optionally of one code. */
export function isDeployError(error: unknown, code?: DeployErrorCode): error is DeployError {
  return error instanceof DeployError && (code === undefined || error.code === code);
}
