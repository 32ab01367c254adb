import type { RequestHandler, Response } from 'express';
import { redactUrl } from '../logger.ts';
import { credentialOf } from './context.ts';
import { createRequestLogWriter, type RequestLogOptions, type RequestLogWriter } from '../request-log/writer.ts';
import type { Services } from '../services.ts';

/** Reading the log itself is not logged (a dashboard watching it would fill it). */
const NOT_LOGGED = new Set(['/api/v1/request-log']);

/**
 * Records each tenant API request in the request log once its response has gone out: method,
 * path, redacted query, status, latency, Idempotency-Key, request id, error and redacted
 * bodies. Only requests that authenticated as a tenant are logged (there is no tenant to show
 * the others to); a dashboard session's reads are left out, its writes kept (they are actions
 * the developer took). The write is queued, never awaited (src/request-log/writer.ts).
 * Fault injection marks its faults in `res.locals.fault`.
 */
export function requestLog(svc: Services, options: Partial<RequestLogOptions> = {}): RequestHandler & { writer: RequestLogWriter } {
  const writer = createRequestLogWriter(svc.db, svc.log, options);
  const middleware: RequestHandler = (req, res, next) => {
    // Sandpay's API and the gateway faces' (/v1): the calls an integration makes.
    if (!req.originalUrl.startsWith('/api/') && !req.originalUrl.startsWith('/v1/')) return next();
    const at = new Date();
    const started = performance.now();
    let sent: string | null = null;
    const send = res.send.bind(res);
    res.send = ((chunk?: unknown) => {
      if (sent === null && typeof chunk === 'string') sent = chunk;
      return send(chunk);
    }) as Response['send'];
    res.once('finish', () => {
      const p = req.principal;
      if (p?.kind !== 'tenant') return;
      if (p.session && (req.method === 'GET' || req.method === 'HEAD')) return;
      const [path, query] = redactUrl(req.originalUrl).split(/\?(.*)/s, 2) as [string, string | undefined];
      if (NOT_LOGGED.has(path)) return;
      const fault = res.locals.fault;
      writer.push({
        tenantId: p.tenant.id,
        requestId: String(req.id),
        method: req.method,
        path,
        query: query || null,
        status: res.statusCode,
        latencyMs: performance.now() - started,
        // Cut to size only once masked (src/request-log/writer.ts): a cut first could split a card number.
        idempotencyKey: req.header('idempotency-key') ?? null,
        replayed: res.getHeader('idempotent-replayed') === 'true',
        source: p.session ? 'dashboard' : p.restriction ? p.restriction.type : p.keyType === 'secret' ? 'secret_key' : 'publishable_key',
        requestBody: req.body,
        responseText: sent,
        fault: fault === undefined || fault === null ? null : String(fault),
        credential: credentialOf(p),
        at,
      });
    });
    next();
  };
  return Object.assign(middleware, { writer });
}
