/**
 * The codec server over HTTP, called the way the Temporal UI calls it: a CORS preflight from the UI's origin, then
 * POST …/decode with Content-Type, X-Namespace (and Authorization when configured) and the payloads in protobuf
 * JSON; and the way `temporal --codec-endpoint --codec-auth` calls it (no Origin, a bearer token). Expected bodies
 * are written out by hand (base64 of the JSON the lead payload holds).
 */
import type { Payload } from '@temporalio/common';
import { request } from 'node:http';
import { createCodecServer, checkCodecServerConfig, type CodecServer } from '../../src/codec/codec-server';
import { EncryptionCodec } from '../../src/codec/encryption-codec';

const UI = 'http://localhost:8233';
const KEY = Buffer.alloc(32, 5);
const TOKEN = 'codec-token-0123456789';
const codec = new EncryptionCodec([{ id: 'k1', key: KEY }]);
const LEAD_JSON = '{"email":"jordan.lee@smallco.example","company":"Smallco"}';
const b64 = (s: string) => Buffer.from(s).toString('base64');

let logs: Record<string, unknown>[] = [];
const servers: CodecServer[] = [];
async function start(settings: { authToken?: string; corsOrigins?: string[] } = {}): Promise<string> {
  const server = createCodecServer({
    codec,
    settings: { corsOrigins: settings.corsOrigins ?? [UI], authToken: settings.authToken, namespace: 'default' },
    log: (entry) => logs.push(entry),
  });
  servers.push(server);
  return server.listen(0, '127.0.0.1');
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  logs = [];
});

