export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where deploy programs report: one call per event, fields kept machine-readable. */
export type Log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** JSON lines on stdout, as the server logs, each tagged with the program's name. */
export function jsonLog(program: string): Log {
  return (level, message, fields = {}) => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, program, message, ...fields })}\n`);
  };
}

/** Drops everything (tests that read the renderer's state instead of its log). */
export const silentLog: Log = () => undefined;
