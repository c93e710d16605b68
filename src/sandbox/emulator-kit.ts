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
 * Next to those one-off faults, a seeded random mode (`emulator.faults.setRandom({ rate: 0.2, seed: 7 })`, or
 * `POST /_sandbox/faults` with `{ "random": { … } }`): each request has `rate` odds of drawing one of `kinds`, from a
 * PRNG seeded with `seed`, so the same seed and the same request order give the same faults.
 *
 * Fault statistics (`GET /_sandbox/faults`, and `faults` in `GET /_sandbox/state`): the faults answered by kind, and
 * whether clients honour Retry-After. Once the emulator has answered 429 with `Retry-After: N` at time t,
 *  - a request with the same signature (method, path with query, body bytes) arriving before t + N is a
 *    `retriesBeforeRetryAfter` (one arriving later a `retriesAfterRetryAfter`); an identical request from another
 *    caller counts too, the emulator cannot tell them apart;
 *  - every request arriving before t + N is a `requestsDuringRetryAfter`: HubSpot's and Slack's limits hold for the
 *    whole app, so a well-behaved client holds every call, not just the one refused.
 *
 * Each emulator supplies how its service words a rate limit and a server error.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

export type FaultKind = 'rate_limit' | 'server_error' | 'slow' | 'drop_after_write';
export const FAULT_KINDS: readonly FaultKind[] = ['rate_limit', 'server_error', 'slow', 'drop_after_write'];

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

/** The seeded random mode: every matching request has `rate` odds of a fault. */
export interface RandomFaultSpec {
  /** Odds that a matching request gets a fault, 0 to 1. */
  rate: number;
  /** The faults drawn from, equally likely (default rate_limit and server_error). */
  kinds?: FaultKind[];
  /** PRNG seed, an integer (default 1): the same seed and the same requests give the same faults. */
  seed?: number;
  /** Retry-After of a drawn `rate_limit`, seconds (default 1). */
  retryAfterSeconds?: number;
  /** Statuses a drawn `server_error` picks from, equally likely (default 500 and 503). */
  statuses?: number[];
  /** Delay of a drawn `slow`, ms (default 2000). */
  delayMs?: number;
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Substring of the request path (query excluded) to match; any when absent. */
  path?: string;
}

export interface EarlyRetry {
  method: string;
  path: string;
  /** When it arrived. */
  at: string;
  /** How long before the Retry-After elapsed. */
  earlyByMs: number;
}

export interface FaultStats {
  /** Requests to the service (not `/_sandbox/…`) seen. */
  requests: number;
  /** Faults answered, by kind (one-off and random). */
  injected: Record<FaultKind, number>;
  /** Of those, drawn by the random mode. */
  injectedRandom: Record<FaultKind, number>;
  /** 429 answers carrying Retry-After (injected or the service's own). */
  rateLimitedWithRetryAfter: number;
  /** Repeats of a 429'd request (same method, path, body) that arrived before its Retry-After elapsed. */
  retriesBeforeRetryAfter: number;
  /** Repeats of a 429'd request that waited its Retry-After out. */
  retriesAfterRetryAfter: number;
  /** Requests of any kind that arrived while a Retry-After this emulator announced was running. */
  requestsDuringRetryAfter: number;
  /** The latest early retries (at most 20). */
  earlyRetries: EarlyRetry[];
}

export interface FaultsView {
  pending: FaultSpec[];
  random: (Required<Omit<RandomFaultSpec, 'method' | 'path'>> & Pick<RandomFaultSpec, 'method' | 'path'>) | null;
  stats: FaultStats;
}

/** Bad fault input: names the field, the value and what was expected. */
export class FaultSpecError extends Error {
  constructor(field: string, value: unknown, expected: string) {
    super(`${field} = ${JSON.stringify(value)}: expected ${expected}`);
    this.name = 'FaultSpecError';
  }
}

/** mulberry32: a small, fast, seedable PRNG; `next()` is uniform in [0, 1). */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.min(items.length - 1, Math.floor(this.next() * items.length))]!;
  }
}

type ResolvedRandom = NonNullable<FaultsView['random']>;

