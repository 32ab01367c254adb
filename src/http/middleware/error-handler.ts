import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DomainError } from '../../core/errors.ts';
import { checkError } from '../contract-check.ts';
import { errorAnswer, toDomainError } from '../errors.ts';

/**
 * Every error leaves here in the CONVENTIONS shape, its status mapped from the error's kind. With
 * `checkContract` (tests), an error status the route does not declare becomes a 500, so the suite
 * fails when a handler answers outside its contract.
 */
export function errorHandler(checkContract: boolean): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let error = toDomainError(err);
    let { status, body } = errorAnswer(error, req);
    if (checkContract && req.contract) {
      const violation = checkError(req.contract, status, body);
      if (violation) {
        error = violation;
        ({ status, body } = errorAnswer(error, req));
      }
    }
    if (status >= 500) {
      req.log.error({ err, code: error.code, message: error.message }, 'request failed');
    } else {
      req.log.debug({ code: error.code, status }, 'request rejected');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).set(error.headers).json(body);
  };
}

export const notFoundHandler: RequestHandler = (req) => {
  throw new DomainError('not_found', 'route_not_found', `No route for ${req.method} ${req.originalUrl.split('?')[0]}`);
};
