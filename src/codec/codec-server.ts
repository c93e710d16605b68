/**
 * The codec server: lets the Temporal UI ("Remote Codec Endpoint", or the dev server's --ui-codec-endpoint) and
 * the Temporal CLI (`temporal workflow show --codec-endpoint …`) show the handoff's encrypted payloads decoded,
 * without the keys ever leaving this process. The remote codec protocol (samples-go codec-server/protocol.md):
 *
 *   POST …/encode, POST …/decode   body {"payloads":[{"metadata":{"<k>":"<base64>"},"data":"<base64>"}]}
 *                                  → 200 the same shape; bad JSON or a payload that does not decode → 400
 *
 * only the last path segment counts, so it may be mounted under any prefix. Browsers preflight (OPTIONS) from the
 * UI's origin with Content-Type, X-Namespace and, with "pass access token", Authorization.
 *
 * Who may call it:
 *   - CORS: only the configured origins (HANDOFF_CODEC_CORS_ORIGINS; by default the local UI's) get
 *     Access-Control-Allow-* headers; a request carrying any other Origin is refused (403).
 *   - HANDOFF_CODEC_AUTH_TOKEN set: /encode and /decode need `Authorization: Bearer <token>` (401 otherwise);
 *     `temporal … --codec-auth "Bearer <token>"` sends it. Production refuses to start the server without it.
 *   - Without a token it answers only requests addressed to localhost (a Host header check, against DNS
 *     rebinding): the sandbox's UI on the same machine.
 *   - X-Namespace, when sent and not empty, must be this deployment's namespace.
 * One log line per request: operation, status, payload count and time; never a payload, a key or the token.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CodecServerSettings } from '../config/env';

export interface CodecServerOptions {
  codec: PayloadCodec;
  settings: Pick<CodecServerSettings, 'corsOrigins' | 'authToken' | 'namespace'>;
  log?: (entry: Record<string, unknown>) => void;
  /** Largest request body accepted (default 16 MiB: a page of history can carry many payloads). */
  maxBodyBytes?: number;
}

export interface CodecServer {
  server: Server;
  /** Resolves with the base URL, e.g. http://127.0.0.1:8234. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly expected?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A codec server that must not start as configured (the message names the variable). */
export class CodecServerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecServerConfigError';
  }
}

