/**
 * Salesforce failures → ServiceError, so activities classify them like every other service's:
 *
 *  - 429 with Retry-After (which also holds the whole connection: transport.ts), and 403 REQUEST_LIMIT_EXCEEDED (the org's daily API limit; Salesforce sends no
 *    Retry-After, so the adapter's `requestLimitRetryAfterSeconds` applies) → retry after that many seconds
 *  - 5xx, timeouts, resets, refused connections → retryable
 *  - 400 (MALFORMED_QUERY, INVALID_FIELD, REQUIRED_FIELD_MISSING, …), 401 after a refresh, 404 NOT_FOUND,
 *    OAuth invalid_grant/invalid_client → not retryable, naming the object, the field and the value sent
 *  - SOAP faults (convertLead), all HTTP 500, by their faultcode as the REST status of the same error would be
 *
 * Lead PII never reaches the message: values of personal fields we sent are redacted wherever Salesforce echoes them.
 */
import { RetryAfterHeld } from '../retry-after-gate';
import { describeServiceFailure, heldByRetryAfter, ServiceError } from '../service-error';
import { retryAfterHeader, SalesforceHttpError } from './transport';

export interface OperationContext {
  /** What we were doing: "assign owner", "create task"… */
  operation: string;
  /** The record involved, e.g. "Lead HubSpot_Contact_Id__c=1234". */
  object?: string;
  /** Field values sent, to name the value at fault and to redact personal data from Salesforce's messages. */
  sent?: Record<string, unknown>;
}

/** Fields whose values are lead PII (or contain it, like a task subject naming the lead). */
const PERSONAL_FIELDS = new Set([
  'FirstName',
  'LastName',
  'Name',
  'Email',
  'Phone',
  'MobilePhone',
  'Title',
  'Subject',
  'Description',
  'title',
  'body',
]);
const REDACTED = '[redacted]';

interface ParsedError {
  code: string;
  message: string;
  fields: string[];
}

/** A SOAP fault (`<faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>…`), or null for any other body. */
function parseSoapFault(body: string): ParsedError | null {
  if (!/<(?:[\w.-]+:)?Fault>/.test(body)) return null;
  const code = /<faultcode>(?:[\w.-]+:)?([^<]*)<\/faultcode>/.exec(body)?.[1]?.trim();
  const text = /<faultstring>([^<]*)<\/faultstring>/.exec(body)?.[1] ?? '';
  const message = text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'");
  return { code: code || 'SOAP_FAULT', message: message.replace(/&amp;/g, '&').trim(), fields: [] };
}

/**
 * SOAP answers every fault with HTTP 500; the status a REST call would have had decides retrying: an invalid
 * session (after the one refresh) 401, the API limit 403 (retried after `requestLimitRetryAfterSeconds`), a
 * platform error keeps its 5xx, anything else is the request's fault: 400.
 */
function soapFaultStatus(httpStatus: number, code: string): number {
  if (code === 'INVALID_SESSION_ID') return 401;
  if (code === 'REQUEST_LIMIT_EXCEEDED') return 403;
  if (code === 'UNKNOWN_EXCEPTION' || code === 'SERVER_UNAVAILABLE') return httpStatus >= 500 ? httpStatus : 500;
  return 400;
}

function parseBody(status: number, body: string): ParsedError[] {
  const soap = parseSoapFault(body);
  if (soap) return [soap];
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return [{ code: `HTTP_${status}`, message: body.slice(0, 200).trim(), fields: [] }];
  }
  if (Array.isArray(json)) {
    if (status === 300) {
      return [{ code: 'MULTIPLE_CHOICES', message: `${json.length} records match the external id`, fields: [] }];
    }
    // Either the REST error array [{message, errorCode, fields}] or invocable-action results [{isSuccess, errors}].
    return json.flatMap((e: Record<string, unknown>): ParsedError[] => {
      if (Array.isArray(e.errors)) {
        return (e.errors as Record<string, unknown>[]).map((x) => ({
          code: String(x.statusCode ?? x.errorCode ?? `HTTP_${status}`),
          message: String(x.message ?? ''),
          fields: Array.isArray(x.fields) ? x.fields.map(String) : [],
        }));
      }
      return [
        {
          code: String(e.errorCode ?? `HTTP_${status}`),
          message: String(e.message ?? ''),
          fields: Array.isArray(e.fields) ? e.fields.map(String) : [],
        },
      ];
    });
  }
  if (json && typeof json === 'object' && 'error' in json) {
    const o = json as { error: unknown; error_description?: unknown };
    return [{ code: String(o.error), message: String(o.error_description ?? ''), fields: [] }];
  }
  return [{ code: `HTTP_${status}`, message: body.slice(0, 200), fields: [] }];
}

