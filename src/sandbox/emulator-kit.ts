/**
 * What every sandbox emulator shares: a loopback fastify server, a request log, a read-only state endpoint
 * (`GET /_sandbox/state`) and fault injection on demand (`POST /_sandbox/faults`, or `emulator.faults.inject()`):
 *
 *  - `rate_limit`: answer 429 with the service's own envelope and a `Retry-After` header
 *  - `server_error`: answer 500/503 with the service's own envelope
 *  - `slow`: wait `delayMs` before handling
 *  - `drop_after_write`: handle the request (the write happens) and then destroy the socket instead of answering,
 *    the "worker/network died after the write" case idempotency must survive
 *
 * Each emulator supplies how its service words a rate limit and a server error.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';

export type FaultKind = 'rate_limit' | 'server_error' | 'slow' | 'drop_after_write';

export interface FaultSpec {
  kind: FaultKind;
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Substring of the request path (query excluded) to match; any when absent. */
  path?: string;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Status for `server_error` (default 500). */
  status?: number;
}

export class FaultInjector {
  private faults: (FaultSpec & { remaining: number })[] = [];

  inject(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.times ?? 1 });
  }

  /** Removes and returns the first fault matching this request, if any. */
  take(method: string, path: string): FaultSpec | undefined {
    const i = this.faults.findIndex(
      (f) =>
        f.remaining > 0 &&
        (!f.method || f.method.toUpperCase() === method.toUpperCase()) &&
        (!f.path || path.includes(f.path)),
    );
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    f.remaining -= 1;
    if (f.remaining <= 0) this.faults.splice(i, 1);
    return f;
  }

  pending(): FaultSpec[] {
    return this.faults.map(({ remaining, ...f }) => ({ ...f, times: remaining }));
  }

  clear(): void {
    this.faults = [];
  }
}

export interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  query: string;
  status?: number;
  fault?: FaultKind;
}

export interface EmulatorOptions {
  name: string;
  port?: number;
  host?: string;
  /** Mounts the service's routes. */
  routes: (app: FastifyInstance) => void | Promise<void>;
  /** The service's 429 answer; must set Retry-After. */
  rateLimited: (reply: FastifyReply, retryAfterSeconds: number) => FastifyReply;
  /** The service's 5xx answer. */
  serverError: (reply: FastifyReply, status: number) => FastifyReply;
  /** What `GET /_sandbox/state` shows. */
  state: () => unknown;
  /** Resets stored objects (not the seed) for `POST /_sandbox/reset`. */
  reset?: () => void;
  /** Largest body accepted, bytes. */
  bodyLimit?: number;
}

export interface Emulator {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  readonly faults: FaultInjector;
  readonly requests: LoggedRequest[];
  close(): Promise<void>;
}

const DROP = Symbol('dropAfterWrite');

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 5 * 1024 * 1024, forceCloseConnections: true });
  const faults = new FaultInjector();
  const requests: LoggedRequest[] = [];

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
      done(null, Object.fromEntries(new URLSearchParams(body.toString())));
    },
  );
  // Some clients send text/xml (SOAP) or no content type; keep the raw text.
  app.addContentTypeParser(['text/xml', 'application/xml', 'text/plain'], { parseAs: 'string' }, (_r, body, done) =>
    done(null, body),
  );

  app.addHook('onRequest', async (req, reply) => {
    const [path = '', query = ''] = req.url.split('?');
    const entry: LoggedRequest = { at: new Date().toISOString(), method: req.method, path, query };
    requests.push(entry);
    if (requests.length > 5000) requests.splice(0, requests.length - 5000);
    (req as unknown as { logEntry: LoggedRequest }).logEntry = entry;
    if (path.startsWith('/_sandbox/')) return;
    const fault = faults.take(req.method, path);
    if (!fault) return;
    entry.fault = fault.kind;
    switch (fault.kind) {
      case 'rate_limit':
        return opts.rateLimited(reply, fault.retryAfterSeconds ?? 1);
      case 'server_error':
        return opts.serverError(reply, fault.status ?? 500);
      case 'slow':
        await new Promise((r) => setTimeout(r, fault.delayMs ?? 2000));
        return;
      case 'drop_after_write':
        (req as unknown as Record<symbol, boolean>)[DROP] = true;
        return;
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const entry = (req as unknown as { logEntry?: LoggedRequest }).logEntry;
    if (entry) entry.status = reply.statusCode;
    if ((req as unknown as Record<symbol, boolean>)[DROP]) {
      // The handler ran (the write is stored); the client never hears back.
      req.raw.socket.destroy();
    }
    return payload;
  });

  app.get('/_sandbox/state', async () => opts.state());
  app.get('/_sandbox/requests', async () => requests);
  app.post('/_sandbox/faults', async (req, reply) => {
    const spec = req.body as FaultSpec;
    if (!spec || !['rate_limit', 'server_error', 'slow', 'drop_after_write'].includes(spec.kind)) {
      return reply
        .code(400)
        .send({ error: 'body.kind must be one of rate_limit, server_error, slow, drop_after_write' });
    }
    faults.inject(spec);
    return { pending: faults.pending() };
  });
  app.delete('/_sandbox/faults', async () => {
    faults.clear();
    return { pending: [] };
  });
  app.post('/_sandbox/reset', async () => {
    opts.reset?.();
    faults.clear();
    requests.length = 0;
    return { ok: true };
  });

  await opts.routes(app);
  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    name: opts.name,
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    app,
    faults,
    requests,
    close: () => app.close(),
  };
}
