import { ConfigError } from './config-error.js';

/**
 * A server's failure to listen as the one-line configuration error a bad
 * port or host is: `port.variable` names the setting, `port.value` what it
 * said (with any words the reader needs about it).
 *
 * @example
 * server.listen(port, host).once('error', (error) => fail(listenError(error, host, { variable: 'PORT', value: String(port) })));
 */
export function listenError(error: unknown, host: string, port: { variable: string; value: string }): unknown {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return new ConfigError(port.variable, `${port.value} is already in use on ${host}`);
    case 'EACCES':
      return new ConfigError(port.variable, `${port.value} needs privileges this process does not have`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError('HOST', `${host} is not an address of this machine`);
    default:
      return error;
  }
}
