/**
 * Request signatures against vectors computed outside this code base (`openssl dgst -sha256 -hmac … [-binary |
 * base64]` over the documented strings), and every way a signature can be wrong.
 */
import {
  hubspotSignatureV3,
  hubspotSignedUri,
  slackSignature,
  verifyHubSpotSignatureV3,
  verifySlackSignature,
  type SignatureProblem,
} from '../../src/client/bridge/signatures';

const HUBSPOT_SECRET = 'hubspot-test-secret';
const SLACK_SECRET = 'slack-test-secret';
const T_MS = 1763719200000;
const URI = 'https://bridge.acme-analytics.example/webhooks/hubspot';
const BODY =
  '[{"eventId":100,"subscriptionType":"contact.propertyChange","objectId":1001,"propertyName":"lifecyclestage",' +
  '"propertyValue":"marketingqualifiedlead","occurredAt":1763719200000,"portalId":4410001}]';
// printf '%s' 'POST<URI><BODY>1763719200000' | openssl dgst -sha256 -hmac hubspot-test-secret -binary | base64
const HUBSPOT_VECTOR = 'DCJc1Cqs6kQhKs5p+CAhTBoXdyjHFhColIFEJnmes1E=';
// The same over "…/webhooks/hubspot?portal=4410001&note=a:b@c", empty array body.
const HUBSPOT_DECODED_URI_VECTOR = '8+pXzfJy0sP+u544tj0BRfmJgfWecH6rRbklvzbaIL0=';

const SLACK_BODY = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
// printf '%s' 'v0:1763719200:<SLACK_BODY>' | openssl dgst -sha256 -hmac slack-test-secret
const SLACK_VECTOR = 'v0=4976b446c382c73c309e05ef3010a14b74768942a1ba8ccf68525aa12d9f5df1';

describe('HubSpot v3', () => {
  const SIGNATURE = 'x-hubspot-signature-v3';
  const TIMESTAMP = 'x-hubspot-request-timestamp';
  const good = {
    secret: HUBSPOT_SECRET,
    method: 'POST',
    uri: URI,
    body: Buffer.from(BODY),
    signature: HUBSPOT_VECTOR as string | undefined,
    timestamp: String(T_MS) as string | undefined,
    nowMs: T_MS + 1_000,
  };

  test('matches the documented algorithm: base64 HMAC-SHA256 of method + URI + body + timestamp', () => {
    expect(hubspotSignatureV3({ ...good, timestamp: String(T_MS) })).toBe(HUBSPOT_VECTOR);
    expect(verifyHubSpotSignatureV3(good)).toEqual({ ok: true });
  });

  test('the URI is signed with the listed escapes decoded, as HubSpot does', () => {
    expect(hubspotSignedUri(`${URI}?portal=4410001&note=a%3Ab%40c`)).toBe(`${URI}?portal=4410001&note=a:b@c`);
    expect(hubspotSignedUri('/a%2fb%20c')).toBe('/a/b%20c'); // either case; unlisted escapes stay
    const check = verifyHubSpotSignatureV3({
      ...good,
      uri: `${URI}?portal=4410001&note=a%3Ab%40c`,
      body: Buffer.from('[]'),
      signature: HUBSPOT_DECODED_URI_VECTOR,
    });
    expect(check).toEqual({ ok: true });
  });

  test.each<{ name: string; change: Partial<typeof good>; problem: SignatureProblem; field: string }>([
    { name: 'missing signature', change: { signature: undefined }, problem: 'missing', field: SIGNATURE },
    { name: 'malformed signature', change: { signature: 'not base64!' }, problem: 'malformed', field: SIGNATURE },
    { name: 'hex instead of base64', change: { signature: 'a'.repeat(64) }, problem: 'malformed', field: SIGNATURE },
    { name: 'wrong secret', change: { secret: 'another-secret' }, problem: 'mismatch', field: SIGNATURE },
    {
      name: 'body changed',
      change: { body: Buffer.from(BODY.replace('1001', '1002')) },
      problem: 'mismatch',
      field: SIGNATURE,
    },
    { name: 'URI changed', change: { uri: `${URI}-evil` }, problem: 'mismatch', field: SIGNATURE },
    { name: 'host changed', change: { uri: URI.replace('bridge.', 'other.') }, problem: 'mismatch', field: SIGNATURE },
    { name: 'method changed', change: { method: 'PUT' }, problem: 'mismatch', field: SIGNATURE },
    { name: 'missing timestamp', change: { timestamp: undefined }, problem: 'missing', field: TIMESTAMP },
    {
      name: 'malformed timestamp',
      change: { timestamp: '2025-11-21T10:00:00Z' },
      problem: 'malformed',
      field: TIMESTAMP,
    },
    { name: 'stale timestamp (5 min + 1 s)', change: { nowMs: T_MS + 301_000 }, problem: 'stale', field: TIMESTAMP },
    { name: 'future timestamp (5 min + 1 s)', change: { nowMs: T_MS - 301_000 }, problem: 'future', field: TIMESTAMP },
    {
      name: 'timestamp changed (signed value differs)',
      change: { timestamp: String(T_MS + 1) },
      problem: 'mismatch',
      field: SIGNATURE,
    },
  ])('$name → refused ($problem)', ({ change, problem, field }) => {
    const check = verifyHubSpotSignatureV3({ ...good, ...change });
    expect(check).toMatchObject({ ok: false, problem, field });
    if (!check.ok) expect(check.error).not.toContain(HUBSPOT_VECTOR);
  });

  test('a timestamp just inside the window passes', () => {
    expect(verifyHubSpotSignatureV3({ ...good, nowMs: T_MS + 299_000 })).toEqual({ ok: true });
  });
});

