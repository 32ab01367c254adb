import express, { type RequestHandler } from 'express';
import { checkJsonBytes } from '../../core/json-guard.ts';

/**
 * The one body parser: JSON of at most 100 kB, its raw bytes checked (depth, UTF-8) before
 * JSON.parse runs, so a hostile body costs one linear scan and a 400 on every route. A refusal
 * thrown from `verify` reaches the error handler as the DomainError it is.
 */
export function jsonBody(): RequestHandler {
  return express.json({ limit: '100kb', verify: (_req, _res, bytes, charset) => checkJsonBytes(bytes, charset) });
}