/** Checks a random-mode spec (from code or an HTTP body) and fills in the defaults. */
export function resolveRandomFaultSpec(input: unknown, field = 'random'): ResolvedRandom {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new FaultSpecError(field, input, 'an object { rate, kinds?, seed?, retryAfterSeconds?, statuses?, … }');
  }
  const spec = input as Record<string, unknown>;
  const rate = spec.rate;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw new FaultSpecError(`${field}.rate`, rate, 'a number from 0 to 1');
  }
  const kinds = spec.kinds ?? ['rate_limit', 'server_error'];
  if (
    !Array.isArray(kinds) ||
    kinds.length === 0 ||
    !kinds.every((k) => typeof k === 'string' && FAULT_KINDS.includes(k as FaultKind))
  ) {
    throw new FaultSpecError(`${field}.kinds`, kinds, `a non-empty list of ${FAULT_KINDS.join(', ')}`);
  }
  const seed = spec.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new FaultSpecError(`${field}.seed`, seed, 'an integer');
  }
  const retryAfterSeconds = spec.retryAfterSeconds ?? 1;
  if (typeof retryAfterSeconds !== 'number' || !Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
    throw new FaultSpecError(`${field}.retryAfterSeconds`, retryAfterSeconds, 'a whole number of seconds ≥ 0');
  }
  const statuses = spec.statuses ?? [500, 503];
  if (
    !Array.isArray(statuses) ||
    statuses.length === 0 ||
    !statuses.every((s) => Number.isInteger(s) && (s as number) >= 500 && (s as number) <= 599)
  ) {
    throw new FaultSpecError(`${field}.statuses`, statuses, 'a non-empty list of 5xx statuses');
  }
  const delayMs = spec.delayMs ?? 2000;
  if (typeof delayMs !== 'number' || !(delayMs >= 0)) {
    throw new FaultSpecError(`${field}.delayMs`, delayMs, 'a number of milliseconds ≥ 0');
  }
  for (const f of ['method', 'path'] as const) {
    if (spec[f] !== undefined && typeof spec[f] !== 'string') {
      throw new FaultSpecError(`${field}.${f}`, spec[f], 'a string');
    }
  }
  return {
    rate,
    kinds: [...(kinds as FaultKind[])],
    seed,
    retryAfterSeconds,
    statuses: [...(statuses as number[])],
    delayMs,
    ...(spec.method !== undefined ? { method: spec.method as string } : {}),
    ...(spec.path !== undefined ? { path: spec.path as string } : {}),
  };
}

const zeroByKind = (): Record<FaultKind, number> => ({
  rate_limit: 0,
  server_error: 0,
  slow: 0,
  drop_after_write: 0,
});

const emptyStats = (): FaultStats => ({
  requests: 0,
  injected: zeroByKind(),
  injectedRandom: zeroByKind(),
  rateLimitedWithRetryAfter: 0,
  retriesBeforeRetryAfter: 0,
  retriesAfterRetryAfter: 0,
  requestsDuringRetryAfter: 0,
  earlyRetries: [],
});

/** Retry-After windows kept this long after they end, to tell a late retry from a new request. */
const WINDOW_MEMORY_MS = 10 * 60_000;
const MAX_WINDOWS = 20_000;

const matches = (f: { method?: string; path?: string }, method: string, path: string): boolean =>
  (!f.method || f.method.toUpperCase() === method.toUpperCase()) && (!f.path || path.includes(f.path));

