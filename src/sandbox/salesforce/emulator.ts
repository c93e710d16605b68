/**
 * A loopback Salesforce that jsforce talks to as it talks to a real org: one base URL serves both the login host
 * (POST /services/oauth2/token, refresh-token and username-password grants) and the instance
 * (/services/data/vXX.X/…: sobjects, upsert by external id, SOQL query, the customNotificationAction invocable action).
 *
 * Like the real API: every data call needs `Authorization: Bearer <session>` and answers 401 INVALID_SESSION_ID once
 * the session expired (`sessionTtlMs`, or `expireSessions()`); every data answer carries
 * `Sforce-Limit-Info: api-usage=n/limit` and the org's daily limit answers 403 REQUEST_LIMIT_EXCEEDED; errors are
 * `[{message, errorCode, fields}]`. Fault injection (rate limit, 5xx, slow, drop-after-write) comes from the kit.
 * The SOAP partner endpoint (/services/Soap/u/XX.X) serves `convertLead()` (see soap.ts), with the session in the
 * envelope's SessionHeader and faults as SOAP faults (HTTP 500), injected ones included.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../config/org-config-file';
import type { OrgConfig } from '../../domain/org-config';
import { startEmulator, type Emulator } from '../emulator-kit';
import { fault, notFound, SalesforceFault } from './faults';
import { SalesforceOrg } from './org';
import { SANDBOX_INTEGRATION_USER_ID, SANDBOX_INTEGRATION_USERNAME, SANDBOX_ORG_ID, seedDemoOrg } from './seed';
import { parseLeadConverts, parseSoapRequest, SoapFault, soapFaultBody, soapResponse } from './soap';

export interface SalesforceEmulatorOptions {
  port?: number;
  /** Seed the demo org (users, queue, notification type, Initrode/Globex). Default true. */
  seed?: boolean;
  /** Connected app consumer key / secret the token endpoint accepts. */
  clientId?: string;
  clientSecret?: string;
  /** Session lifetime; 0 makes every session expire at once. Default 2 h. */
  sessionTtlMs?: number;
  /** Organisation the seed follows; default: the file HANDOFF_CONFIG names (config/handoff.config.yaml). */
  config?: OrgConfig;
}

/** What a test needs to connect: the connected app and the integration user's credentials. */
export interface SandboxCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  username: string;
  password: string;
}

export interface SalesforceEmulator extends Emulator {
  readonly store: SalesforceOrg;
  readonly credentials: SandboxCredentials;
  /** Ends every session: the next data call answers 401 INVALID_SESSION_ID. */
  expireSessions(): void;
  /** Invalidates the refresh token (an admin revoked the connected app's access). */
  revokeRefreshTokens(): void;
  /** Token endpoint calls so far, by grant type. */
  readonly tokenGrants: string[];
  /** The org's id (00D…), as its identity URLs and Outbound Messages carry it. */
  readonly orgId: string;
}

export const SUPPORTED_API_VERSIONS = Array.from({ length: 62 - 46 + 1 }, (_, i) => 46 + i);

function releaseLabel(major: number): string {
  const n = major - 45;
  const season = (['Spring', 'Summer', 'Winter'] as const)[n % 3]!;
  const year = 19 + Math.floor(n / 3) + (season === 'Winter' ? 1 : 0);
  return `${season} '${year}`;
}

const DEFAULT_SESSION_TTL_MS = 2 * 60 * 60 * 1000;

interface Session {
  userId: string;
  expiresAt: number;
}

type DataRequest = FastifyRequest<{
  Params: { version: string; type: string; id: string; field: string; value: string; action: string };
  Querystring: { q?: string; fields?: string };
}>;

