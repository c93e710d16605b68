/**
 * Every HubSpot failure becomes a ServiceError naming what we were doing, on which object, and — when HubSpot
 * says — the property at fault and the value we sent. HubSpot's envelope:
 * `{ status: "error", message, correlationId, category, errors: [{ message, code, context: { propertyName: [...] } }] }`.
 * Personal data never lands in the message: values of free-text/PII properties are withheld, and the raw client
 * exception (which embeds the response body) is not kept as the cause.
 */
import { RetryAfterHeld } from '../retry-after-gate';
import { describeServiceFailure, heldByRetryAfter, ServiceError, type ServiceErrorDetails } from '../service-error';

export interface HubSpotCallContext {
  /** What we were doing: "update contact", "create deal"… */
  operation: string;
  /** The object involved: "contact 1001", "deal with key …". */
  object?: string;
  /** Properties we sent, so the error can name the value HubSpot refused. */
  sent?: Record<string, unknown>;
}

/** Properties whose values may hold personal data or free text: never echoed into errors. */
const WITHHELD = new Set([
  'email',
  'firstname',
  'lastname',
  'phone',
  'mobilephone',
  'jobtitle',
  'company',
  'hs_task_subject',
  'hs_task_body',
  'hs_note_body',
  'dealname',
  'mql_handoff_disqualification',
]);

const TRANSPORT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

interface ClientApiException {
  code: number;
  body: unknown;
  headers: Record<string, string>;
}

function isApiException(err: unknown): err is Error & ClientApiException {
  if (!(err instanceof Error)) return false;
  const e = err as unknown as Partial<ClientApiException>;
  return typeof e.code === 'number' && e.code >= 100 && e.code < 600 && typeof e.headers === 'object';
}

interface Envelope {
  message?: string;
  category?: string;
  errors?: { message?: string; code?: string; context?: Record<string, string[]> }[];
  context?: Record<string, string[]>;
}

/** Turns anything the HubSpot client threw into a ServiceError. */
export function toHubSpotServiceError(err: unknown, ctx: HubSpotCallContext): ServiceError {
  if (err instanceof ServiceError) return err;
  if (err instanceof RetryAfterHeld) return heldByRetryAfter(err, { service: 'hubspot', ...ctx });
  if (isApiException(err)) return fromResponse(err, ctx);
  const code = (err as { code?: unknown })?.code;
  const type = (err as { type?: unknown })?.type;
  const isFetchError = (err as { name?: unknown })?.name === 'FetchError';
  if (isFetchError || (typeof code === 'string' && TRANSPORT_CODES.has(code))) {
    const details: ServiceErrorDetails = {
      service: 'hubspot',
      operation: ctx.operation,
      object: ctx.object,
      transport: true,
    };
    const reason = typeof code === 'string' ? code : typeof type === 'string' ? type : 'connection failed';
    return new ServiceError(describeServiceFailure(details, `network error (${reason})`), details, { cause: err });
  }
  const details: ServiceErrorDetails = { service: 'hubspot', operation: ctx.operation, object: ctx.object };
  const text = err instanceof Error ? err.message : String(err);
  return new ServiceError(describeServiceFailure(details, text), details, { cause: err });
}

