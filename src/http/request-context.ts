import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../observability/logger';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** Ids from clients are kept only when they are plainly ids: nothing that could forge log lines. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of the current request (set by requestContext). */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Gives every request an id (the client's X-Request-Id when acceptable, a new UUID otherwise),
 * echoes it in the response, and logs the request with pino-http under that id. The enqueue
 * routes pass it on as the job's trace id, so one id follows a job from HTTP to handler logs.
 */
export function requestContext(logger: Logger): RequestHandler[] {
  const assignId: RequestHandler = (req, res, next) => {
    const offered = req.get(REQUEST_ID_HEADER);
    const id = offered && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
    res.locals.requestId = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
  const log = pinoHttp({
    logger,
    genReqId: (_req, res) => String(res.getHeader(REQUEST_ID_HEADER)),
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    // Probes and scrapes arrive every few seconds; logging each would drown the job logs.
    autoLogging: { ignore: (req) => req.url?.startsWith('/metrics') === true || req.url?.startsWith('/api/v1/health') === true },
    serializers: {
      req: (req: { id?: unknown; method?: unknown; url?: unknown }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode?: unknown }) => ({ statusCode: res.statusCode }),
    },
  });
  return [assignId, log];
}