/** The field a message names when Salesforce leaves `fields` empty. */
function fieldFromMessage(message: string): string | undefined {
  return (
    /No such column '([^']+)'/.exec(message)?.[1] ??
    /duplicate value found: (\w+)/.exec(message)?.[1] ??
    /field '(\w+)'/.exec(message)?.[1]
  );
}

/** SOQL errors start by echoing the query (with its literals); keep only the explanation. */
function conciseMessage(message: string): string {
  const lines = message.split('\n').filter((l) => l.trim() !== '');
  return /^ERROR at Row:/.test(lines[lines.length - 2] ?? '') ? lines[lines.length - 1]! : message.trim();
}

function redact(message: string, sent: Record<string, unknown> | undefined): string {
  if (!sent) return message;
  let out = message;
  for (const [field, value] of Object.entries(sent)) {
    if (!PERSONAL_FIELDS.has(field) || typeof value !== 'string' || value.length < 2) continue;
    out = out.split(value).join(REDACTED);
  }
  return out;
}

const NEVER_REACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** True when the request certainly did not run on Salesforce: an error answer, or no connection at all. */
export function certainlyNotApplied(err: unknown): boolean {
  if (err instanceof SalesforceHttpError || err instanceof RetryAfterHeld) return true;
  if (err instanceof ServiceError) {
    return (
      err.details.status !== undefined ||
      err.details.code === 'RETRY_AFTER_HOLD' ||
      NEVER_REACHED.has(String(err.details.code))
    );
  }
  const code = (err as { code?: unknown } | null)?.code;
  return NEVER_REACHED.has(String(code));
}

export interface ErrorMappingOptions {
  /** Seconds to wait after REQUEST_LIMIT_EXCEEDED, which carries no Retry-After. */
  requestLimitRetryAfterSeconds: number;
}

export function toServiceError(
  err: unknown,
  ctx: OperationContext,
  opts: ErrorMappingOptions,
  refreshFailure?: unknown,
): unknown {
  if (err instanceof ServiceError) return err;
  const base = { service: 'salesforce' as const, operation: ctx.operation, object: ctx.object };
  if (err instanceof RetryAfterHeld) return heldByRetryAfter(err, base);

  // jsforce wraps a failed session refresh in a plain Error; the client keeps the real cause.
  if (refreshFailure !== undefined && err instanceof Error && err.message.startsWith('Unable to refresh session')) {
    const mapped = toServiceError(refreshFailure, { ...ctx, operation: `${ctx.operation} (session refresh)` }, opts);
    return mapped instanceof ServiceError ? mapped : err;
  }

  if (err instanceof SalesforceHttpError) {
    const errors = parseBody(err.status, err.body);
    const first = errors[0] ?? { code: `HTTP_${err.status}`, message: '', fields: [] };
    const field = first.fields[0] ?? fieldFromMessage(first.message);
    const sentValue = field !== undefined && ctx.sent && field in ctx.sent ? ctx.sent[field] : undefined;
    const value = sentValue !== undefined && PERSONAL_FIELDS.has(field!) ? REDACTED : sentValue;
    let retryAfterSeconds = retryAfterHeader(err.headers);
    if (retryAfterSeconds === undefined && errors.some((e) => e.code === 'REQUEST_LIMIT_EXCEEDED')) {
      retryAfterSeconds = opts.requestLimitRetryAfterSeconds;
    }
    const detail = redact(errors.map((e) => conciseMessage(e.message)).join('; '), ctx.sent);
    const status = parseSoapFault(err.body) ? soapFaultStatus(err.status, first.code) : err.status;
    const details = {
      ...base,
      status,
      code: first.code,
      ...(field !== undefined ? { field } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    };
    return new ServiceError(describeServiceFailure(details, detail), details, { cause: err });
  }

  const e = err as { name?: string; code?: string; message?: string } | null;
  if (e?.name === 'FetchError' || e?.name === 'AbortError' || e?.message === 'Request Timeout') {
    const code = e.name === 'FetchError' ? (e.code ?? 'CONNECTION_FAILED') : 'TIMEOUT';
    const details = { ...base, code, transport: true };
    const detail = code === 'TIMEOUT' ? 'no answer before the request timeout' : `connection failed (${code})`;
    // No `cause`: node-fetch's message carries the request URL, and with it SOQL literals.
    return new ServiceError(describeServiceFailure(details, detail), details);
  }
  return err;
}