export class FaultInjector {
  private faults: (FaultSpec & { remaining: number })[] = [];
  private randomSpec: ResolvedRandom | null = null;
  private rng = new SeededRandom(1);
  private counters = emptyStats();
  /** Open (and recently closed) Retry-After windows by request signature. */
  private windows = new Map<string, { openedAt: number; until: number }>();
  /** The Retry-After windows announced, in the order they opened (ended ones dropped after a while). */
  private recent: { openedAt: number; until: number }[] = [];
  private readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  inject(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.times ?? 1 });
  }

  /** Turns the seeded random mode on (replacing any before it, the PRNG restarting from `seed`). */
  setRandom(spec: RandomFaultSpec): void {
    this.randomSpec = resolveRandomFaultSpec(spec);
    this.rng = new SeededRandom(this.randomSpec.seed);
  }

  clearRandom(): void {
    this.randomSpec = null;
  }

  random(): FaultsView['random'] {
    return this.randomSpec ? { ...this.randomSpec } : null;
  }

  /**
   * The fault for this request, if any: a pending one-off fault first (removed once used up), else a draw of the
   * random mode. Counts the request and the fault.
   */
  take(method: string, path: string): FaultSpec | undefined {
    this.counters.requests += 1;
    const i = this.faults.findIndex((f) => f.remaining > 0 && matches(f, method, path));
    if (i >= 0) {
      const f = this.faults[i]!;
      f.remaining -= 1;
      if (f.remaining <= 0) this.faults.splice(i, 1);
      this.counters.injected[f.kind] += 1;
      return f;
    }
    const r = this.randomSpec;
    if (!r || !matches(r, method, path) || r.rate === 0) return undefined;
    if (this.rng.next() >= r.rate) return undefined;
    const kind = this.rng.pick(r.kinds);
    const fault: FaultSpec = { kind };
    if (kind === 'rate_limit') fault.retryAfterSeconds = r.retryAfterSeconds;
    if (kind === 'server_error') fault.status = this.rng.pick(r.statuses);
    if (kind === 'slow') fault.delayMs = r.delayMs;
    this.counters.injected[kind] += 1;
    this.counters.injectedRandom[kind] += 1;
    return fault;
  }

  /**
   * A request with this signature (method, path with query, body hash) arrived at `at` (ms): counts it against the
   * Retry-After windows announced so far.
   */
  arrived(signature: string, at = this.now()): void {
    // A request's arrival is stamped before its body is read, so a window can open just after it: keep ended
    // windows a minute.
    const horizon = this.now() - 60_000;
    while (this.recent.length > 0 && this.recent[0]!.until < horizon) this.recent.shift();
    if (this.recent.some((w) => w.openedAt <= at && at < w.until)) this.counters.requestsDuringRetryAfter += 1;
    const w = this.windows.get(signature);
    if (!w || at < w.openedAt) return;
    this.windows.delete(signature);
    if (at < w.until) {
      this.counters.retriesBeforeRetryAfter += 1;
      const [method = '', path = ''] = signature.split(' ');
      this.counters.earlyRetries.push({
        method,
        path,
        at: new Date(at).toISOString(),
        earlyByMs: w.until - at,
      });
      if (this.counters.earlyRetries.length > 20) this.counters.earlyRetries.shift();
    } else {
      this.counters.retriesAfterRetryAfter += 1;
    }
  }

  /** The emulator answered the request with this signature 429 with `Retry-After: seconds` at `at` (ms). */
  rateLimited(signature: string, retryAfterSeconds: number, at = this.now()): void {
    this.counters.rateLimitedWithRetryAfter += 1;
    const until = at + retryAfterSeconds * 1000;
    this.windows.set(signature, { openedAt: at, until });
    if (retryAfterSeconds > 0) this.recent.push({ openedAt: at, until });
    if (this.windows.size > MAX_WINDOWS) {
      for (const [k, v] of this.windows) if (v.until + WINDOW_MEMORY_MS < at) this.windows.delete(k);
      while (this.windows.size > MAX_WINDOWS) this.windows.delete(this.windows.keys().next().value!);
    }
  }

  stats(): FaultStats {
    const c = this.counters;
    return {
      ...c,
      injected: { ...c.injected },
      injectedRandom: { ...c.injectedRandom },
      earlyRetries: c.earlyRetries.map((e) => ({ ...e })),
    };
  }

  resetStats(): void {
    this.counters = emptyStats();
    this.windows.clear();
    this.recent = [];
  }

  view(): FaultsView {
    return { pending: this.pending(), random: this.random(), stats: this.stats() };
  }

  pending(): FaultSpec[] {
    return this.faults.map(({ remaining, ...f }) => ({ ...f, times: remaining }));
  }

  /** Drops the pending one-off faults and the random mode (the statistics stay: `resetStats`). */
  clear(): void {
    this.faults = [];
    this.randomSpec = null;
  }
}

