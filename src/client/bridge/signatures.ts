/**
 * Request signatures the bridge verifies, and the CLI's simulator produces, per the senders' documentation:
 *
 *  - HubSpot v3 (`X-HubSpot-Signature-v3`, `X-HubSpot-Request-Timestamp` in epoch milliseconds):
 *    base64(HMAC-SHA256(app client secret, method + URI + raw body + timestamp)). The URI is the full URL HubSpot
 *    called, with the characters HubSpot decodes before signing (`%3A : %2F / %3F ? %40 @ %21 ! %24 $ %27 ' %28 (
 *    %29 ) %2A * %2C , %3B ;`) decoded. Requests older than 5 minutes are refused.
 *  - Slack v0 (`X-Slack-Signature: v0=<hex>`, `X-Slack-Request-Timestamp` in epoch seconds):
 *    hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)), within 5 minutes either way.
 *
 * Comparisons are constant-time. A failure says which check failed, never the expected signature.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Both senders allow five minutes between signing and receipt. */
const SIGNATURE_MAX_AGE_MS = 5 * 60_000;

export type SignatureCheck =
  | { ok: true }
  | { ok: false; error: string; field: string; expected: string; problem: SignatureProblem };

export type SignatureProblem = 'missing' | 'malformed' | 'stale' | 'future' | 'mismatch';

const HUBSPOT_DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The URI as HubSpot signs it: the listed percent-escapes decoded (either case), nothing else touched. */
export function hubspotSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => HUBSPOT_DECODED[m.toUpperCase()]!);
}

export function hubspotSignatureV3(input: {
  secret: string;
  method: string;
  uri: string;
  body: Buffer | string;
  timestamp: string;
}): string {
  return createHmac('sha256', input.secret)
    .update(input.method.toUpperCase())
    .update(hubspotSignedUri(input.uri))
    .update(input.body)
    .update(input.timestamp)
    .digest('base64');
}

export function verifyHubSpotSignatureV3(input: {
  secret: string;
  method: string;
  uri: string;
  body: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  nowMs: number;
}): SignatureCheck {
  const ts = checkTimestamp(input.timestamp, 'x-hubspot-request-timestamp', 'milliseconds', input.nowMs);
  if (!ts.ok) return ts;
  const field = 'x-hubspot-signature-v3';
  if (!input.signature) return fail('missing', field, 'the HubSpot v3 signature header', 'missing signature');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(input.signature.trim())) {
    return fail('malformed', field, 'base64 of an HMAC-SHA256 (44 characters)', 'malformed signature');
  }
  const expected = Buffer.from(hubspotSignatureV3({ ...input, timestamp: input.timestamp! }), 'base64');
  return sameBytes(Buffer.from(input.signature.trim(), 'base64'), expected)
    ? { ok: true }
    : fail(
        'mismatch',
        field,
        'HMAC-SHA256 of method + URI + body + timestamp with the app client secret',
        'signature does not match',
      );
}

export function slackSignature(input: { secret: string; timestamp: string; body: Buffer | string }): string {
  const mac = createHmac('sha256', input.secret).update(`v0:${input.timestamp}:`).update(input.body).digest('hex');
  return `v0=${mac}`;
}

export function verifySlackSignature(input: {
  secret: string;
  body: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  nowMs: number;
}): SignatureCheck {
  const ts = checkTimestamp(input.timestamp, 'x-slack-request-timestamp', 'seconds', input.nowMs);
  if (!ts.ok) return ts;
  const field = 'x-slack-signature';
  if (!input.signature) return fail('missing', field, 'the Slack request signature header', 'missing signature');
  if (!/^v0=[0-9a-f]{64}$/.test(input.signature.trim())) {
    return fail('malformed', field, '"v0=" followed by 64 hex digits', 'malformed signature');
  }
  const expected = Buffer.from(slackSignature({ ...input, timestamp: input.timestamp! }).slice(3), 'hex');
  return sameBytes(Buffer.from(input.signature.trim().slice(3), 'hex'), expected)
    ? { ok: true }
    : fail(
        'mismatch',
        field,
        'v0 HMAC-SHA256 of "v0:timestamp:body" with the signing secret',
        'signature does not match',
      );
}

function checkTimestamp(
  raw: string | undefined,
  field: string,
  unit: 'seconds' | 'milliseconds',
  nowMs: number,
): SignatureCheck {
  if (!raw) return fail('missing', field, `the request timestamp (epoch ${unit})`, 'missing timestamp');
  if (!/^\d{1,16}$/.test(raw.trim())) return fail('malformed', field, `epoch ${unit} as digits`, 'malformed timestamp');
  const ageMs = nowMs - Number(raw.trim()) * (unit === 'seconds' ? 1000 : 1);
  if (ageMs > SIGNATURE_MAX_AGE_MS) {
    return fail('stale', field, 'a timestamp less than 5 minutes old', 'stale timestamp (replay window is 5 minutes)');
  }
  if (ageMs < -SIGNATURE_MAX_AGE_MS) {
    return fail('future', field, 'a timestamp within 5 minutes of now', 'timestamp is in the future');
  }
  return { ok: true };
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function fail(problem: SignatureProblem, field: string, expected: string, error: string): SignatureCheck {
  return { ok: false, problem, field, expected, error };
}