export async function startSalesforceEmulator(opts: SalesforceEmulatorOptions = {}): Promise<SalesforceEmulator> {
  const config = opts.config ?? loadOrgConfigFile(resolveOrgConfigPath());
  const store = new SalesforceOrg();
  const seed = (): void => {
    if (opts.seed !== false) seedDemoOrg(store, config);
  };
  seed();

  const credentials: SandboxCredentials = {
    clientId: opts.clientId ?? 'sandbox-consumer-key',
    clientSecret: opts.clientSecret ?? 'sandbox-consumer-secret',
    refreshToken: `5Aep861${randomBytes(24).toString('base64url')}`,
    username: SANDBOX_INTEGRATION_USERNAME,
    password: 'sandbox-password',
  };
  const ttl = opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const sessions = new Map<string, Session>();
  const validRefreshTokens = new Set([credentials.refreshToken]);
  const tokenGrants: string[] = [];
  let baseUrl = '';

  const routes = (app: FastifyInstance): void => {
    app.setErrorHandler((err, _req, reply) => {
      if (err instanceof SalesforceFault) return reply.code(err.status).send(err.errors);
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 400 || status === 415) {
        return reply.code(400).send([{ message: err.message, errorCode: 'JSON_PARSER_ERROR' }]);
      }
      return reply
        .code(500)
        .send([{ message: `An unexpected error occurred: ${err.message}`, errorCode: 'UNKNOWN_EXCEPTION' }]);
    });
    app.setNotFoundHandler((_req, reply) => reply.code(404).send(notFound().errors));

    app.post('/services/oauth2/token', async (req, reply) => {
      const form = (req.body ?? {}) as Record<string, string | undefined>;
      const deny = (error: string, description: string) =>
        reply.code(400).send({ error, error_description: description });
      tokenGrants.push(form.grant_type ?? '(none)');
      if (form.grant_type !== 'refresh_token' && form.grant_type !== 'password') {
        return deny('unsupported_grant_type', 'grant type not supported');
      }
      if (form.client_id !== credentials.clientId) return deny('invalid_client_id', 'client identifier invalid');
      const secretRequired = form.grant_type === 'password';
      if ((secretRequired || form.client_secret !== undefined) && form.client_secret !== credentials.clientSecret) {
        return deny('invalid_client', 'invalid client credentials');
      }
      if (form.grant_type === 'refresh_token' && !validRefreshTokens.has(form.refresh_token ?? '')) {
        return deny('invalid_grant', 'expired access/refresh token');
      }
      if (
        form.grant_type === 'password' &&
        (form.username !== credentials.username || form.password !== credentials.password)
      ) {
        return deny('invalid_grant', 'authentication failure');
      }
      const userId = SANDBOX_INTEGRATION_USER_ID;
      const accessToken = `${SANDBOX_ORG_ID}!${randomBytes(30).toString('base64url')}`;
      sessions.set(accessToken, { userId, expiresAt: Date.now() + ttl });
      const id = `${baseUrl}/id/${SANDBOX_ORG_ID}/${userId}`;
      const issuedAt = String(Date.now());
      return reply.send({
        access_token: accessToken,
        signature: createHmac('sha256', credentials.clientSecret)
          .update(id + issuedAt)
          .digest('base64'),
        scope: 'api refresh_token',
        instance_url: baseUrl,
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
      });
    });

    app.get('/services/data', async () =>
      SUPPORTED_API_VERSIONS.map((v) => ({
        label: releaseLabel(v),
        url: `/services/data/v${v}.0`,
        version: `${v}.0`,
      })),
    );

    app.post('/services/Soap/u/:version', async (req, reply) => {
      const send = (status: number, xml: string) =>
        reply.code(status).header('content-type', 'text/xml; charset=utf-8').send(xml);
      try {
        const m = /^(\d+)\.0$/.exec((req.params as { version: string }).version);
        if (!m || !SUPPORTED_API_VERSIONS.includes(Number(m[1]))) {
          throw new SoapFault('UNSUPPORTED_API_VERSION', 'Invalid Api version specified on URL');
        }
        const soap = parseSoapRequest(req.body);
        const session = soap.sessionId ? sessions.get(soap.sessionId) : undefined;
        if (!session || Date.now() >= session.expiresAt) {
          if (soap.sessionId) sessions.delete(soap.sessionId);
          throw new SoapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
        }
        if (store.apiUsage >= store.apiLimit)
          throw new SoapFault('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
        store.apiUsage += 1;
        if (soap.operation !== 'convertLead') {
          throw new SoapFault(
            'Client',
            `No operation available for request {urn:partner.soap.sforce.com}${soap.operation}`,
            'soapenv',
          );
        }
        const results = store.convertLead(parseLeadConverts(soap.body), session.userId);
        return send(
          200,
          soapResponse(
            'convertLead',
            results.map((r) => ({ ...r, errors: r.errors.map((e) => ({ ...e })) })),
            { used: store.apiUsage, limit: store.apiLimit },
          ),
        );
      } catch (e) {
        if (e instanceof SoapFault) return send(500, soapFaultBody(e));
        throw e;
      }
    });

    app.register(async (data) => {
      data.addHook('onRequest', async (req, reply) => {
        const version = /^\/services\/data\/([^/?]+)/.exec(req.url)?.[1] ?? '';
        const m = /^v(\d+)\.0$/.exec(version);
        if (!m || !SUPPORTED_API_VERSIONS.includes(Number(m[1]))) throw notFound();
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const session = token ? sessions.get(token) : undefined;
        if (!session || Date.now() >= session.expiresAt) {
          if (token) sessions.delete(token);
          return reply
            .code(401)
            .header('WWW-Authenticate', 'Token')
            .send([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
        }
        (req as unknown as { sessionUserId: string }).sessionUserId = session.userId;
        if (store.apiUsage >= store.apiLimit) {
          reply.header('Sforce-Limit-Info', `api-usage=${store.apiUsage}/${store.apiLimit}`);
          throw fault(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
        }
        store.apiUsage += 1;
        reply.header('Sforce-Limit-Info', `api-usage=${store.apiUsage}/${store.apiLimit}`);
      });
      mountDataRoutes(data, store);
    });
  };

  const emulator = await startEmulator({
    name: 'salesforce',
    port: opts.port,
    routes,
    rateLimited: (reply: FastifyReply, retryAfterSeconds: number) =>
      isSoap(reply)
        ? // SOAP has no 429: the concurrency limit is a fault, without Retry-After.
          soapFault(reply, new SoapFault('REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'))
        : reply
            .code(429)
            .header('Retry-After', String(retryAfterSeconds))
            .send([{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]),
    serverError: (reply: FastifyReply, status: number) =>
      isSoap(reply)
        ? soapFault(
            reply,
            status === 503
              ? new SoapFault('SERVER_UNAVAILABLE', 'Server temporarily unavailable')
              : new SoapFault('UNKNOWN_EXCEPTION', 'An unexpected error occurred. ErrorId: 1337-42 (-1337)'),
          )
        : reply.code(status).send(
            status === 503
              ? [{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }]
              : [
                  {
                    message:
                      'An unexpected error occurred. Please include this ErrorId if you contact support: 1337-42 (-1337)',
                    errorCode: 'UNKNOWN_EXCEPTION',
                  },
                ],
          ),
    state: () => ({ ...store.snapshot(), sessions: sessions.size }),
    reset: () => {
      store.clear();
      seed();
    },
  });
  baseUrl = emulator.url;

  return Object.assign(emulator, {
    store,
    credentials,
    tokenGrants,
    orgId: SANDBOX_ORG_ID,
    expireSessions: () => sessions.clear(),
    revokeRefreshTokens: () => validRefreshTokens.clear(),
  });
}

const isSoap = (reply: FastifyReply): boolean => reply.request.url.startsWith('/services/Soap/');
const soapFault = (reply: FastifyReply, f: SoapFault): FastifyReply =>
  reply.code(500).header('content-type', 'text/xml; charset=utf-8').send(soapFaultBody(f));

const userOf = (req: FastifyRequest): string => (req as unknown as { sessionUserId: string }).sessionUserId;

function mountDataRoutes(app: FastifyInstance, store: SalesforceOrg): void {
  const base = '/services/data/:version';

  app.get(`${base}/query`, async (req: DataRequest) => {
    const q = req.query.q;
    if (!q) throw fault(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    return store.query(q, req.params.version);
  });

  app.post(`${base}/sobjects/:type`, async (req: DataRequest, reply) => {
    const id = store.create(req.params.type, req.body, userOf(req));
    return reply.code(201).send({ id, success: true, errors: [] });
  });

  app.get(`${base}/sobjects/:type/:id`, async (req: DataRequest) =>
    store.retrieve(req.params.type, req.params.id, req.params.version, req.query.fields),
  );

  app.patch(`${base}/sobjects/:type/:id`, async (req: DataRequest, reply) => {
    store.update(req.params.type, req.params.id, req.body, userOf(req));
    return reply.code(204).send();
  });

  app.delete(`${base}/sobjects/:type/:id`, async (req: DataRequest, reply) => {
    store.delete(req.params.type, req.params.id);
    return reply.code(204).send();
  });

  app.get(`${base}/sobjects/:type/:field/:value`, async (req: DataRequest, reply) => {
    const found = store.retrieveByExternalId(
      req.params.type,
      req.params.field,
      req.params.value,
      req.params.version,
      req.query.fields,
    );
    return Array.isArray(found) ? reply.code(300).send(found) : found;
  });

  app.patch(`${base}/sobjects/:type/:field/:value`, async (req: DataRequest, reply) => {
    const result = store.upsert(
      req.params.type,
      req.params.field,
      req.params.value,
      req.body,
      userOf(req),
      req.params.version,
    );
    if ('multiple' in result) return reply.code(300).send(result.multiple);
    // Since API 46.0 (the oldest served here) an update by external id answers 200 with the body, not 204.
    return reply
      .code(result.created ? 201 : 200)
      .send({ id: result.id, success: true, errors: [], created: result.created });
  });

  app.post(`${base}/actions/standard/:action`, async (req: DataRequest, reply) => {
    if (req.params.action !== 'customNotificationAction') throw notFound();
    const body = (req.body ?? {}) as { inputs?: unknown };
    const { results, allSucceeded } = store.sendCustomNotifications(body.inputs, userOf(req));
    return reply.code(allSucceeded ? 200 : 400).send(results);
  });
}