/** Refuses what would make the codec server useless or an open decryption service. */
export function checkCodecServerConfig(opts: { keyCount: number; production: boolean; authToken?: string }): void {
  if (opts.keyCount === 0) {
    throw new CodecServerConfigError(
      'codec server: no codec key: set HANDOFF_CODEC_KEYS (or run `npm start` once, which generates the sandbox key into the data folder)',
    );
  }
  if (opts.production && !opts.authToken) {
    throw new CodecServerConfigError(
      'NODE_ENV=production and HANDOFF_CODEC_AUTH_TOKEN is not set: the codec server decrypts lead data for whoever calls it (README: "Encrypted payloads")',
    );
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization';

export function createCodecServer(opts: CodecServerOptions): CodecServer {
  const { codec, settings } = opts;
  const maxBodyBytes = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  const log = opts.log ?? ((entry) => process.stdout.write(`${JSON.stringify(entry)}\n`));
  const expectedAuth = settings.authToken ? digest(`Bearer ${settings.authToken}`) : null;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<{ op: string; payloads?: number }> => {
    const pathname = new URL(req.url ?? '/', 'http://codec.invalid').pathname.replace(/\/+$/, '');
    const op = pathname.endsWith('/encode')
      ? 'encode'
      : pathname.endsWith('/decode')
        ? 'decode'
        : pathname === '/healthz'
          ? 'healthz'
          : 'unknown';

    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    if (origin !== undefined) {
      if (!settings.corsOrigins.includes(origin)) {
        throw new HttpError(
          403,
          `origin ${origin} may not call this codec server`,
          'Origin',
          settings.corsOrigins.length > 0
            ? `one of ${settings.corsOrigins.join(', ')} (HANDOFF_CODEC_CORS_ORIGINS)`
            : 'no browser origin: HANDOFF_CODEC_CORS_ORIGINS is empty',
        );
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }

    if (op === 'unknown') throw new HttpError(404, `no route ${pathname || '/'}`, 'path', 'POST …/encode or …/decode');
    if (op === 'healthz') {
      send(res, 200, { status: 'ok' });
      return { op };
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return { op: `${op} preflight` };
    }
    if (req.method !== 'POST') {
      throw new HttpError(405, `${req.method} ${pathname}`, 'method', 'POST', { Allow: 'POST, OPTIONS' });
    }

    if (expectedAuth) {
      const given = req.headers.authorization;
      if (!given || !timingSafeEqual(digest(given), expectedAuth)) {
        throw new HttpError(
          401,
          given ? 'the Authorization header does not match' : 'no Authorization header',
          'Authorization',
          'Bearer <HANDOFF_CODEC_AUTH_TOKEN>',
          { 'WWW-Authenticate': 'Bearer realm="mql-handoff codec"' },
        );
      }
    } else if (!isLoopbackHost(req.headers.host)) {
      throw new HttpError(
        403,
        `without HANDOFF_CODEC_AUTH_TOKEN this codec server answers only requests addressed to localhost, not ${req.headers.host ?? '(no Host)'}`,
        'Host',
        'localhost, 127.0.0.1 or [::1]',
      );
    }

    // The Temporal CLI sends an empty X-Namespace when its namespace is the default one.
    const namespace = req.headers['x-namespace'];
    if (namespace !== undefined && namespace !== '' && namespace !== settings.namespace) {
      throw new HttpError(403, `namespace ${String(namespace)} is not served here`, 'X-Namespace', settings.namespace);
    }
    const contentType = req.headers['content-type'];
    if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
      throw new HttpError(415, `Content-Type ${contentType}`, 'Content-Type', 'application/json');
    }

    const payloads = parseBody(await readBody(req, maxBodyBytes));
    let out: Payload[];
    try {
      out = op === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    } catch (e) {
      throw new HttpError(400, `${op} failed: ${(e as Error).message}`);
    }
    send(res, 200, { payloads: out.map(toJson) });
    return { op, payloads: payloads.length };
  };

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const done = (op: string, status: number, extra: Record<string, unknown> = {}): void => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log({ level: status >= 400 ? 'warn' : 'info', msg: 'codec request', op, status, ms: Math.round(ms), ...extra });
    };
    handle(req, res).then(
      ({ op, payloads }) => {
        if (op !== 'healthz') done(op, res.statusCode, payloads === undefined ? {} : { payloads });
      },
      (e: unknown) => {
        const err =
          e instanceof HttpError ? e : new HttpError(500, `internal error: ${(e as Error).message ?? String(e)}`);
        if (!res.headersSent) {
          for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
          send(res, err.status, {
            error: err.message,
            ...(err.field ? { field: err.field } : {}),
            ...(err.expected ? { expected: err.expected } : {}),
          });
        } else {
          res.end();
        }
        done(`${req.method ?? ''} ${req.url ?? ''}`, err.status, { error: err.message });
      },
    );
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException): void => {
          reject(
            e.code === 'EADDRINUSE'
              ? new Error(`codec server: port ${port} on ${host} is in use: set HANDOFF_CODEC_PORT to a free port`)
              : e,
          );
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const { port: bound } = server.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}

function send(res: ServerResponse, status: number, body: object): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new HttpError(413, `body over ${max} bytes`, 'body', `at most ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): Payload[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not JSON', 'body', '{"payloads":[{"metadata":{…},"data":"<base64>"}]}');
  }
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(list)) {
    throw new HttpError(400, 'no payloads array', 'payloads', 'an array of Payloads in protobuf JSON');
  }
  return list.map((raw, i) => fromJson(raw, i));
}

function fromJson(raw: unknown, i: number): Payload {
  const at = `payloads.${i}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HttpError(400, `${at} is not an object`, at, '{"metadata":{…},"data":"<base64>"}');
  }
  const { metadata, data } = raw as JsonPayload;
  const bytes = (value: unknown, field: string): Buffer => {
    if (typeof value !== 'string' || !BASE64.test(value)) {
      throw new HttpError(400, `${field} is not base64`, field, 'a base64 string');
    }
    return Buffer.from(value, 'base64');
  };
  const out: Payload = {};
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new HttpError(400, `${at}.metadata is not an object`, `${at}.metadata`, 'an object of base64 strings');
    }
    out.metadata = Object.fromEntries(
      Object.entries(metadata).map(([k, v]) => [k, bytes(v, `${at}.metadata.${k}`)] as const),
    );
  }
  if (data !== undefined && data !== null) out.data = bytes(data, `${at}.data`);
  return out;
}

function toJson(p: Payload): JsonPayload {
  // A decoded protobuf may hold an empty bytes field as a plain array.
  const b64 = (u: Uint8Array | number[]): string => Buffer.from(u).toString('base64');
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(p.data ?? []),
  };
}
