import { maxHeaderSize } from 'node:http';
import type { Duplex } from 'node:stream';
import { badRequest, type DomainError } from '../core/errors.ts';
import { newId } from '../ids.ts';
import type { FaceRequest } from '../routing/face.ts';
import { errorBody, faceClaiming } from './errors.ts';

type ClientError = Error & { code?: string; rawPacket?: Buffer };

const ANSWERS: Record<string, { status: number; reason: string; error: () => DomainError }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431, reason: 'Request Header Fields Too Large',
    error: () => badRequest('request_headers_too_large', `The request headers are larger than ${maxHeaderSize / 1024} kB`),
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413, reason: 'Payload Too Large', error: () => badRequest('request_too_large', 'The chunk extensions are too large'),
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', error: () => badRequest('request_timeout', 'The request took too long to arrive') },
};
const MALFORMED = { status: 400, reason: 'Bad Request', error: () => badRequest('malformed_request', 'The request is not valid HTTP/1.1') };

/**
 * What the refused bytes still tell of the request, for the gateway face that claims it: the path
 * of its request line, and the headers that arrived whole (within the first 16 kB). Undefined when
 * not even a request line is there.
 */
function requestIn(raw: Buffer | undefined): FaceRequest | undefined {
  const [line, ...rest] = (raw?.subarray(0, 16 * 1024).toString('latin1') ?? '').split(/\r?\n/);
  const path = /^\s*[A-Z]+ (\/[^ ?]*)/.exec(line ?? '')?.[1];
  if (path === undefined) return undefined;
  const headers = new Map<string, string>();
  for (const h of rest.slice(0, -1)) {
    if (h === '') break;
    const colon = h.indexOf(':');
    const name = h.slice(0, colon).trim().toLowerCase();
    if (colon > 0 && !headers.has(name)) headers.set(name, h.slice(colon + 1).trim());
  }
  return { path, header: (name) => headers.get(name.toLowerCase()) };
}

/**
 * What Node's HTTP parser refuses before Express sees a request (headers past its limit, bytes that
 * are not HTTP, a request that took too long) gets the error shape too, instead of Node's bare
 * status line. As in Node's own handler, nothing is written once a response has begun on the socket.
 */
export function answerClientError(err: ClientError, socket: Duplex): void {
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    const { status, reason, error } = ANSWERS[err.code ?? ''] ?? MALFORMED;
    const requestId = newId('request');
    const req = requestIn(err.rawPacket);
    const face = req && faceClaiming(req);
    // The face's body; the status stays the one that names what the parser refused.
    const body = JSON.stringify(face ? face.errorReply(error(), requestId).body : errorBody(error(), requestId));
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
