/**
 * The HTTP transport under jsforce's Connection and OAuth2, changed in four ways:
 *
 *  - no hidden retries: jsforce's fetch layer would retry GETs on 429/5xx/ECONNRESET up to 5 times with its own
 *    backoff, ignoring Retry-After. Temporal's activity retry policy decides instead (toActivityFailure).
 *  - every error answer becomes a `SalesforceHttpError` carrying status, headers and body, which jsforce's own
 *    errors drop (needed for Retry-After and for classifying 4xx vs 5xx).
 *  - an expired session is refreshed once per call: the first 401 of a request (for SOAP: the INVALID_SESSION_ID
 *    fault) goes back to jsforce, which refreshes the session and replays the request; a second one for the same
 *    request is an error, not another refresh.
 *  - Retry-After holds the whole connection: every request passes the connection's RetryAfterGate, which a 429
 *    closes for its Retry-After (1 s without one), so no request — another lead's, a session refresh — goes out
 *    inside the window (short windows are waited out, long ones fail the request unsent: RetryAfterHeld).
 *    REQUEST_LIMIT_EXCEEDED without Retry-After (403, or a SOAP fault) holds only its own call.
 */
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';
import Transport from 'jsforce/lib/transport';
import { StreamPromise } from 'jsforce/lib/util/promise';
import { createLazyStream } from 'jsforce/lib/util/stream';
import type { RetryAfterGate } from '../retry-after-gate';

export class SalesforceHttpError extends Error {
  constructor(
    readonly method: string,
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: string,
    /** The request went to the OAuth token endpoint (login or session refresh). */
    readonly tokenEndpoint: boolean,
  ) {
    super(`Salesforce answered ${status} to ${method} ${tokenEndpoint ? 'token request' : 'API request'}`);
    this.name = 'SalesforceHttpError';
  }
}

const SOAP_INVALID_SESSION = /<faultcode>[a-zA-Z]+:INVALID_SESSION_ID<\/faultcode>/;

export class SalesforceTransport extends Transport {
  private readonly refreshedOnce = new WeakSet<HttpRequest>();

  constructor(
    private readonly timeoutMs: number,
    /** Whether the connection can refresh its session (refresh token or username/password). */
    private readonly canRefreshSession: boolean,
    /** The connection's Retry-After gate, shared by every request it sends. */
    private readonly gate: RetryAfterGate,
  ) {
    super();
  }

  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}): StreamPromise<HttpResponse> {
    return StreamPromise.create(() => {
      // The request starts only when the gate lets it, so its stream is joined to the caller's once it exists.
      const { stream, setStream } = createLazyStream();
      const promise = this.gate.run(() => {
        const inner = super.httpRequest(req, { ...options, retry: { maxRetries: 0 }, timeout: this.timeoutMs });
        setStream(inner.stream());
        return inner.then((res) => this.check(req, res));
      }, retryAfterOf429);
      return { stream, promise };
    });
  }

  private check(req: HttpRequest, res: HttpResponse): HttpResponse {
    const tokenEndpoint = req.url.includes('/services/oauth2/');
    // SOAP (convertLead) reports an expired session as a 500 fault; jsforce refreshes on that, as on a REST 401.
    const soapSessionExpired = res.statusCode === 500 && SOAP_INVALID_SESSION.test(res.body);
    const expired = res.statusCode === 401 || soapSessionExpired;
    if (expired && !tokenEndpoint && this.canRefreshSession && !this.refreshedOnce.has(req)) {
      this.refreshedOnce.add(req);
      return res;
    }
    if (res.statusCode >= 400 || res.statusCode === 300) {
      throw new SalesforceHttpError(req.method, res.statusCode, res.headers, res.body, tokenEndpoint);
    }
    return res;
  }
}

/** The Retry-After of a 429 (seconds, or an HTTP date), 1 s when it has none; undefined for any other failure. */
function retryAfterOf429(err: unknown): number | undefined {
  if (!(err instanceof SalesforceHttpError) || err.status !== 429) return undefined;
  return retryAfterHeader(err.headers) ?? 1;
}

/** `Retry-After` in seconds (whole seconds, or an HTTP date from now), or undefined when absent or unreadable. */
export function retryAfterHeader(headers: Record<string, string>, now = Date.now()): number | undefined {
  const raw = headers['retry-after'];
  if (!raw) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - now) / 1000));
}
