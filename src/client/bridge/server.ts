/**
 * The webhook bridge: turns CRM and Slack events into handoff starts, signals and updates.
 *
 *   POST /webhooks/hubspot      HubSpot webhook batches (+ relayed form submissions), X-HubSpot-Signature-v3
 *   POST /webhooks/salesforce   Salesforce Outbound Messages (SOAP), OrganizationId check, SOAP Ack
 *   POST /slack/interactions    the handoff DM's buttons, X-Slack-Signature v0
 *   GET  /healthz  /readyz  /metrics
 *
 * Every body is read raw (signatures cover the exact bytes) and capped at `bodyLimit`. Refused input gets a 4xx
 * JSON `{ error, field?, expected? }` and one log line without lead data; Temporal unreachable gets 503 so the
 * sender retries, which is safe because every start and signal here is idempotent. Whether Temporal is reachable
 * is known from a probe (temporal-health.ts): while it is down the webhooks answer 503 at once, and within about a
 * second of its return they are served again.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { SlackResponder } from '../../activities/slack/slack-responder';
import type { OrgConfig } from '../../domain/org-config';
import { handoffWorkflowId } from '../../workflows/definitions';
import { signalRepActivity, startHandoff } from '../handoff-commands';
import { TemporalUnavailableError, type TemporalGateway } from '../temporal-gateway';
import { BadRequest, problem, type Problem } from './bad-request';
import { classifyHubSpotEvent, parseHubSpotBody, type ClassifiedEvent } from './hubspot-events';
import { BridgeMetrics } from './metrics';
import { OUTBOUND_ACK, parseOutboundMessage } from './salesforce-outbound';
import { resolveBridgeSecrets, type BridgeSecrets } from './secrets';
import { verifyHubSpotSignatureV3, verifySlackSignature, type SignatureCheck } from './signatures';
import { answerClick } from './slack-clicks';
import { parseSlackInteraction } from './slack-interactions';
import { createTemporalHealth, type TemporalHealth, type TemporalHealthOptions } from './temporal-health';

export interface BridgeOptions {
  temporal: TemporalGateway;
  taskQueue: string;
  config: OrgConfig;
  secrets: Partial<BridgeSecrets>;
  /**
   * Outside production, stand-ins for secrets `secrets` lacks: the sandbox's, given by whoever started it (the
   * signing secrets default to the ones `handoff simulate` uses). Ignored in production.
   */
  developmentSecrets?: Partial<BridgeSecrets>;
  /** Public base URL HubSpot calls (e.g. https://bridge.example.com); signatures cover it. Else the Host header. */
  publicUrl?: string;
  /** Tells a Slack user why a click was refused; absent → the refusal is only logged. */
  slack?: SlackResponder;
  production: boolean;
  now?: () => number;
  log?: (entry: object) => void;
  /** Largest body accepted, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** How long a Slack click waits for the workflow before answering Slack (default 2.5 s; Slack allows 3 s). */
  slackAnswerWithinMs?: number;
  /** How often Temporal is probed (temporal-health.ts defaults). */
  health?: TemporalHealthOptions;
}

export interface Bridge {
  app: FastifyInstance;
  metrics: BridgeMetrics;
  /** Whether Temporal is reachable, as the probe last found. */
  health: TemporalHealth;
  /** Starts listening; resolves to the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export type EventOutcome = 'started' | 'attached' | 'duplicate' | 'signalled' | 'ignored' | 'rejected';

export interface EventResult {
  index: number;
  eventId: string | null;
  contactId: string | null;
  outcome: EventOutcome;
  workflowId?: string;
  reason?: string;
  error?: string;
  field?: string;
  expected?: string;
}

/** Events of one contact run in order; contacts run side by side, this many at a time. */
const CONTACT_CONCURRENCY = 16;

export async function createBridge(opts: BridgeOptions): Promise<Bridge> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((entry: object) => process.stdout.write(`${JSON.stringify(entry)}\n`));
  const { secrets, sandboxDefaults, unset } = resolveBridgeSecrets(
    opts.secrets,
    opts.production,
    opts.developmentSecrets,
  );
  if (sandboxDefaults.length > 0) {
    log({ level: 'warn', msg: 'using sandbox defaults for bridge secrets', variables: sandboxDefaults });
  }
  if (unset.length > 0) {
    log({ level: 'warn', msg: 'bridge secrets not set: the requests they check are refused', variables: unset });
  }
  if (!opts.slack)
    log({ level: 'warn', msg: 'no Slack responder: refused clicks are logged, not shown to the clicker' });