/** What the Retry-After accounting compares: method, path with query, and a hash of the body bytes. */
export function requestSignature(method: string, url: string, body: Buffer): string {
  return `${method.toUpperCase()} ${url} ${createHash('sha1').update(body).digest('hex').slice(0, 16)}`;
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
const BODY = Symbol('rawBody');
const SIGNATURE = Symbol('signature');
type Tagged = { logEntry?: LoggedRequest; [DROP]?: boolean; [BODY]?: Buffer; [SIGNATURE]?: string };

async function readBody(req: FastifyRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req.raw) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  } catch {
    // The client went away mid-body; what arrived is the signature.
  }
  return Buffer.concat(chunks);
}

/** Retry-After as seconds: a delay in seconds, or an HTTP date; null when absent or unreadable. */
function retryAfterSeconds(header: unknown): number | null {
  const text = Array.isArray(header) ? String(header[0]) : header === undefined ? '' : String(header);
  if (!text.trim()) return null;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, (at - Date.now()) / 1000);
}

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
    const arrivedAt = Date.now();
    const [path = '', query = ''] = req.url.split('?');
    const entry: LoggedRequest = { at: new Date(arrivedAt).toISOString(), method: req.method, path, query };
    requests.push(entry);
    if (requests.length > 5000) requests.splice(0, requests.length - 5000);
    const r = req as unknown as Tagged;
    r.logEntry = entry;
    if (path.startsWith('/_sandbox/')) return;
    // The body is read here, before anything answers, so a request refused with 429 has a signature too; the
    // content-type parsers get the same bytes back from the preParsing hook below.
    const body = await readBody(req);
    r[BODY] = body;
    const signature = requestSignature(req.method, req.url, body);
    r[SIGNATURE] = signature;
    faults.arrived(signature, arrivedAt);
    const fault = faults.take(req.method, path);
    if (!fault) return;
    entry.fault = fault.kind;
    switch (fault.kind) {
      case 'rate_limit':
        return opts.rateLimited(reply, fault.retryAfterSeconds ?? 1);
      case 'server_error':
        return opts.serverError(reply, fault.status ?? 500);
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 2000));
        return;
      case 'drop_after_write':
        r[DROP] = true;
        return;
    }
  });

  app.addHook('preParsing', async (req, _reply, payload) => {
    const body = (req as unknown as Tagged)[BODY];
    if (!body) return payload;
    const replay = Readable.from(body.length ? [body] : [], { objectMode: false }) as Readable & {
      receivedEncodedLength?: number;
    };
    replay.receivedEncodedLength = body.length;
    return replay;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const r = req as unknown as Tagged;
    if (r.logEntry) r.logEntry.status = reply.statusCode;
    const signature = r[SIGNATURE];
    if (signature && reply.statusCode === 429) {
      const seconds = retryAfterSeconds(reply.getHeader('retry-after'));
      if (seconds !== null) faults.rateLimited(signature, seconds);
    }
    if (r[DROP]) {
      // The handler ran (the write is stored); the client never hears back.
      req.raw.socket.destroy();
    }
    return payload;
  });

  app.get('/_sandbox/state', async () => {
    const state = await opts.state();
    return state && typeof state === 'object' && !Array.isArray(state) ? { ...state, faults: faults.view() } : state;
  });
  app.get('/_sandbox/requests', async () => requests);
  app.get('/_sandbox/faults', async () => faults.view());
  app.post('/_sandbox/faults', async (req, reply) => {
    const body = req.body as (FaultSpec & { random?: unknown }) | undefined;
    if (body && typeof body === 'object' && 'random' in body) {
      try {
        if (body.random === null) faults.clearRandom();
        else faults.setRandom(body.random as RandomFaultSpec);
      } catch (e) {
        if (e instanceof FaultSpecError) return reply.code(400).send({ error: e.message });
        throw e;
      }
      return faults.view();
    }
    if (!body || !FAULT_KINDS.includes(body.kind)) {
      return reply.code(400).send({
        error: `body.kind must be one of ${FAULT_KINDS.join(', ')} (or send { "random": { "rate": 0.2, … } })`,
      });
    }
    faults.inject(body);
    return { pending: faults.pending() };
  });
  app.delete('/_sandbox/faults', async () => {
    faults.clear();
    return faults.view();
  });
  app.post('/_sandbox/reset', async () => {
    opts.reset?.();
    faults.clear();
    faults.resetStats();
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