function fromResponse(err: ClientApiException, ctx: HubSpotCallContext): ServiceError {
  const status = err.code;
  const envelope: Envelope = err.body && typeof err.body === 'object' ? (err.body as Envelope) : {};
  const issue = firstPropertyIssue(envelope);
  const field = issue?.field;
  const withheld = field !== undefined && WITHHELD.has(field);
  const value = field !== undefined && !withheld && ctx.sent && field in ctx.sent ? ctx.sent[field] : undefined;
  const code = envelope.category ?? issue?.code ?? (status === 429 ? 'RATE_LIMIT' : undefined);
  const details: ServiceErrorDetails = {
    service: 'hubspot',
    operation: ctx.operation,
    object: ctx.object,
    status,
    ...(code ? { code } : {}),
    ...(field ? { field } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(status === 429 ? { retryAfterSeconds: retryAfterSeconds(err.headers) } : {}),
  };
  let detail: string;
  if (withheld) detail = `${issue?.code ?? 'invalid value'} (value withheld: may contain personal data)`;
  else if (issue?.message) detail = issue.message;
  else if (envelope.message) detail = envelope.message;
  else if (typeof err.body === 'string' && err.body.trim().startsWith('<'))
    detail = 'HubSpot answered with an HTML error page';
  else detail = `HTTP ${status}`;
  return new ServiceError(describeServiceFailure(details, detail), details);
}

/** The property HubSpot blamed, from `errors[].context.propertyName` or the "Property values were not valid" list. */
function firstPropertyIssue(envelope: Envelope): { field?: string; message?: string; code?: string } | undefined {
  for (const e of envelope.errors ?? []) {
    const field = e.context?.propertyName?.[0];
    if (field) return { field, message: e.message, code: e.code };
  }
  const prefix = 'Property values were not valid: ';
  if (envelope.message?.startsWith(prefix)) {
    try {
      const listed = JSON.parse(envelope.message.slice(prefix.length)) as {
        name?: string;
        message?: string;
        error?: string;
      }[];
      const first = listed[0];
      if (first?.name) return { field: first.name, message: first.message, code: first.error };
    } catch {
      // not the JSON list HubSpot usually sends; fall through to the plain message
    }
  }
  const field = envelope.context?.propertyName?.[0];
  if (field) return { field, message: envelope.errors?.[0]?.message, code: envelope.errors?.[0]?.code };
  return envelope.errors?.[0] ? { message: envelope.errors[0].message, code: envelope.errors[0].code } : undefined;
}

/**
 * Seconds to wait after a 429: Retry-After when HubSpot sends it (seconds or an HTTP date), else the rolling
 * window from X-HubSpot-RateLimit-Interval-Milliseconds, else 10 s (HubSpot's ten-secondly window).
 */
export function retryAfterSeconds(headers: Record<string, string>, now = Date.now()): number {
  const h = Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const retryAfter = h['retry-after'];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.ceil(seconds));
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(1, Math.ceil((at - now) / 1000));
  }
  const interval = Number(h['x-hubspot-ratelimit-interval-milliseconds']);
  if (Number.isFinite(interval) && interval > 0) return Math.max(1, Math.ceil(interval / 1000));
  return 10;
}

/** What a failure of the client says about waiting: the Retry-After seconds of a 429, else undefined. */
export function retryAfterOfFailure(err: unknown): number | undefined {
  return isApiException(err) && err.code === 429 ? retryAfterSeconds(err.headers) : undefined;
}

/** Runs one HubSpot call, turning its failure into a ServiceError. */
export async function callHubSpot<T>(ctx: HubSpotCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toHubSpotServiceError(err, ctx);
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ServiceError && err.details.status === 404;
}

/** A value a caller sent where an id or code belonged that is an email address: personal data, withheld. */
const EMAIL_ADDRESS = /[^\s@]+@[^\s@]+/;

/**
 * Bad input caught before anything is sent: non-retryable, like HubSpot's own 400. The value is named unless it may
 * hold personal data (a free-text/PII property, or anything shaped like an email address).
 */
export function invalidInput(
  operation: string,
  object: string | undefined,
  field: string,
  value: unknown,
  expected: string,
): ServiceError {
  const withheld = WITHHELD.has(field) || (typeof value === 'string' && EMAIL_ADDRESS.test(value));
  const details: ServiceErrorDetails = {
    service: 'hubspot',
    operation,
    object,
    field,
    value: withheld ? undefined : value,
    status: 400,
    code: 'INVALID_INPUT',
  };
  const note = withheld && value ? ' (value withheld: may contain personal data)' : '';
  return new ServiceError(
    describeServiceFailure(details, `rejected before sending: expected ${expected}${note}`),
    details,
  );
}
