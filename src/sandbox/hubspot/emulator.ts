/**
 * A loopback HubSpot for tests and the demo: the documented paths and shapes of the CRM v3 objects API
 * (get/create/update/archive/search/batch read, create, update, upsert), associations v4, lists v3 memberships,
 * owners v3, properties v3, pipelines v3 and the events v3 API; Bearer-token auth, HubSpot's error envelopes,
 * its X-HubSpot-RateLimit-* headers and its 429. Built on src/sandbox/emulator-kit.ts (request log,
 * GET /_sandbox/state, fault injection).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resolveOrgConfigPath, loadOrgConfigFile } from '../../config/org-config-file';
import type { OrgConfig } from '../../domain/org-config';
import { startEmulator, type Emulator } from '../emulator-kit';
import {
  badRequest,
  errorBody,
  HubSpotApiError,
  notFound,
  rateLimitedBody,
  serverErrorBody,
  unauthorized,
} from './errors';
import { associationLabel, OBJECT_TYPE_IDS, resolveObjectType, type ObjectType } from './schema';
import { seedDemoPortal } from './seed';
import { HubSpotStore, type AssociationInput, type SearchRequest, type StoredObject } from './store';

export const DEFAULT_SANDBOX_HUBSPOT_TOKEN = 'sandbox-hubspot-token';

export interface HubSpotEmulatorOptions {
  port?: number;
  /** The private-app token requests must carry (default `sandbox-hubspot-token`). */
  accessToken?: string;
  /** Seed the demo org (default true). Without it the portal has only HubSpot's built-in properties and pipeline. */
  seed?: boolean;
  /** The org the demo portal mirrors (default: the file HANDOFF_CONFIG names, else config/handoff.config.yaml). */
  config?: OrgConfig;
  /** The portal's clock (default: wall clock). Seeded activity is relative to it. */
  clock?: () => Date;
  /** How long a write takes to show in search results (HubSpot's index is eventually consistent). Default 0. */
  searchIndexLagMs?: number;
  /**
   * Whether the portal has the web-analytics events API (Enterprise tiers). `false` answers it with 403, as a
   * portal without it (or a token without the scope) does. Default true.
   */
  eventsApi?: boolean;
}

export interface HubSpotEmulator extends Emulator {
  readonly store: HubSpotStore;
  readonly accessToken: string;
}

const DAILY_LIMIT = 250_000;
const TEN_SECOND_LIMIT = 190;
const WINDOW_MS = 10_000;

const HTML_NOT_FOUND =
  '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n<title>Error 404 Not Found</title>\n</head>\n<body><h2>HTTP ERROR 404</h2>\n<p>Not Found</p>\n</body>\n</html>\n';

export async function startHubSpotEmulator(opts: HubSpotEmulatorOptions = {}): Promise<HubSpotEmulator> {
  const accessToken = opts.accessToken ?? DEFAULT_SANDBOX_HUBSPOT_TOKEN;
  const clock = opts.clock ?? (() => new Date());
  const store = new HubSpotStore(clock, opts.searchIndexLagMs ?? 0);
  const seed = opts.seed !== false;
  const config = seed ? (opts.config ?? loadOrgConfigFile(resolveOrgConfigPath())) : undefined;
  const reseed = () => {
    store.clear();
    if (config) seedDemoPortal(store, config);
  };
  reseed();

  const usage = { day: 0, windowStart: 0, inWindow: 0 };
  const rateHeaders = (reply: FastifyReply, exhausted: boolean) => {
    const now = clock().getTime();
    if (now - usage.windowStart >= WINDOW_MS) {
      usage.windowStart = now;
      usage.inWindow = 0;
    }
    if (!exhausted) {
      usage.day += 1;
      usage.inWindow += 1;
    }
    const remaining = exhausted ? 0 : Math.max(0, TEN_SECOND_LIMIT - usage.inWindow);
    reply.headers({
      'X-HubSpot-RateLimit-Daily': String(DAILY_LIMIT),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, DAILY_LIMIT - usage.day)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(WINDOW_MS),
      'X-HubSpot-RateLimit-Max': String(TEN_SECOND_LIMIT),
      'X-HubSpot-RateLimit-Remaining': String(remaining),
      'X-HubSpot-RateLimit-Secondly': String(Math.floor(TEN_SECOND_LIMIT / 10)),
      'X-HubSpot-RateLimit-Secondly-Remaining': String(Math.floor(remaining / 10)),
    });
  };

  const emulator = await startEmulator({
    name: 'hubspot',
    port: opts.port,
    state: () => store.snapshot(),
    reset: reseed,
    rateLimited: (reply, retryAfterSeconds) => {
      rateHeaders(reply, true);
      return reply.code(429).header('Retry-After', String(retryAfterSeconds)).send(rateLimitedBody());
    },
    serverError: (reply, status) => reply.code(status).send(serverErrorBody(status)),
    routes: (app) => mountRoutes(app, store, { accessToken, eventsApi: opts.eventsApi !== false }, rateHeaders),
  });
  return Object.assign(emulator, { store, accessToken });
}