describe('Slack v0', () => {
  const SIGNATURE = 'x-slack-signature';
  const TIMESTAMP = 'x-slack-request-timestamp';
  const good = {
    secret: SLACK_SECRET,
    body: Buffer.from(SLACK_BODY),
    signature: SLACK_VECTOR as string | undefined,
    timestamp: String(T_MS / 1000) as string | undefined,
    nowMs: T_MS + 1_000,
  };

  test('matches the documented algorithm: v0= hex HMAC-SHA256 of "v0:timestamp:body"', () => {
    expect(slackSignature({ secret: SLACK_SECRET, timestamp: String(T_MS / 1000), body: SLACK_BODY })).toBe(
      SLACK_VECTOR,
    );
    expect(verifySlackSignature(good)).toEqual({ ok: true });
  });

  test.each<{ name: string; change: Partial<typeof good>; problem: SignatureProblem; field: string }>([
    { name: 'missing signature', change: { signature: undefined }, problem: 'missing', field: SIGNATURE },
    { name: 'no v0= prefix', change: { signature: SLACK_VECTOR.slice(3) }, problem: 'malformed', field: SIGNATURE },
    {
      name: 'v1 scheme',
      change: { signature: SLACK_VECTOR.replace('v0=', 'v1=') },
      problem: 'malformed',
      field: SIGNATURE,
    },
    { name: 'truncated', change: { signature: SLACK_VECTOR.slice(0, -2) }, problem: 'malformed', field: SIGNATURE },
    { name: 'wrong secret', change: { secret: 'another-secret' }, problem: 'mismatch', field: SIGNATURE },
    { name: 'body changed', change: { body: Buffer.from(`${SLACK_BODY}x`) }, problem: 'mismatch', field: SIGNATURE },
    { name: 'missing timestamp', change: { timestamp: undefined }, problem: 'missing', field: TIMESTAMP },
    { name: 'timestamp in ms', change: { timestamp: String(T_MS) }, problem: 'future', field: TIMESTAMP },
    { name: 'stale timestamp', change: { nowMs: T_MS + 301_000 }, problem: 'stale', field: TIMESTAMP },
    { name: 'future timestamp', change: { nowMs: T_MS - 301_000 }, problem: 'future', field: TIMESTAMP },
    {
      name: 'replayed with a new timestamp',
      change: { timestamp: String(T_MS / 1000 + 60), nowMs: T_MS + 61_000 },
      problem: 'mismatch',
      field: SIGNATURE,
    },
  ])('$name → refused ($problem)', ({ change, problem, field }) => {
    const check = verifySlackSignature({ ...good, ...change });
    expect(check).toMatchObject({ ok: false, problem, field });
    if (!check.ok) expect(check.error).not.toContain(SLACK_VECTOR.slice(3));
  });
});