/** An encrypted payload as the UI receives it from Temporal and forwards it: protobuf JSON, bytes in base64. */
async function encryptedJson(
  payload: Payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(LEAD_JSON) },
): Promise<{ metadata: Record<string, string>; data: string }> {
  const [p] = await codec.encode([payload]);
  return {
    metadata: Object.fromEntries(
      Object.entries((p as Payload).metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p!.data!).toString('base64'),
  };
}

const uiHeaders = { Origin: UI, 'Content-Type': 'application/json', 'X-Namespace': 'default' };

test('the UI: preflight from its origin, then POST /decode with its headers → decoded payloads, CORS headers set', async () => {
  const url = await start();
  const preflight = await fetch(`${url}/decode`, {
    method: 'OPTIONS',
    headers: {
      Origin: UI,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
    },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
  expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
  expect(preflight.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
  expect(preflight.headers.get('access-control-allow-headers')).toBe('Content-Type, X-Namespace, Authorization');
  expect(preflight.headers.get('vary')).toBe('Origin');

  const res = await fetch(`${url}/decode`, {
    method: 'POST',
    headers: uiHeaders,
    body: JSON.stringify({
      payloads: [
        await encryptedJson(),
        // An activity that returns nothing: encrypted binary/null without data.
        await encryptedJson({ metadata: { encoding: Buffer.from('binary/null') } }),
        // A payload from before the codec passes through.
        { metadata: { encoding: b64('json/plain') }, data: b64('"plain"') },
      ],
    }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  expect(await res.json()).toEqual({
    payloads: [
      { metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: b64(LEAD_JSON) },
      { metadata: { encoding: 'YmluYXJ5L251bGw=' }, data: '' },
      { metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'InBsYWluIg==' },
    ],
  });
});

test('POST /encode then /decode (the UI sending a signal); endpoints count by their last path segment', async () => {
  const url = await start();
  const plain = { metadata: { encoding: b64('json/plain') }, data: b64(LEAD_JSON) };
  const enc = await fetch(`${url}/api/codec/encode`, {
    method: 'POST',
    headers: uiHeaders,
    body: JSON.stringify({ payloads: [plain] }),
  });
  expect(enc.status).toBe(200);
  const encoded = ((await enc.json()) as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
  expect(encoded[0]!.metadata).toEqual({ encoding: b64('binary/encrypted'), 'encryption-key-id': b64('k1') });
  expect(Buffer.from(encoded[0]!.data, 'base64').includes(Buffer.from('jordan.lee'))).toBe(false);
  const dec = await fetch(`${url}/api/codec/decode/`, {
    method: 'POST',
    headers: uiHeaders,
    body: JSON.stringify({ payloads: encoded }),
  });
  expect(await dec.json()).toEqual({ payloads: [plain] });
});

test('another origin gets no CORS headers and a 403 naming the allowed ones', async () => {
  const url = await start();
  for (const method of ['OPTIONS', 'POST']) {
    const res = await fetch(`${url}/decode`, {
      method,
      headers: { ...uiHeaders, Origin: 'https://evil.example' },
      body: method === 'POST' ? JSON.stringify({ payloads: [] }) : undefined,
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.json()).toEqual({
      error: 'origin https://evil.example may not call this codec server',
      field: 'Origin',
      expected: `one of ${UI} (HANDOFF_CODEC_CORS_ORIGINS)`,
    });
  }
});

test('with a token: no or a wrong Authorization is 401 (readable by the UI), the right bearer token decodes', async () => {
  const url = await start({ authToken: TOKEN });
  const body = JSON.stringify({ payloads: [await encryptedJson()] });
  // Browsers send no Authorization on a preflight: it must pass without.
  const preflight = await fetch(`${url}/decode`, {
    method: 'OPTIONS',
    headers: { Origin: UI, 'Access-Control-Request-Method': 'POST' },
  });
  expect(preflight.status).toBe(204);

  const missing = await fetch(`${url}/decode`, { method: 'POST', headers: uiHeaders, body });
  expect(missing.status).toBe(401);
  expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="mql-handoff codec"');
  expect(missing.headers.get('access-control-allow-origin')).toBe(UI);
  expect(await missing.json()).toEqual({
    error: 'no Authorization header',
    field: 'Authorization',
    expected: 'Bearer <HANDOFF_CODEC_AUTH_TOKEN>',
  });
  const wrong = await fetch(`${url}/decode`, {
    method: 'POST',
    headers: { ...uiHeaders, Authorization: `Bearer ${TOKEN}x` },
    body,
  });
  expect(wrong.status).toBe(401);

  // `temporal workflow show --codec-endpoint … --codec-auth "Bearer …"`: no Origin.
  const cli = await fetch(`${url}/decode`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Authorization: `Bearer ${TOKEN}` },
    body,
  });
  expect(cli.status).toBe(200);
  expect(cli.headers.get('access-control-allow-origin')).toBeNull();
  const decoded = (await cli.json()) as { payloads: { data: string }[] };
  expect(Buffer.from(decoded.payloads[0]!.data, 'base64').toString()).toBe(LEAD_JSON);
});

test('without a token it answers only requests addressed to localhost (DNS rebinding), and only its namespace', async () => {
  const url = await start();
  const { port } = new URL(url);
  const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/decode',
        method: 'POST',
        headers: { Host: `rebound.evil.example:${port}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ code: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ payloads: [] }));
  });
  expect(status.code).toBe(403);
  expect(JSON.parse(status.body)).toMatchObject({ field: 'Host' });

  const otherNs = await fetch(`${url}/decode`, {
    method: 'POST',
    headers: { ...uiHeaders, 'X-Namespace': 'billing' },
    body: JSON.stringify({ payloads: [] }),
  });
  expect(otherNs.status).toBe(403);
  expect(await otherNs.json()).toEqual({
    error: 'namespace billing is not served here',
    field: 'X-Namespace',
    expected: 'default',
  });
  // `temporal workflow show` without --namespace sends the header empty.
  const cliDefault = await fetch(`${url}/decode`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': '' },
    body: JSON.stringify({ payloads: [] }),
  });
  expect(cliDefault.status).toBe(200);
});

test.each([
  ['not json', 'the body is not JSON', 'body'],
  ['{"payload":[]}', 'no payloads array', 'payloads'],
  ['{"payloads":[{"data":"%%%"}]}', 'payloads.0.data is not base64', 'payloads.0.data'],
  [
    '{"payloads":[{"metadata":{"encoding":7}}]}',
    'payloads.0.metadata.encoding is not base64',
    'payloads.0.metadata.encoding',
  ],
])('a malformed body %s is a 400 naming the field', async (body, error, field) => {
  const url = await start();
  const res = await fetch(`${url}/decode`, { method: 'POST', headers: uiHeaders, body });
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ error, field });
});

test('a payload under a key it does not have is a 400 naming the key id; unknown routes 404, GET 405', async () => {
  const url = await start();
  const [other] = await new EncryptionCodec([{ id: 'k0', key: Buffer.alloc(32, 8) }]).encode([
    { data: Buffer.from('x') },
  ]);
  const res = await fetch(`${url}/decode`, {
    method: 'POST',
    headers: uiHeaders,
    body: JSON.stringify({
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(other!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(other!.data!).toString('base64'),
        },
      ],
    }),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: string }).error).toBe(
    'decode failed: a payload is encrypted under key "k0", which is not in HANDOFF_CODEC_KEYS (k1): add it back (after the primary) to read histories written under it',
  );
  expect((await fetch(`${url}/metrics`)).status).toBe(404);
  const get = await fetch(`${url}/decode`);
  expect(get.status).toBe(405);
  expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
});

test('its log lines carry operation, status and counts: no payload, no key, no token', async () => {
  const url = await start({ authToken: TOKEN });
  const payload = await encryptedJson();
  await fetch(`${url}/decode`, {
    method: 'POST',
    headers: { ...uiHeaders, Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ payloads: [payload] }),
  });
  await fetch(`${url}/decode`, { method: 'POST', headers: { ...uiHeaders, Authorization: 'Bearer nope' }, body: '{}' });
  expect(logs).toEqual([
    expect.objectContaining({ level: 'info', msg: 'codec request', op: 'decode', status: 200, payloads: 1 }),
    expect.objectContaining({ level: 'warn', status: 401, error: 'the Authorization header does not match' }),
  ]);
  const text = JSON.stringify(logs);
  for (const secret of [TOKEN, KEY.toString('base64'), 'jordan.lee', b64(LEAD_JSON), payload.data, 'nope']) {
    expect(text).not.toContain(secret);
  }
});

test('refuses to start without keys, or in production without a token', () => {
  expect(() => checkCodecServerConfig({ keyCount: 0, production: false })).toThrow(
    /no codec key: set HANDOFF_CODEC_KEYS/,
  );
  expect(() => checkCodecServerConfig({ keyCount: 1, production: true })).toThrow(
    /^NODE_ENV=production and HANDOFF_CODEC_AUTH_TOKEN is not set/,
  );
  expect(() => checkCodecServerConfig({ keyCount: 1, production: true, authToken: TOKEN })).not.toThrow();
  expect(() => checkCodecServerConfig({ keyCount: 1, production: false })).not.toThrow();
});