type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;

function mountRoutes(
  app: FastifyInstance,
  store: HubSpotStore,
  portal: { accessToken: string; eventsApi: boolean },
  rateHeaders: (reply: FastifyReply, exhausted: boolean) => void,
): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/_sandbox/')) return;
    rateHeaders(reply, false);
    if (req.headers.authorization !== `Bearer ${portal.accessToken}`) {
      const e = unauthorized();
      return reply.code(e.statusCode).send(e.body);
    }
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof HubSpotApiError) return reply.code(err.statusCode).send(err.body);
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    const category = status < 500 ? 'VALIDATION_ERROR' : 'INTERNAL_ERROR';
    return reply
      .code(status)
      .send(errorBody(status < 500 ? `Invalid input: ${err.message}` : 'internal error', category));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody(`No route for ${req.method} ${req.url.split('?')[0]}`, 'OBJECT_NOT_FOUND')),
  );

  /** Registers a route with and without the trailing slash, as HubSpot answers both. */
  const route = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, handler: Handler) => {
    app.route({ method, url: path, handler });
    app.route({ method, url: `${path}/`, handler });
  };

  const param = (req: FastifyRequest, name: string) => (req.params as Record<string, string>)[name]!;
  const query = (req: FastifyRequest) => req.query as Record<string, string | string[] | undefined>;
  const objectType = (req: FastifyRequest) => resolveObjectType(param(req, 'objectType'));
  /** HubSpot's answer to a batch (or association) call: every input done, between `startedAt` and now. */
  const completed = <T>(startedAt: string, results: T[]) => ({
    status: 'COMPLETE',
    results,
    startedAt,
    completedAt: store.now(),
  });

  // --- CRM objects v3 -------------------------------------------------------------------------------------

  route('GET', '/crm/v3/objects/:objectType/:objectId', (req, reply) => {
    const type = objectType(req);
    const q = query(req);
    const idProperty = first(q.idProperty);
    const obj = store.find(type, param(req, 'objectId'), idProperty);
    if (!obj) {
      // HubSpot answers a miss by unique property with its web server's HTML 404, not the JSON envelope.
      if (idProperty) return reply.code(404).type('text/html;charset=utf-8').send(HTML_NOT_FOUND);
      throw notFound('resource not found', { id: [param(req, 'objectId')] });
    }
    return store.toPublic(obj, list(q.properties));
  });

  route('POST', '/crm/v3/objects/:objectType', (req, reply) => {
    const type = objectType(req);
    const body = objectBody(req);
    const properties = propertiesOf(body);
    const obj = store.create(type, properties, associationsOf(body));
    return reply.code(201).send(store.toPublic(obj, Object.keys(properties)));
  });

  route('PATCH', '/crm/v3/objects/:objectType/:objectId', (req) => {
    const type = objectType(req);
    const body = objectBody(req);
    const properties = propertiesOf(body);
    const obj = store.update(type, param(req, 'objectId'), properties, { idProperty: first(query(req).idProperty) });
    return store.toPublic(obj, Object.keys(properties));
  });

  route('DELETE', '/crm/v3/objects/:objectType/:objectId', (req, reply) => {
    store.archive(objectType(req), param(req, 'objectId'));
    return reply.code(204).send();
  });

  route('POST', '/crm/v3/objects/:objectType/search', (req) => {
    const result = store.search(objectType(req), objectBody(req) as SearchRequest);
    return {
      total: result.total,
      results: result.results,
      ...(result.after ? { paging: { next: { after: result.after } } } : {}),
    };
  });

  route('POST', '/crm/v3/objects/:objectType/batch/read', (req, reply) => {
    const type = objectType(req);
    const body = objectBody(req);
    const inputs = batchInputs(body);
    const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
    const properties = Array.isArray(body.properties) ? (body.properties as string[]) : undefined;
    const started = store.now();
    const found: StoredObject[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const id = String(input.id ?? '');
      const obj = store.find(type, id, idProperty);
      if (obj) found.push(obj);
      else missing.push(id);
    }
    const response = completed(
      started,
      found.map((o) => store.toPublic(o, properties)),
    );
    if (!missing.length) return response;
    return reply.code(207).send({
      ...response,
      numErrors: 1,
      errors: [
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: `Could not get some ${type.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
          context: { ids: missing },
        },
      ],
    });
  });

  route('POST', '/crm/v3/objects/:objectType/batch/create', (req, reply) => {
    const type = objectType(req);
    const inputs = batchInputs(objectBody(req));
    const started = store.now();
    const results = inputs.map((i) => {
      const properties = propertiesOf(i);
      return store.toPublic(store.create(type, properties, associationsOf(i)), Object.keys(properties));
    });
    return reply.code(201).send(completed(started, results));
  });

  route('POST', '/crm/v3/objects/:objectType/batch/update', (req) => {
    const type = objectType(req);
    const body = objectBody(req);
    const inputs = batchInputs(body);
    const started = store.now();
    const results = inputs.map((i) => {
      const properties = propertiesOf(i);
      const idProperty = typeof i.idProperty === 'string' ? i.idProperty : undefined;
      return store.toPublic(
        store.update(type, String(i.id ?? ''), properties, { idProperty }),
        Object.keys(properties),
      );
    });
    return completed(started, results);
  });

  route('POST', '/crm/v3/objects/:objectType/batch/upsert', (req) => {
    const type = objectType(req);
    const inputs = batchInputs(objectBody(req));
    const started = store.now();
    const results = inputs.map((i) => {
      const properties = propertiesOf(i);
      const { obj, created } = store.upsert(type, {
        idProperty: typeof i.idProperty === 'string' ? i.idProperty : undefined,
        id: String(i.id ?? ''),
        properties,
      });
      return { ...store.toPublic(obj, Object.keys(properties)), new: created };
    });
    return completed(started, results);
  });

  // --- Associations v4 -------------------------------------------------------------------------------------

  route('GET', '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType', (req) => {
    const type = objectType(req);
    const toType = resolveObjectType(param(req, 'toObjectType'));
    const id = param(req, 'objectId');
    if (!store.get(type, id)) throw notFound(`${type} ${id} does not exist`, { id: [id] });
    const q = query(req);
    const page = pageOf(store.associations(type, id, toType), first(q.after), clampLimit(first(q.limit), 500, 500));
    return {
      ...page,
      results: page.results.map((r) => ({
        toObjectId: Number(r.toObjectId),
        associationTypes: r.typeIds.map((typeId) => ({
          category: 'HUBSPOT_DEFINED',
          typeId,
          label: associationLabel(typeId),
        })),
      })),
    };
  });

  route(
    'PUT',
    '/crm/v4/objects/:fromObjectType/:fromObjectId/associations/default/:toObjectType/:toObjectId',
    (req) => {
      const fromType = resolveObjectType(param(req, 'fromObjectType'));
      const toType = resolveObjectType(param(req, 'toObjectType'));
      const fromId = param(req, 'fromObjectId');
      const toId = param(req, 'toObjectId');
      const started = store.now();
      const typeId = store.associate(fromType, fromId, toType, toId);
      return completed(started, [
        {
          from: { id: fromId },
          to: { id: toId },
          associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId },
        },
      ]);
    },
  );

  route('PUT', '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId', (req) => {
    const fromType = objectType(req);
    const toType = resolveObjectType(param(req, 'toObjectType'));
    const fromId = param(req, 'objectId');
    const toId = param(req, 'toObjectId');
    const specs = Array.isArray(req.body)
      ? (req.body as { associationCategory?: string; associationTypeId?: number }[])
      : [];
    if (!specs.length) throw badRequest('Body must be a non-empty array of association specs');
    const labels = new Set<string>();
    for (const spec of specs) {
      if (spec.associationCategory !== 'HUBSPOT_DEFINED') {
        throw badRequest(`associationCategory ${spec.associationCategory} is not supported by the sandbox`);
      }
      const typeId = store.associate(fromType, fromId, toType, toId, spec.associationTypeId);
      const label = associationLabel(typeId);
      if (label) labels.add(label);
    }
    return {
      fromObjectTypeId: OBJECT_TYPE_IDS[fromType],
      fromObjectId: Number(fromId),
      toObjectTypeId: OBJECT_TYPE_IDS[toType],
      toObjectId: Number(toId),
      labels: [...labels],
    };
  });

  route('DELETE', '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId', (req, reply) => {
    store.dissociate(
      objectType(req),
      param(req, 'objectId'),
      resolveObjectType(param(req, 'toObjectType')),
      param(req, 'toObjectId'),
    );
    return reply.code(204).send();
  });

  // --- Lists v3 --------------------------------------------------------------------------------------------

  route('GET', '/crm/v3/lists/:listId', (req) => {
    const l = store.requireList(param(req, 'listId'));
    return {
      list: {
        listId: l.listId,
        name: l.name,
        objectTypeId: l.objectTypeId,
        processingType: l.processingType,
        processingStatus: 'COMPLETE',
        listVersion: 1,
        size: l.members.size,
        createdAt: l.createdAt,
        updatedAt: l.updatedAt,
      },
    };
  });

  route('PUT', '/crm/v3/lists/:listId/memberships/add', (req) => {
    if (!Array.isArray(req.body)) throw badRequest('Body must be an array of record ids');
    const { added, missing } = store.addListMembers(param(req, 'listId'), (req.body as unknown[]).map(String));
    return { recordIdsRemoved: [], recordsIdsAdded: added, recordIdsMissing: missing };
  });

  route('GET', '/crm/v3/lists/:listId/memberships', (req) => {
    const l = store.requireList(param(req, 'listId'));
    return {
      results: [...l.members].map(([recordId, membershipTimestamp]) => ({ recordId, membershipTimestamp })),
      total: l.members.size,
    };
  });

  // --- Owners v3 -------------------------------------------------------------------------------------------

  route('GET', '/crm/v3/owners', (req) => {
    const q = query(req);
    const email = first(q.email)?.toLowerCase();
    const archived = first(q.archived) === 'true';
    const owners = store.owners.filter((o) => o.archived === archived && (!email || o.email.toLowerCase() === email));
    return pageOf(owners, first(q.after), clampLimit(first(q.limit), 100, 500));
  });

  route('GET', '/crm/v3/owners/:ownerId', (req, reply) => {
    const owner = store.owners.find((o) => o.id === param(req, 'ownerId') && !o.archived);
    if (!owner) return reply.code(404).type('text/html;charset=utf-8').send(HTML_NOT_FOUND);
    return owner;
  });

  // --- Properties v3 ---------------------------------------------------------------------------------------

  route('GET', '/crm/v3/properties/:objectType', (req) => ({ results: store.propertyDefinitions(objectType(req)) }));

  route('POST', '/crm/v3/properties/:objectType', (req, reply) =>
    reply.code(201).send(store.createProperty(objectType(req), objectBody(req))),
  );

  route('GET', '/crm/v3/properties/:objectType/groups', (req) => ({ results: store.propertyGroups(objectType(req)) }));

  route('POST', '/crm/v3/properties/:objectType/groups', (req, reply) =>
    reply.code(201).send(store.createPropertyGroup(objectType(req), objectBody(req))),
  );

  route('GET', '/crm/v3/properties/:objectType/:propertyName', (req) => {
    const def = store.propertyDefinition(objectType(req), param(req, 'propertyName'));
    if (!def) throw notFound(`Unable to find property ${param(req, 'propertyName')}`);
    return def;
  });

  // --- Pipelines v3 ----------------------------------------------------------------------------------------

  route('GET', '/crm/v3/pipelines/:objectType', (req) => {
    if (objectType(req) !== 'deals') return { results: [] };
    return { results: [...store.pipelines.values()] };
  });

  route('GET', '/crm/v3/pipelines/:objectType/:pipelineId', (req) => {
    const pipeline = objectType(req) === 'deals' ? store.pipelines.get(param(req, 'pipelineId')) : undefined;
    if (!pipeline) throw notFound(`Unable to find pipeline ${param(req, 'pipelineId')}`);
    return pipeline;
  });

  // --- Events v3 -------------------------------------------------------------------------------------------

  route('GET', '/events/v3/events', (req) => {
    if (!portal.eventsApi) {
      throw new HubSpotApiError(
        403,
        errorBody(
          "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
          'MISSING_SCOPES',
        ),
      );
    }
    const q = query(req);
    const objectId = first(q.objectId);
    const rawType = first(q.objectType);
    if (objectId && !rawType) throw badRequest('objectType is required when objectId is given');
    const type: ObjectType | undefined = rawType ? resolveObjectType(rawType) : undefined;
    const eventType = first(q.eventType);
    const after = time(first(q.occurredAfter), 'occurredAfter');
    const before = time(first(q.occurredBefore), 'occurredBefore');
    const limit = clampLimit(first(q.limit), 20, 1000);
    const sort = (list(q.sort) ?? []).join(',');
    const ascending = /^(ASCENDING|occurredAt)$/i.test(sort);
    const events = store.webEvents
      .filter(
        (e) =>
          (!type || resolveObjectType(e.objectType) === type) &&
          (!objectId || e.objectId === objectId) &&
          (!eventType || e.eventType === eventType) &&
          (after === undefined || Date.parse(e.occurredAt) >= after) &&
          (before === undefined || Date.parse(e.occurredAt) < before),
      )
      .sort((a, b) => (Date.parse(a.occurredAt) - Date.parse(b.occurredAt)) * (ascending ? 1 : -1));
    const page = pageOf(events, first(q.after), limit);
    return {
      ...page,
      results: page.results.map((e) => ({
        objectType: e.objectType,
        objectId: e.objectId,
        eventType: e.eventType,
        occurredAt: e.occurredAt,
        id: e.id,
        properties: e.properties,
      })),
    };
  });
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `properties=a&properties=b` or `properties=a,b`. */
function list(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v])
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
}

/** One page of `all` from the offset cursor `after`, with `paging.next.after` while more remain. */
function pageOf<T>(
  all: T[],
  after: string | undefined,
  limit: number,
): { results: T[]; paging?: { next: { after: string } } } {
  const start = Number(after ?? 0) || 0;
  const end = start + limit;
  return {
    results: all.slice(start, end),
    ...(end < all.length ? { paging: { next: { after: String(end) } } } : {}),
  };
}

function clampLimit(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest(`limit ${raw} must be an integer 1..${max}`);
  return n;
}

function time(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (Number.isNaN(ms)) throw badRequest(`${name} "${raw}" is not an ISO-8601 date-time or epoch milliseconds`);
  return ms;
}

function objectBody(req: FastifyRequest): Record<string, unknown> {
  const body = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object');
  return body as Record<string, unknown>;
}

function batchInputs(body: Record<string, unknown>): Record<string, unknown>[] {
  if (!Array.isArray(body.inputs)) throw badRequest('inputs must be an array');
  if (body.inputs.length > 100) throw badRequest('Batch requests take at most 100 inputs');
  return body.inputs as Record<string, unknown>[];
}

/** A create/update input's `properties`, `{}` when absent. */
function propertiesOf(input: Record<string, unknown>): Record<string, unknown> {
  return (input.properties ?? {}) as Record<string, unknown>;
}

function associationsOf(body: Record<string, unknown>): AssociationInput[] {
  return Array.isArray(body.associations) ? (body.associations as AssociationInput[]) : [];
}
