import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ProblemError } from '../problem/problem-error.js';

/** How long a connection whose request was refused stays open for its client to read the answer. */
const LINGER_MS = 1_000;

/** The problem a request Node could not parse gets, by Node's error code. */
function problemOf(code: string | undefined): ProblemError {
  if (code === 'HPE_HEADER_OVERFLOW') return new ProblemError('headers-too-large', 'The request line and headers pass the limit');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new ProblemError('request-timeout');
  return new ProblemError('bad-request', 'The request is not valid HTTP/1.1');
}

/**
 * Answers what Node's parser refused before any request existed (headers
 * over its limit, a malformed Content-Length or request line, a request too
 * slow to arrive) as every other refusal is answered, application/problem+json,
 * rather than with Node's bare status line. Then, as Node does, the connection
 * ends: nothing after the error can be read as a request. Like Node, it writes
 * only on a connection that has written nothing yet, where an answer cannot
 * land inside another.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const problem = problemOf(error.code);
  const body = JSON.stringify(problem.toJSON());
  const answer =
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  // A request that stopped arriving has nothing left unread: the connection goes at once, as Node's own answer does.
  if (problem.kind === 'request-timeout') {
    socket.write(answer);
    socket.destroy();
    return;
  }
  // Ended, not destroyed: closing with what a client is still sending unread resets the connection, and the
  // answer with it. It goes when the client closes its side, or after LINGER_MS (its place under MAX_CONNECTIONS_PER_IP).
  socket.end(answer);
  socket.once('end', () => socket.destroy());
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