  const health = createTemporalHealth(opts.temporal, { ...opts.health, log, now });
  // Probing from the start: a bridge started while Temporal is down says so before its first request.
  health.start();
  const metrics = new BridgeMetrics({ temporalUp: () => health.state !== 'down' });
  /** 503 at once while the probe finds Temporal down: the sender retries, and nothing waits on a dead connection. */
  const temporalNeeded = (): void => {
    if (health.state === 'down') throw new TemporalUnavailableError(opts.temporal.address);
  };
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 1024 * 1024, forceCloseConnections: true });

  // Raw bytes for every content type: signatures cover the exact body, and parsing errors are ours to word.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const started = new WeakMap<FastifyRequest, bigint>();
  app.addHook('onRequest', async (req) => {
    started.set(req, process.hrtime.bigint());
  });
  app.addHook('onResponse', async (req, reply) => {
    const t0 = started.get(req);
    const seconds = t0 === undefined ? 0 : Number(process.hrtime.bigint() - t0) / 1e9;
    metrics.request(routeOf(req), reply.statusCode, seconds);
  });

  const refuse = (req: FastifyRequest, reply: FastifyReply, status: number, p: Problem): FastifyReply => {
    log({ level: 'warn', msg: 'request refused', route: routeOf(req), status, ...p });
    metrics.outcome(routeOf(req), 'rejected');
    return reply.code(status).send(p);
  };

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(problem(`no route ${req.method} ${req.url.split('?')[0]}`, 'url', ROUTES.join(', '))),
  );

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof BadRequest) return refuse(req, reply, err.status, err.problem);
    if (err instanceof TemporalUnavailableError) {
      health.suspect();
      log({ level: 'warn', msg: 'Temporal unreachable', route: routeOf(req), temporal: err.address });
      metrics.outcome(routeOf(req), 'unavailable');
      return reply
        .code(503)
        .header('retry-after', '30')
        .send(problem(`Temporal at ${err.address} is unreachable; nothing was lost, retry later`));
    }
    const status = err.statusCode ?? 500;
    if (status === 413) {
      const limit = opts.bodyLimit ?? 1024 * 1024;
      return refuse(req, reply, 413, problem('payload too large', 'body', `at most ${limit} bytes`));
    }
    if (status === 415) return refuse(req, reply, 415, problem('unsupported media type', 'content-type'));
    if (status >= 400 && status < 500) return refuse(req, reply, status, problem(err.message));
    log({ level: 'error', msg: 'request failed', route: routeOf(req), error: err.message });
    return reply.code(500).send(problem('internal error; the sender may retry'));
  });

  const rawBody = (req: FastifyRequest): Buffer => {
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new BadRequest(400, problem('empty body', 'body', 'a request body'));
    }
    return req.body;
  };

  const checked = (check: SignatureCheck): void => {
    if (!check.ok) throw new BadRequest(401, problem(check.error, check.field, check.expected));
  };

  // ---- HubSpot ----
  app.post('/webhooks/hubspot', async (req, reply) => {
    const body = rawBody(req);
    const base = opts.publicUrl ? opts.publicUrl.replace(/\/+$/, '') : `${req.protocol}://${req.headers.host ?? ''}`;
    checked(
      verifyHubSpotSignatureV3({
        secret: secrets.hubspotClientSecret,
        method: req.method,
        uri: base + req.url,
        body,
        signature: header(req, 'x-hubspot-signature-v3'),
        timestamp: header(req, 'x-hubspot-request-timestamp'),
        nowMs: now(),
      }),
    );
    const parsed = parseHubSpotBody(body);
    if ('problem' in parsed) throw new BadRequest(400, parsed.problem);
    const classified = parsed.events.map((raw, i) => classifyHubSpotEvent(raw, i, opts.config));
    const rejected = classified.filter((c) => c.decision.action === 'reject');
    if (rejected.length === classified.length) {
      const first = rejected[0]!.decision as { problem: Problem };
      log({
        level: 'warn',
        msg: 'request refused',
        route: routeOf(req),
        status: 400,
        events: rejected.length,
        ...first.problem,
      });
      metrics.outcome(routeOf(req), 'rejected', rejected.length);
      return reply.code(400).send({ ...first.problem, results: classified.map(resultOf) });
    }
    if (classified.some((c) => c.decision.action === 'start' || c.decision.action === 'signal')) temporalNeeded();
    const results = await applyHubSpotEvents(classified);
    const counts = countBy(results.map((r) => r.outcome));
    for (const [outcome, n] of Object.entries(counts)) metrics.outcome(routeOf(req), outcome, n);
    const refusedEvents = results.filter((r) => r.outcome === 'rejected');
    log({
      level: refusedEvents.length ? 'warn' : 'info',
      msg: 'hubspot batch',
      events: results.length,
      outcomes: counts,
      ...(refusedEvents.length
        ? { refused: refusedEvents.map((r) => ({ index: r.index, field: r.field, error: r.error })) }
        : {}),
    });
    return reply.code(200).send({ results });
  });

  async function applyHubSpotEvents(events: ClassifiedEvent[]): Promise<EventResult[]> {
    const results: EventResult[] = events.map(resultOf);
    const byContact = new Map<string, ClassifiedEvent[]>();
    for (const e of events) {
      if (e.decision.action !== 'start' && e.decision.action !== 'signal') continue;
      const list = byContact.get(e.decision.contactId) ?? [];
      list.push(e);
      byContact.set(e.decision.contactId, list);
    }
    await inParallel([...byContact.values()], CONTACT_CONCURRENCY, async (contactEvents) => {
      for (const e of contactEvents) results[e.index] = await applyHubSpotEvent(e);
    });
    return results;
  }

  async function applyHubSpotEvent(e: ClassifiedEvent): Promise<EventResult> {
    const d = e.decision;
    const base = { index: e.index, eventId: e.eventId, contactId: e.contactId };
    if (d.action === 'start') {
      const input = { source: 'hubspot' as const, contactId: d.contactId, trigger: d.trigger };
      const r = await opts.temporal.run((c) => startHandoff(c, opts.taskQueue, input, d.occurredAtMs));
      return { ...base, outcome: r.outcome, workflowId: r.workflowId, ...('reason' in r ? { reason: r.reason } : {}) };
    }
    if (d.action === 'signal') {
      const workflowId = handoffWorkflowId('hubspot', d.contactId);
      const r = await opts.temporal.run((c) => signalRepActivity(c, workflowId, d.activity));
      return { ...base, workflowId, outcome: r.outcome, ...('reason' in r ? { reason: r.reason } : {}) };
    }
    return resultOf(e);
  }

  // ---- Salesforce ----
  app.post('/webhooks/salesforce', async (req, reply) => {
    const parsed = parseOutboundMessage(rawBody(req), secrets.salesforceOrgId, opts.config);
    if ('problem' in parsed) throw new BadRequest(parsed.status, parsed.problem);
    if (parsed.notifications.some((n) => n.decision.action !== 'ignore')) temporalNeeded();
    const outcomes: { notification: string; outcome: string; reason?: string }[] = [];
    for (const n of parsed.notifications) {
      if (n.decision.action === 'ignore') {
        outcomes.push({ notification: n.id, outcome: 'ignored', reason: n.decision.reason });
        continue;
      }
      const workflowId = handoffWorkflowId('hubspot', n.decision.contactId);
      const activity = n.decision.activity;
      const r = await opts.temporal.run((c) => signalRepActivity(c, workflowId, activity));
      outcomes.push({ notification: n.id, outcome: r.outcome, ...('reason' in r ? { reason: r.reason } : {}) });
    }
    const counts = countBy(outcomes.map((o) => o.outcome));
    for (const [outcome, n] of Object.entries(counts)) metrics.outcome(routeOf(req), outcome, n);
    log({ level: 'info', msg: 'salesforce outbound message', notifications: outcomes });
    return reply.code(200).header('content-type', 'text/xml; charset=utf-8').send(OUTBOUND_ACK);
  });

  // ---- Slack ----
  app.post('/slack/interactions', async (req, reply) => {
    const body = rawBody(req);
    checked(
      verifySlackSignature({
        secret: secrets.slackSigningSecret,
        body,
        signature: header(req, 'x-slack-signature'),
        timestamp: header(req, 'x-slack-request-timestamp'),
        nowMs: now(),
      }),
    );
    const click = parseSlackInteraction(body, opts.config);
    if ('problem' in click) throw new BadRequest(400, click.problem);
    const answer = await answerClick(click, {
      temporal: opts.temporal,
      config: opts.config,
      slack: opts.slack,
      answerWithinMs: opts.slackAnswerWithinMs ?? 2_500,
      log,
    });
    metrics.outcome(routeOf(req), answer.outcome);
    log({ level: 'info', msg: 'slack click', kind: click.kind, outcome: answer.outcome, slackUser: click.slackUserId });
    if (answer.outcome === 'unavailable') throw new TemporalUnavailableError(opts.temporal.address);
    return reply.code(200).send();
  });

  // ---- operations ----
  // Liveness: 200 while the process serves, saying what the probe last found of Temporal.
  app.get('/healthz', async () => ({ status: 'ok', temporal: health.snapshot() }));
  app.get('/readyz', async (_req, reply) => {
    const state = health.state === 'unknown' ? await health.check() : health.state;
    const ready = state === 'up';
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'unavailable', temporal: opts.temporal.address });
  });
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  );

  await app.ready();
  // The first probe answered before the first request.
  await health.check();
  return {
    app,
    metrics,
    health,
    async listen(port, host = '127.0.0.1') {
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
      return `http://${shown}:${address.port}`;
    },
    async close() {
      await app.close();
      await health.stop();
    },
  };
}

const ROUTES = [
  'POST /webhooks/hubspot',
  'POST /webhooks/salesforce',
  'POST /slack/interactions',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
];

function routeOf(req: FastifyRequest): string {
  return req.routeOptions?.url ?? 'unmatched';
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function resultOf(e: ClassifiedEvent): EventResult {
  const base = { index: e.index, eventId: e.eventId, contactId: e.contactId };
  const d = e.decision;
  if (d.action === 'reject') return { ...base, outcome: 'rejected', ...d.problem };
  if (d.action === 'ignore') return { ...base, outcome: 'ignored', reason: d.reason };
  // Replaced once applied.
  return { ...base, outcome: 'ignored', reason: 'not applied' };
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
